"""``reoffkit demo``: the synthetic demo, its measures, and the web application on it."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path


def add_parser(commands) -> None:
    parser = commands.add_parser("demo", help="the demo: a synthetic case file, its measures, and the web application on it")
    parser.add_argument("--out", type=Path, default=Path("out/demo"), help="where to write the demo case file")
    parser.add_argument("--data-dir", type=Path, default=Path("var/demo"), help="where the demo database lives (made afresh)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--no-serve", action="store_true", help="load the demo but do not start the web server")
    parser.set_defaults(handler=run)


def run(arguments: argparse.Namespace) -> int:
    from reoffkit.demo import run_demo

    return run_demo(
        out=arguments.out,
        data_dir=arguments.data_dir,
        as_at=dt.date.today(),
        host=arguments.host,
        port=arguments.port,
        serve=not arguments.no_serve,
    )
