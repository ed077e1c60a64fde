"""The ``reoffkit`` command line: one module per command (each with ``add_parser`` and ``run``).

Exit codes: 0 success; 2 the input or the arguments have errors (every problem is listed; a folder
that cannot be written, a port in use, no terminal for a question); 3 the configuration (the
environment, the database, the data folder: one line saying what is wrong and how to put it right,
:mod:`reoffkit.cli.errors`); 1 from ``reoffkit audit verify``: the audit log's hash chain is broken
(every place is listed).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Sequence

from reoffkit.cli import analyse, audit, board_report, compare, demo, disproportionality, importing, measures, performance, reference, serve, service, user, worker
from reoffkit.cli.common import EXIT_BAD_INPUT
from reoffkit.cli.errors import explain

__all__ = ["EXIT_BAD_INPUT", "build_parser", "main"]

#: In the order ``reoffkit --help`` lists them.
COMMANDS = (measures, performance, analyse, disproportionality, compare, board_report, reference, importing, audit, demo, serve, worker, service, user)
#: The exit code of a command whose output's reader went away (``reoffkit … | head -1``), as a
#: shell reports a program stopped by SIGPIPE.
EXIT_BROKEN_PIPE = 141


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="reoffkit", description="Youth reoffending toolkit.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        command.add_parser(commands)
    return parser


def unwritable(out: Path) -> str | None:
    """Why the folder ``out`` cannot be written (made if need be), or ``None``: checked before a
    command computes anything, and without making anything."""
    if out.exists() and not out.is_dir():
        return f"--out {out} is a file, not a folder: choose a folder (it is made if it does not exist)"
    existing = out
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir() or not os.access(existing, os.W_OK | os.X_OK):
        where = "" if existing == out else f" (its nearest existing folder, {existing}, is not writable)"
        return f"--out {out} cannot be written by this account{where}: choose a folder you can write to"
    return None


def main(argv: Sequence[str] | None = None) -> int:
    arguments = build_parser().parse_args(argv)
    out = getattr(arguments, "out", None)
    if isinstance(out, Path) and (problem := unwritable(out)):
        print(f"reoffkit {arguments.command}: {problem}", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        code = arguments.handler(arguments)
        sys.stdout.flush()
        return code
    except BrokenPipeError:
        # Nobody reads the rest (`| head -1`): stop quietly, and keep Python's flush at exit quiet too.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    except Exception as error:
        explained = explain(error)
        if explained is None:
            raise
        code, message = explained
        print(f"reoffkit {arguments.command}: {message}", file=sys.stderr)
        return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
