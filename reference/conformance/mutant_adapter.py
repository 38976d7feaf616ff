"""The reference adapter running a named mutant of the spec: `python -m
reference.conformance.mutant_adapter --mutant NAME` (or `KALYPSO_MUTANT=NAME`); without a
mutant it is the plain reference adapter."""
from __future__ import annotations

import argparse
import os
import sys

import spec.adapter
from reference.conformance.mutants import MUTANT_BY_NAME, StaleMutant, install


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m reference.conformance.mutant_adapter")
    parser.add_argument("--mutant", default=os.environ.get("KALYPSO_MUTANT"),
                        help="a named mutant (reference.conformance.mutants) or a generated one, gen:<module>:<function>:<k>")
    args = parser.parse_args(argv)
    if args.mutant and not args.mutant.startswith("gen:") and args.mutant not in MUTANT_BY_NAME:
        parser.error(f"--mutant: unknown mutant {args.mutant!r}")
    if args.mutant:
        try:
            install(args.mutant)
        except StaleMutant as exc:
            print(f"stale mutant: {exc}", file=sys.stderr)
            return 3
    spec.adapter.serve()
    return 0


if __name__ == "__main__":
    sys.exit(main())
