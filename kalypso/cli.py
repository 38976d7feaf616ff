"""`kalypso`: one entry point; each subcommand is a module of `kalypso.commands`."""
from __future__ import annotations

import argparse
import functools
import importlib
import os
import re
import sys

from kalypso.args import lazy_subparsers, one_line
from spec.errors import BadFile, BadInput, SpecError

USAGE_ERROR = 2
INTERNAL_ERROR = 3


class UsageError(BadInput):
    """A command line argparse cannot read (unknown option, missing or ill-typed value)."""

    code = "USAGE"


class Parser(argparse.ArgumentParser):
    """argparse, whose errors are typed like every other: `error: UsageError [--option]: why`."""

    def error(self, message: str):
        match = re.match(r"argument ([^:]+): (.*)", message, re.S)
        required = re.match(r"the following arguments are required: ([^,]+)", message)
        if match:
            field, rule = match.group(1), match.group(2)
        else:
            field, rule = (required.group(1) if required else self.prog), message
        raise UsageError(field, f"{rule} (see {self.prog} --help)")

SUBCOMMANDS = {
    # name: (module of kalypso.commands with register(parser) and run(args), help)
    "audit": ("audit", "run every check and write report/audit.md and report/audit.html"),
    "prove": ("prove", "prove the invariants with Z3 (inductive proofs, bounded checks)"),
    "vectors": ("vectors", "generate, check and mutation-test the conformance vectors"),
    "conform": ("conform", "replay the vectors against an implementation through an adapter"),
    "zk": ("zk", "Groth16 on BN254: setup, prove, verify, export"),
    "bench": ("bench", "run the benchmarks and write docs/benchmarks.md"),
    "simulate": ("simulate", "market simulator: compare matching protocols"),
    "campaign": ("campaign", "long distributed searches (differential, machines, mutation, sweep) on Dask, resumable"),
}


def register(name: str, parser: argparse.ArgumentParser) -> None:
    """Import the subcommand's module and let it add its arguments to ``parser``."""
    module = importlib.import_module(f"kalypso.commands.{SUBCOMMANDS[name][0]}")
    module.register(parser)
    parser.set_defaults(_run=module.run)


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="kalypso",
        description="Kalypso Spec: executable, formally checked reference of a ZK proof marketplace.",
    )
    steps = {name: (help_text, functools.partial(register, name)) for name, (_, help_text) in SUBCOMMANDS.items()}
    lazy_subparsers(parser, "command", "COMMAND", steps, parser_class=Parser)
    return parser


def report_error(error: Exception) -> None:
    """One line on stderr: `error: <TypedError> [field]: rule` (input echoed in it is escaped)."""
    field = getattr(error, "field", None)
    rule = getattr(error, "rule", None) or str(error)
    where = f" [{one_line(field)}]" if field else ""
    print(f"error: {type(error).__name__}{where}: {one_line(rule)}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    """Run one subcommand. Bad input of any kind (a system error on a path included) exits 2 with
    one typed line on stderr; an unexpected exception is a bug and exits 3, its traceback shown
    only with KALYPSO_TRACEBACK=1."""
    try:
        args = build_parser().parse_args(argv)
        return int(args._run(args) or 0)
    except (BadInput, SpecError) as error:
        report_error(error)
        return USAGE_ERROR
    except OSError as error:  # a path the user named that the system refuses (too long, no access, ...)
        report_error(BadFile(str(error.filename or "path"), error.strerror or str(error)))
        return USAGE_ERROR
    except KeyboardInterrupt:
        print("error: Interrupted", file=sys.stderr)
        return 130
    except Exception as error:  # noqa: BLE001 - the last line of defence: no traceback reaches a user
        if os.environ.get("KALYPSO_TRACEBACK"):
            raise
        print(f"error: InternalError [{type(error).__name__}]: {one_line(str(error)[:300])} (a bug in kalypso; "
              "KALYPSO_TRACEBACK=1 shows the traceback)", file=sys.stderr)
        return INTERNAL_ERROR


if __name__ == "__main__":
    sys.exit(main())
