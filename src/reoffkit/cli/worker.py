"""``reoffkit worker``: runs background jobs (imports, previews, analyses, reports) from the
database queue. Several may run against one PostgreSQL; ``reoffkit serve`` starts one beside the
web server unless told not to (``--no-worker``)."""

from __future__ import annotations

import argparse


def add_parser(commands) -> None:
    parser = commands.add_parser("worker", help="run background jobs (imports, previews, analyses, reports) from the database queue")
    parser.add_argument("--interval", type=float, default=1.0, help="seconds between looks at an empty queue (default 1)")
    parser.add_argument("--batch", action="store_true", help="run what is queued, then stop")
    parser.set_defaults(handler=run)


def run(arguments: argparse.Namespace) -> int:
    from reoffkit.web.server import run_worker, setup_django

    setup_django()
    return run_worker(interval=arguments.interval, batch=arguments.batch)
