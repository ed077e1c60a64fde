"""``reoffkit serve`` (the web application, production settings) and ``reoffkit manage``."""

from __future__ import annotations

import argparse
import os


def add_parser(commands) -> None:
    parser = commands.add_parser("serve", help="run the web application (migrates the database first)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument(
        "--no-worker", action="store_true", help="do not start a background worker beside the web server (run `reoffkit worker` yourself)"
    )
    parser.set_defaults(handler=run_serve)

    manage = commands.add_parser("manage", help="Django management commands (e.g. createsuperuser is not used; see docs)")
    manage.add_argument("arguments", nargs=argparse.REMAINDER)
    manage.set_defaults(handler=run_manage)


def run_serve(arguments: argparse.Namespace) -> int:
    from reoffkit.web.server import make_server, prepare_database_and_static, serve_with_worker, setup_django

    setup_django()
    prepare_database_and_static()
    server = make_server(arguments.host, arguments.port, arguments.threads)  # before the worker: a port in use stops here
    worker = not arguments.no_worker
    print(f"reoffkit is serving on http://{arguments.host}:{arguments.port}/" + ("" if worker else " (no worker: run `reoffkit worker`)"), flush=True)
    serve_with_worker(server, worker=worker)
    return 0


def run_manage(arguments: argparse.Namespace) -> int:
    from django.core.management import execute_from_command_line

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reoffkit.web.settings")
    execute_from_command_line(["reoffkit manage", *arguments.arguments])
    return 0
