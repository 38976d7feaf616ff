"""Argument types and checks shared by the commands: each refuses a bad value with a typed error
(`UsageError` through argparse, or `BadArgument`/`BadFile` naming the option), never a traceback."""
from __future__ import annotations

import argparse
import math
from pathlib import Path

from spec.errors import BadFile


def _integer(text: str, least: int) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be an integer >= {least}, got {text!r}") from None
    if value < least:
        raise argparse.ArgumentTypeError(f"must be an integer >= {least}, got {text!r}")
    return value


def positive_int(text: str) -> int:
    """An integer >= 1."""
    return _integer(text, 1)


def non_negative_int(text: str) -> int:
    """An integer >= 0."""
    return _integer(text, 0)


def positive_seconds(text: str) -> float:
    """A finite number of seconds > 0 (nan and inf are refused: they would disable a timeout)."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"must be a finite number of seconds > 0, got {text!r}")
    return value


def output_dir(path: Path, field: str = "--out") -> Path:
    """`path` as a directory the command can write into (created if missing), or `BadFile`."""
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / ".kalypso-write-probe"
        probe.write_bytes(b"")
        probe.unlink()
    except (OSError, ValueError) as exc:
        raise BadFile(field, f"cannot write into {path}: {getattr(exc, 'strerror', None) or exc}") from None
    return path


def output_file(path: Path, field: str = "--out") -> Path:
    """`path` as a file the command can write (its directory created if missing), or `BadFile`."""
    if path.is_dir():
        raise BadFile(field, f"{path} is a directory")
    output_dir(path.parent, field)
    return path
