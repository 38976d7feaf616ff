"""Argument types and checks shared by the commands: each refuses a bad value with a typed error
(`UsageError` through argparse, or `BadArgument`/`BadFile` naming the option), never a traceback."""
from __future__ import annotations

import argparse
import math
from pathlib import Path

from spec.errors import BadFile


def one_line(text: str) -> str:
    """`text` with every unprintable character (newlines, controls, lone surrogates) escaped, so
    an error that echoes its input stays one line."""
    return "".join(c if c.isprintable() and not 0xD800 <= ord(c) <= 0xDFFF else ascii(c)[1:-1] for c in str(text))


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


class LazySubparsers(argparse._SubParsersAction):
    """Subcommands built when the command line names them (or asks for their help): the parser and its arguments,
    so that a command builds and imports only what it runs (``kalypso zk verify``: not the other steps). Until
    then a name maps to None; its help line is listed as argparse lists any subcommand's."""

    def add_lazy(self, name: str, help_text: str, add_arguments) -> None:
        self._choices_actions.append(self._ChoicesPseudoAction(name, (), help_text))
        self._name_parser_map[name] = None
        self.kalypso_pending[name] = (help_text, add_arguments)

    def __call__(self, parser, namespace, values, option_string=None):
        name = values[0] if values else None
        if name in self.kalypso_pending and self._name_parser_map.get(name) is None:
            help_text, add_arguments = self.kalypso_pending[name]
            built = self._parser_class(prog=f"{self._prog_prefix} {name}", description=help_text)
            add_arguments(built)
            self._name_parser_map[name] = built
        super().__call__(parser, namespace, values, option_string)


def lazy_subparsers(parser: argparse.ArgumentParser, dest: str, metavar: str, steps: dict, **kwargs):
    """Required subcommands ``{name: (help, add_arguments(subparser))}`` of ``parser``, each built with its
    arguments only when named."""
    sub = parser.add_subparsers(dest=dest, metavar=metavar, action=LazySubparsers, **kwargs)
    sub.required = True
    sub.kalypso_pending = {}
    for name, (help_text, add) in steps.items():
        sub.add_lazy(name, help_text, add)
    return sub
