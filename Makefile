PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test bench vectors fuzz campaign node clean restaking-build

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $(STAMP)

node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund && touch $@; \
	else echo "npm not found: node interop checks will be skipped"; fi

node: node_modules/.installed

## make run: the full audit on the embedded defaults; writes report/audit.md and report/audit.html
run: $(STAMP) node
	-$(PY) -m reference.evm.restaking.compile --l1
	$(VENV)/bin/kalypso audit

## make restaking-build: compile the restaking lineage with viaIR (about two minutes cold; cached)
restaking-build: $(STAMP) node
	$(PY) -m reference.evm.restaking.compile --l1

## make test: the default test suite (under 10 minutes on 2 cores)
test: $(STAMP) node
	$(PY) -m pytest -q -n 2 --dist loadfile

## make bench: benchmarks; results go to docs/benchmarks.md (arkworks, compared with, is groth16py: a dependency)
bench: $(STAMP) node
	$(PY) -m pip install -q -e '.[evm-compare]'
	$(VENV)/bin/kalypso bench

## make vectors: regenerate the committed test vectors
vectors: $(STAMP)
	$(VENV)/bin/kalypso vectors generate
	$(VENV)/bin/kalypso vectors generate --fork deployed_native
	$(VENV)/bin/kalypso vectors generate --fork deployed_restaking

## make fuzz: long property runs, outside the default test run
fuzz: $(STAMP)
	KALYPSO_PROFILE=thorough $(PY) -m pytest -q -n 2 -m "slow or not slow"

## make campaign KIND=differential BUDGET=10m: a resumable distributed campaign (docs/campaigns.md), report/campaign/KIND
KIND ?= differential
BUDGET ?= 10m
campaign: $(STAMP) node
	$(VENV)/bin/kalypso campaign $(KIND) --budget $(BUDGET)

clean:
	rm -rf $(VENV) node_modules report .pytest_cache .hypothesis
