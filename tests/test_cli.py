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


def test_a_step_is_filled_with_its_arguments_only_when_named():
    """`kalypso zk verify` builds the zk command's and the verify step's parsers and no other (``lazy_subparsers``);
    every name is still listed and parsed."""
    parser = build_parser()
    args = parser.parse_args(["zk", "verify", "--vk", "vk.json", "--public", "p.json", "--proof", "q.json"])
    assert (args.command, args.zk_command, str(args.vk), args.backend) == ("zk", "verify", "vk.json", "auto")
    commands = next(a for a in parser._actions if a.dest == "command")
    steps = next(a for a in commands.choices["zk"]._actions if a.dest == "zk_command")
    assert {name for name, p in steps.choices.items() if p is not None} == {"verify"}
    assert {name for name, p in commands.choices.items() if p is not None} == {"zk"}
    args = parser.parse_args(["zk", "export", "vk", "--zkey", "k.zkey", "--out", "vk.json"])
    assert (args.zk_command, args.export_what) == ("export", "vk")
