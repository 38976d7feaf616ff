"""One module per `kalypso` subcommand, each with `register(parser)` and `run(args) -> int`."""
import sys


def not_implemented(name: str) -> int:
    print(f"kalypso {name}: not implemented yet", file=sys.stderr)
    return 2
