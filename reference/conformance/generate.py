"""`kalypso vectors generate`: every case, the schema and the manifest, byte-identically.

Cases come from two sources: the hand-written scenarios of a fork
(`reference.conformance.scenarios.<fork>`) and seeded random traces (`reference.conformance.traces`). Expectations are always what the spec
does; a scenario whose last step disagrees with its declared outcome is reported as a mismatch.
"""
from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import attrs

import spec
from reference.conformance.cases import (
    DEFAULT_FORK, FOREIGN_DIRS, FORMAT_VERSION, MANIFEST_FILE, SCHEMA_FILE, location, run_case, spec_version, write_json,
)
from reference.conformance.scenarios import FORKS
from reference.conformance.schema import build_schema
from reference.conformance.traces import DEFAULT_SEED, OPENINGS, random_traces

TRACE_COUNT = 200
TRACE_STEPS = 20
UNKNOWN = "(unknown)"
TRACES_DIR = "traces/random/"


@attrs.frozen
class Coverage:
    """Steps per operation (accepted, rejected) and per error code, and what the spec requires but no step shows."""

    accepted: dict
    rejected: dict
    errors: dict
    missing_operations: tuple
    missing_errors: tuple

    @property
    def complete(self) -> bool:
        return not self.missing_operations and not self.missing_errors


def coverage_of(cases) -> Coverage:
    """Coverage of case dicts against the spec's registries (every operation accepted at least once,
    every error code raised at least once)."""
    accepted, rejected, errors = Counter(), Counter(), Counter()
    for case in cases:
        for step in case.get("operations", ()):
            name = step["op"] if isinstance(step["op"], str) and step["op"] in spec.OPERATIONS else UNKNOWN
            if step["expect"]["ok"]:
                accepted[name] += 1
            else:
                rejected[name] += 1
                errors[step["expect"]["error_code"]] += 1
    return Coverage(
        accepted={k: accepted[k] for k in sorted(set(spec.OPERATIONS) | set(accepted) | set(rejected))},
        rejected={k: rejected[k] for k in sorted(set(spec.OPERATIONS) | set(accepted) | set(rejected))},
        errors={k: errors[k] for k in sorted(set(spec.ERROR_BY_CODE) | set(errors))},
        missing_operations=tuple(sorted(op for op in spec.OPERATIONS if not accepted[op])),
        missing_errors=tuple(sorted(code for code in spec.ERROR_BY_CODE if not errors[code])),
    )


def coverage_table(coverage: Coverage, cases: int) -> str:
    """Markdown tables of the coverage."""
    lines = [f"{cases} cases.", "", "| operation | accepted steps | rejected steps |", "|---|---:|---:|"]
    lines += [f"| `{op}` | {coverage.accepted[op]} | {coverage.rejected[op]} |" for op in coverage.accepted]
    lines += ["", "| error code | steps |", "|---|---:|"]
    lines += [f"| `{code}` | {n} |" for code, n in coverage.errors.items()]
    if not coverage.complete:
        lines += ["", f"Missing: operations {list(coverage.missing_operations)}, errors {list(coverage.missing_errors)}."]
    return "\n".join(lines) + "\n"


@attrs.frozen
class GenerationReport:
    cases: int
    scenario_cases: int
    trace_cases: int
    mismatches: tuple
    coverage: Coverage
    skipped: tuple = ()


def scenario_case(sc) -> tuple[str, dict]:
    """A design scenario's vector and its path under the vectors folder."""
    module, operation = location(sc.operation)
    pre_state, operations = sc.build()
    return f"{module}/{operation}/{sc.name}.json", run_case(sc.description, pre_state, operations)


def build_cases(traces: int = TRACE_COUNT, steps: int = TRACE_STEPS, seed: int = DEFAULT_SEED, fork: str = DEFAULT_FORK):
    """`(relative path, case)` pairs in a fixed order, and the scenario mismatches."""
    out, mismatches, seen = [], [], set()
    for sc in FORKS[fork]:
        if not sc.available(spec.OPERATIONS):
            continue
        path, case = scenario_case(sc)
        if path in seen:
            raise ValueError(f"two scenarios write {path}")
        seen.add(path)
        last = case["operations"][-1]["expect"]
        outcome = "ok" if last["ok"] else last["error_code"]
        if outcome != sc.expect:
            mismatches.append(f"{path}: written to show {sc.expect}, the spec gives {outcome}")
        out.append((path, case))
    for i, (pre_state, operations) in enumerate(random_traces(traces, steps, seed)):
        description = (f"Random trace {i} (seed {seed}, {steps} steps, opening: {OPENINGS[i % len(OPENINGS)]}) drawn with "
                       f"random.Random from properties.generators.")
        out.append((f"{TRACES_DIR}trace_{i:04d}.json", run_case(description, pre_state, operations)))
    return out, mismatches


def clear(vectors_dir: Path) -> None:
    """Remove generated files, leaving other kinds of vectors (e.g. `zk/`) alone."""
    if not vectors_dir.exists():
        return
    for child in vectors_dir.iterdir():
        if child.is_dir() and child.name not in FOREIGN_DIRS:
            shutil.rmtree(child)
        elif child.name in (SCHEMA_FILE, MANIFEST_FILE):
            child.unlink()


def generate(vectors_dir: Path, traces: int = TRACE_COUNT, steps: int = TRACE_STEPS, seed: int = DEFAULT_SEED,
             docs: Path | None = None, fork: str = DEFAULT_FORK) -> GenerationReport:
    """Write every case of `fork`, `schema.json` and `manifest.json` under `vectors_dir`; update the
    coverage table of `docs` (between `<!-- coverage:begin -->` and `<!-- coverage:end -->`) if given."""
    vectors_dir = Path(vectors_dir)
    cases, mismatches = build_cases(traces, steps, seed, fork)
    coverage = coverage_of(case for _, case in cases)
    traced = coverage_of(case for path, case in cases if path.startswith(TRACES_DIR))
    clear(vectors_dir)
    for path, case in cases:
        write_json(vectors_dir / path, case)
    write_json(vectors_dir / SCHEMA_FILE, build_schema())
    write_json(vectors_dir / MANIFEST_FILE, {
        "format_version": FORMAT_VERSION,
        "spec_version": spec_version(),
        "generator": {"command": "kalypso vectors generate", "trace_seed": str(seed), "traces": str(traces),
                      "trace_steps": str(steps)},
        "cases": str(len(cases)),
        "coverage": {"accepted": {k: str(v) for k, v in coverage.accepted.items()},
                     "rejected": {k: str(v) for k, v in coverage.rejected.items()},
                     "errors": {k: str(v) for k, v in coverage.errors.items()},
                     "missing_operations": list(coverage.missing_operations),
                     "missing_errors": list(coverage.missing_errors)},
        "trace_coverage": {"accepted": {k: str(v) for k, v in traced.accepted.items()},
                           "rejected": {k: str(v) for k, v in traced.rejected.items()}},
    })
    if docs is not None:
        update_docs_table(Path(docs), coverage_table(coverage, len(cases)))
    skipped = tuple(f"{sc.operation}/{sc.name}" for sc in FORKS[fork] if not sc.available(spec.OPERATIONS))
    return GenerationReport(len(cases), len(FORKS[fork]) - len(skipped), traces, tuple(mismatches), coverage, skipped)


BEGIN, END = "<!-- coverage:begin -->", "<!-- coverage:end -->"


def update_docs_table(docs: Path, table: str) -> None:
    text = docs.read_text()
    if BEGIN not in text or END not in text:
        raise ValueError(f"{docs} lacks the {BEGIN} / {END} markers")
    head, rest = text.split(BEGIN, 1)
    docs.write_text(head + BEGIN + "\n" + table + END + rest.split(END, 1)[1])
