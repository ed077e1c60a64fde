"""The ``reoffkit`` command line: one module per command (each with ``add_parser`` and ``run``).

Exit codes: 0 success; 2 the input or the arguments have errors (every problem is listed); 1 from
``reoffkit audit verify``: the audit log's hash chain is broken (every place is listed).
"""

from __future__ import annotations

import argparse
import sys
from typing import Sequence

from reoffkit.cli import analyse, audit, compare, demo, disproportionality, importing, measures, performance, reference, serve, worker
from reoffkit.cli.common import EXIT_BAD_INPUT

__all__ = ["EXIT_BAD_INPUT", "build_parser", "main"]

#: In the order ``reoffkit --help`` lists them.
COMMANDS = (measures, performance, analyse, disproportionality, compare, reference, importing, audit, demo, serve, worker)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="reoffkit", description="Youth reoffending toolkit.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        command.add_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = build_parser().parse_args(argv)
    return arguments.handler(arguments)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
