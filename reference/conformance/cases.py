"""The vector case format: building a case by running the spec, and reading cases from disk.

A case is `{format_version, spec_version, description, pre_state, operations, post_state}`; each
operation is `{op, args, expect}` with `expect` either `{"ok": true, "events": [...]}` or
`{"ok": false, "error_code": CODE}`. States, operations and events are in the canonical form of
`spec.codec`. Files live at `vectors/<fork>/<module>/<operation>/<case>.json`.
"""
from __future__ import annotations

import importlib.metadata
from pathlib import Path
from typing import Iterator

import attrs

import spec
from spec.codec import decode_op, dumps, encode_event, encode_op, encode_state
from spec.containers import State
from spec.env import DEFAULT_ENV, Env
from spec import jsonsafe
from spec.errors import BadInput, SpecError

FORMAT_VERSION = 1
SCHEMA_FILE = "schema.json"
MANIFEST_FILE = "manifest.json"
FOREIGN_DIRS = frozenset({"zk"})
UNKNOWN_OPERATION_DIR = ("transition", "unknown")
VECTORS_ROOT = Path(__file__).resolve().parents[2] / "vectors"
DEFAULT_FORK = "design"
VECTORS_DIR = VECTORS_ROOT / DEFAULT_FORK
"""The committed vectors of the default fork; each fork has its own directory under `VECTORS_ROOT`."""


def spec_version() -> str:
    """The version of the spec the vectors were generated from."""
    return getattr(spec, "SPEC_VERSION", None) or importlib.metadata.version("kalypso-spec")


def location(operation: str) -> tuple[str, str]:
    """`(module, operation)` directories of an operation's cases: the spec module that processes it."""
    processor = spec.PROCESSORS.get(spec.OPERATIONS.get(operation))
    if processor is None:
        return UNKNOWN_OPERATION_DIR
    return processor.__module__.rsplit(".", 1)[-1], operation


def op_json(op) -> dict:
    return op if isinstance(op, dict) else encode_op(op)


def run_case(description: str, pre_state: State, operations: list, env: Env = DEFAULT_ENV) -> dict:
    """A case whose expectations are what the spec does: each operation is decoded from its JSON
    form and applied in turn; a rejected operation leaves the state as it was."""
    state = pre_state
    steps = []
    for op in operations:
        data = op_json(op)
        try:
            state, events = spec.apply(state, decode_op(data), env)
            expect = {"ok": True, "events": [encode_event(e) for e in events]}
        except SpecError as error:
            expect = {"ok": False, "error_code": error.code}
        steps.append({**data, "expect": expect})
    return {
        "format_version": FORMAT_VERSION,
        "spec_version": spec_version(),
        "description": description,
        "pre_state": encode_state(pre_state),
        "operations": steps,
        "post_state": encode_state(state),
    }


@attrs.frozen
class CaseFile:
    name: str
    path: Path
    data: dict


def case_paths(vectors_dir: Path) -> list[Path]:
    """Every case file under `vectors_dir`, sorted; directories of other vector kinds are skipped."""
    vectors_dir = Path(vectors_dir)
    return sorted(p for p in vectors_dir.glob("*/*/*.json") if p.relative_to(vectors_dir).parts[0] not in FOREIGN_DIRS)


def load_cases(vectors_dir: Path) -> Iterator[CaseFile]:
    """Every case; a path that is not a readable file of bounded JSON (`spec.jsonsafe`: a
    directory, a broken link, too deep, not UTF-8) or not a JSON object loads as
    `{"unreadable": reason}`."""
    vectors_dir = Path(vectors_dir)
    for path in case_paths(vectors_dir):
        try:
            data = jsonsafe.load_path(path, "$", surrogates=True)
        except BadInput as exc:
            data = {"unreadable": exc.rule}
        if not isinstance(data, dict):
            data = {"unreadable": "not a JSON object"}
        yield CaseFile(path.relative_to(vectors_dir).with_suffix("").as_posix(), path, data)


def write_json(path: Path, data) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dumps(data))
