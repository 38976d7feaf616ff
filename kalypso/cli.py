"""`kalypso`: one entry point; each subcommand is a module of `kalypso.commands`."""
from __future__ import annotations

import argparse
import os
import re
import sys

from kalypso.commands import audit, bench, conform, prove, simulate, vectors, zk
from spec.errors import BadInput, SpecError

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
    # name: (module with register(parser) and run(args), help)
    "audit": (audit, "run every check and write report/audit.md and report/audit.html"),
    "prove": (prove, "prove the invariants with Z3 (inductive proofs, bounded checks)"),
    "vectors": (vectors, "generate, check and mutation-test the conformance vectors"),
    "conform": (conform, "replay the vectors against an implementation through an adapter"),
    "zk": (zk, "Groth16 on BN254: setup, prove, verify, export"),
    "bench": (bench, "run the benchmarks and write docs/benchmarks.md"),
    "simulate": (simulate, "market simulator: compare matching protocols"),
}


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="kalypso",
        description="Kalypso Spec: executable, formally checked reference of a ZK proof marketplace.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    sub.required = True
    for name, (module, help_text) in SUBCOMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        module.register(p)
        p.set_defaults(_run=module.run)
    return parser


def report_error(error: Exception) -> None:
    """One line on stderr: `error: <TypedError> [field]: rule`."""
    field = getattr(error, "field", None)
    rule = getattr(error, "rule", None) or str(error)
    where = f" [{field}]" if field else ""
    print(f"error: {type(error).__name__}{where}: {rule}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    """Run one subcommand. Bad input of any kind exits 2 with one typed line on stderr; an
    unexpected exception is a bug and exits 3, its traceback shown only with KALYPSO_TRACEBACK=1."""
    try:
        args = build_parser().parse_args(argv)
        return int(args._run(args) or 0)
    except (BadInput, SpecError) as error:
        report_error(error)
        return USAGE_ERROR
    except KeyboardInterrupt:
        print("error: Interrupted", file=sys.stderr)
        return 130
    except Exception as error:  # noqa: BLE001 - the last line of defence: no traceback reaches a user
        if os.environ.get("KALYPSO_TRACEBACK"):
            raise
        print(f"error: InternalError [{type(error).__name__}]: {str(error)[:300]} (a bug in kalypso; "
              "KALYPSO_TRACEBACK=1 shows the traceback)", file=sys.stderr)
        return INTERNAL_ERROR


if __name__ == "__main__":
    sys.exit(main())
