"""`kalypso vectors check`: every case is canonical JSON, validates against `schema.json`,
replays on the spec itself, and together the cases cover every operation and error code."""
from __future__ import annotations

import time
from pathlib import Path

import attrs
import jsonschema

from reference.conformance.cases import SCHEMA_FILE, VECTORS_DIR, load_cases
from reference.conformance.generate import Coverage, coverage_of
from reference.conformance.runner import ConformanceReport, InProcessAdapter, case_shape_error, run_cases
from spec import jsonsafe
from spec.codec import dumps
from spec.errors import BadFile


@attrs.frozen
class CheckReport:
    """`schema_errors` and `noncanonical` list `(case, message)`; `replay` is the self-replay."""

    cases: int
    schema_errors: tuple
    noncanonical: tuple
    replay: ConformanceReport
    coverage: Coverage
    seconds: float

    @property
    def failures(self) -> list[str]:
        out = [f"{name}: schema: {msg}" for name, msg in self.schema_errors]
        out += [f"{name}: {msg}" for name, msg in self.noncanonical]
        out += [f"{r.name}: replay: {r.message}" for r in self.replay.failures]
        if not self.coverage.complete:
            out.append(f"coverage: missing operations {list(self.coverage.missing_operations)}, "
                       f"missing errors {list(self.coverage.missing_errors)}")
        return out

    @property
    def ok(self) -> bool:
        return self.cases > 0 and not self.failures


def schema_validator(vectors_dir: Path) -> jsonschema.Draft202012Validator:
    """The validator of `schema.json` under `vectors_dir`; `BadFile`/`MalformedJSON` if it cannot be read."""
    path = Path(vectors_dir) / SCHEMA_FILE
    schema = jsonsafe.load_path(path)
    try:
        jsonschema.Draft202012Validator.check_schema(schema)
    except jsonschema.exceptions.SchemaError as exc:
        raise BadFile(str(path), f"not a JSON Schema: {exc.message[:200]}") from None
    return jsonschema.Draft202012Validator(schema)


def schema_problem(validator, data) -> str | None:
    error = jsonschema.exceptions.best_match(validator.iter_errors(data))
    if error is None:
        return None
    return f"$.{'.'.join(str(p) for p in error.absolute_path)}: {error.message[:300]}"


def check_vectors(vectors_dir: Path = VECTORS_DIR) -> CheckReport:
    """Validate and self-replay every case under `vectors_dir`."""
    start = time.perf_counter()
    if not Path(vectors_dir).is_dir():
        raise BadFile(str(vectors_dir), "not a directory of vectors")
    validator = schema_validator(vectors_dir)
    cases = list(load_cases(vectors_dir))
    schema_errors, noncanonical = [], []
    for case in cases:
        if "unreadable" in case.data:
            schema_errors.append((case.name, case.data["unreadable"]))
            continue
        problem = schema_problem(validator, case.data)
        if problem:
            schema_errors.append((case.name, problem))
        if case.path.read_bytes().decode("utf-8") != dumps(case.data):
            noncanonical.append((case.name, "not in canonical form (sorted keys, 2-space indent, trailing newline)"))
    replay = run_cases(InProcessAdapter(), cases, "in-process spec", vectors_dir)
    readable = [c.data for c in cases if "unreadable" not in c.data and case_shape_error(c.data) is None]
    return CheckReport(len(cases), tuple(schema_errors), tuple(noncanonical), replay,
                       coverage_of(readable), time.perf_counter() - start)
