"""`kalypso`: one entry point; each subcommand lives in `kalypso.commands.<name>`."""
from __future__ import annotations

import argparse
import importlib
import sys

SUBCOMMANDS = {
    "audit": "run every check and write report/audit.md and report/audit.html",
    "prove": "prove the invariants with Z3 (inductive proofs, bounded checks)",
    "vectors": "generate, check and mutation-test the conformance vectors",
    "conform": "replay the vectors against an implementation through an adapter",
    "zk": "Groth16 on BN254: setup, prove, verify, export",
    "bench": "run the benchmarks and write docs/benchmarks.md",
    "simulate": "market simulator: compare matching protocols",
}


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The parser; with ``only``, the other subcommands are listed but their modules not imported
    (a command pays only for its own imports)."""
    parser = argparse.ArgumentParser(
        prog="kalypso",
        description="Kalypso Spec: executable, formally checked reference of a ZK proof marketplace.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name, help_text in SUBCOMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        if only is not None and name != only:
            continue
        module = importlib.import_module(f"kalypso.commands.{name}")
        module.register(p)
        p.set_defaults(_run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    only = argv[0] if argv and argv[0] in SUBCOMMANDS else None
    args = build_parser(only).parse_args(argv)
    return int(args._run(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
