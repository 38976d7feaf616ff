"""`kalypso`: one entry point; each subcommand is a module of `kalypso.commands`."""
from __future__ import annotations

import argparse
import sys

from kalypso.commands import audit, bench, conform, prove, simulate, vectors, zk

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
    parser = argparse.ArgumentParser(
        prog="kalypso",
        description="Kalypso Spec: executable, formally checked reference of a ZK proof marketplace.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name, (module, help_text) in SUBCOMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        module.register(p)
        p.set_defaults(_run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args._run(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
