import subprocess
import sys

from kalypso.cli import SUBCOMMANDS, build_parser


def test_help_lists_every_subcommand():
    out = subprocess.run(
        [sys.executable, "-m", "kalypso", "--help"], capture_output=True, text=True, check=True
    ).stdout
    for name in SUBCOMMANDS:
        assert name in out


def test_every_subcommand_parses_help():
    parser = build_parser()
    for name in SUBCOMMANDS:
        try:
            parser.parse_args([name, "--help"])
        except SystemExit as exit_:
            assert exit_.code == 0
