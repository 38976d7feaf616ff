"""One module per `kalypso` subcommand, each with `register(parser)` and `run(args) -> int`."""
