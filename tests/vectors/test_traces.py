"""The random traces come from a plain seeded generator: no Hypothesis, the same traces on every
run, and every operation accepted at least 20 times across the committed set."""
import json
import subprocess
import sys
from collections import Counter

import pytest

import spec
from reference.conformance.cases import MANIFEST_FILE, VECTORS_DIR, load_cases
from reference.conformance.traces import random_traces
from spec.codec import dumps, encode_op, encode_state

LEAST_ACCEPTED = 20


def test_the_trace_generator_imports_nothing_from_hypothesis():
    code = ("import sys\nfrom reference.conformance.generate import build_cases\nbuild_cases(traces=2, steps=5)\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'hypothesis'))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=True).stdout
    assert out.strip() == "[]"


def _encoded(traces):
    return dumps([[encode_state(pre), [encode_op(op) for op in ops]] for pre, ops in traces])


def test_the_same_seed_gives_the_same_traces_and_another_seed_others():
    assert _encoded(random_traces(4, 6, seed=7)) == _encoded(random_traces(4, 6, seed=7))
    assert _encoded(random_traces(4, 6, seed=7)) != _encoded(random_traces(4, 6, seed=8))
    assert _encoded(random_traces(2, 6, seed=7)) == _encoded(random_traces(4, 6, seed=7)[:2])


@pytest.fixture(scope="module")
def committed():
    accepted, rejected = Counter(), Counter()
    for case in load_cases(VECTORS_DIR):
        if case.name.startswith("traces/"):
            for step in case.data["operations"]:
                (accepted if step["expect"]["ok"] else rejected)[step["op"]] += 1
    return accepted, rejected


def test_every_operation_is_accepted_often_in_the_committed_traces(committed):
    accepted, _ = committed
    few = {op: accepted[op] for op in spec.OPERATIONS if accepted[op] < LEAST_ACCEPTED}
    assert not few, f"operations accepted fewer than {LEAST_ACCEPTED} times in vectors/design/traces: {few}"


def test_the_manifest_reports_the_traces_per_operation(committed):
    accepted, rejected = committed
    manifest = json.loads((VECTORS_DIR / MANIFEST_FILE).read_text())["trace_coverage"]
    assert {k: int(v) for k, v in manifest["accepted"].items() if int(v)} == dict(accepted)
    assert {k: int(v) for k, v in manifest["rejected"].items() if int(v)} == dict(rejected)


def test_every_operation_has_one_generator():
    from properties.generators import GENERATORS, MARKET_GENERATORS, RESTAKING_GENERATORS

    assert sorted(GENERATORS) == sorted(spec.OPERATIONS)
    assert not set(MARKET_GENERATORS) & set(RESTAKING_GENERATORS)
