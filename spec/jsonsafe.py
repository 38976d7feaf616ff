"""Untrusted JSON, parsed within bounds: every file, adapter line and request goes through here.

`loads` refuses, with `MalformedJSON` naming the field: text over `max_bytes`; invalid UTF-8;
nesting deeper than `max_depth` (checked before parsing, so no input can exhaust the C stack
however high a library raised the recursion limit); `NaN`/`Infinity` or a float that overflows; integers over Python's
digit limit; duplicate object keys; strings with lone surrogates (not Unicode scalar values),
unless the caller carries them on as data (`surrogates=True`: vectors and adapter lines, whose
names the spec itself refuses with a typed error).
`load_path` adds the file checks (`BadFile`: missing, a directory, a broken link, too large).
"""
from __future__ import annotations

import json
import re
from itertools import accumulate
from pathlib import Path

from spec.errors import BadFile, MalformedJSON

MAX_DEPTH = 64
MAX_BYTES = 64 * 2**20

_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)
_BRACKET = re.compile(r"[\[\]{}]")
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_DEPTH_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


def nesting_depth(text: str) -> int:
    """The deepest bracket nesting of JSON text, string contents ignored (a linear scan)."""
    if text.count("[") + text.count("{") == 0:
        return 0
    steps = [_DEPTH_STEP[m] for m in _BRACKET.findall(_STRING.sub("", text))]
    return max(accumulate(steps), default=0)


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not a JSON number")


def _finite_float(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise ValueError(f"{text[:40]} overflows a float")
    return value


def _unique_keys(pairs: list) -> dict:
    out = dict(pairs)
    if len(out) != len(pairs):
        seen = set()
        for key, _ in pairs:
            if key in seen:
                raise ValueError(f"duplicate key {key!r}")
            seen.add(key)
    return out


def loads(text: str | bytes, field: str = "$", max_depth: int = MAX_DEPTH, max_bytes: int = MAX_BYTES,
          surrogates: bool = False) -> object:
    """The JSON value of `text`, or `MalformedJSON(field, why)`."""
    if isinstance(text, (bytes, bytearray)):
        if len(text) > max_bytes:
            raise MalformedJSON(field, f"{len(text)} bytes is over the limit of {max_bytes}")
        try:
            text = bytes(text).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise MalformedJSON(field, f"not UTF-8: {exc.reason} at byte {exc.start}") from None
    if not isinstance(text, str):
        raise MalformedJSON(field, f"expected JSON text, got {type(text).__name__}")
    if len(text) > max_bytes:
        raise MalformedJSON(field, f"{len(text)} characters is over the limit of {max_bytes}")
    depth = nesting_depth(text)
    if depth > max_depth:
        raise MalformedJSON(field, f"nested {depth} deep, over the limit of {max_depth}")
    try:
        value = json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float, object_pairs_hook=_unique_keys)
    except json.JSONDecodeError as exc:
        raise MalformedJSON(field, f"not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    except (ValueError, RecursionError) as exc:
        raise MalformedJSON(field, str(exc)[:200]) from None
    if not surrogates and _SURROGATE_ESCAPE.search(text):
        try:
            json.dumps(value, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            raise MalformedJSON(field, "a string holds a lone surrogate (not a Unicode scalar value)") from None
    return value


def load_path(path: str | Path, field: str | None = None, max_depth: int = MAX_DEPTH, max_bytes: int = MAX_BYTES,
              surrogates: bool = False) -> object:
    """The JSON value of the file at `path`; `BadFile` or `MalformedJSON` naming it otherwise."""
    path = Path(path)
    field = field or str(path)
    return loads(read_bytes(path, field, max_bytes), field, max_depth, max_bytes, surrogates)


def read_bytes(path: str | Path, field: str | None = None, max_bytes: int = MAX_BYTES) -> bytes:
    """The bytes of a regular file of at most `max_bytes`; `BadFile` naming it otherwise."""
    path = Path(path)
    field = field or str(path)
    try:
        exists, is_link, is_file = path.exists(), path.is_symlink(), path.is_file()
    except (OSError, ValueError) as exc:
        raise BadFile(field, f"cannot read: {getattr(exc, 'strerror', None) or exc}") from None
    if not exists:
        raise BadFile(field, "a broken symbolic link" if is_link else "no such file")
    if not is_file:
        raise BadFile(field, "not a regular file")
    try:
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except (OSError, ValueError) as exc:
        raise BadFile(field, f"cannot read: {getattr(exc, 'strerror', None) or exc}") from None
    if len(data) > max_bytes:
        raise BadFile(field, f"larger than the limit of {max_bytes} bytes")
    return data
