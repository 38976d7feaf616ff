"""`kalypso prove`."""
from kalypso.commands import not_implemented


def register(parser) -> None:
    parser.add_argument("rest", nargs="*", help="arguments (not implemented yet)")


def run(args) -> int:
    return not_implemented("prove")
