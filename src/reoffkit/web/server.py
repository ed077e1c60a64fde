"""Starting the web application outside Django's own tooling: settings, migrations and static
files, and the production WSGI server (waitress; static files by WhiteNoise)."""

from __future__ import annotations

import os


def setup_django() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reoffkit.web.settings")
    django.setup()


def prepare_database_and_static() -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)


def serve(host: str, port: int, threads: int = 8) -> None:
    """Serve the application with waitress (a production WSGI server)."""
    from waitress import serve as waitress_serve

    from reoffkit.web.wsgi import application

    waitress_serve(application, host=host, port=port, threads=threads, ident="reoffkit")
