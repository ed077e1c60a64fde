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
    call_command("createcachetable", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)


class PortInUse(Exception):
    """The address and port to serve on are taken (by another reoffkit, or another program)."""


def waitress_options() -> dict:
    """The proxy settings for waitress: the forwarded headers it believes, and from whom
    (``REOFFKIT_TRUSTED_PROXY``, ``REOFFKIT_TRUSTED_PROXY_HEADERS``; docs/deployment.md). Without a
    trusted proxy waitress drops every forwarded header, so behind a TLS proxy each request would
    look like plain HTTP and be redirected to HTTPS again, for ever."""
    from django.conf import settings

    if not settings.TRUSTED_PROXY:
        return {}
    return {
        "trusted_proxy": settings.TRUSTED_PROXY,
        "trusted_proxy_headers": set(settings.TRUSTED_PROXY_HEADERS),
        "trusted_proxy_count": 1,
        "clear_untrusted_proxy_headers": True,
    }


def make_server(host: str, port: int, threads: int = 8):
    """The production WSGI server (waitress), bound to ``host``:``port`` (:class:`PortInUse` when
    taken), ready to ``run()``."""
    import errno

    from waitress.server import create_server

    from reoffkit.web.wsgi import application

    try:
        return create_server(application, host=host, port=port, threads=threads, ident="reoffkit", **waitress_options())
    except OSError as error:
        if error.errno in (errno.EADDRINUSE, errno.EACCES):
            raise PortInUse(
                f"cannot listen on {host}:{port} ({error.strerror}): another program (perhaps another reoffkit) is using it, "
                "or the port needs privileges; stop that program or choose another port with --port"
            ) from None
        raise


def serve(host: str, port: int, threads: int = 8) -> None:
    """Serve the application with waitress (a production WSGI server)."""
    make_server(host, port, threads).run()


def run_worker(*, interval: float = 1.0, batch: bool = False) -> int:
    """Run queued jobs until stopped (SIGTERM lets the current job finish). Every minute, and at
    the start, jobs left running by a worker that died are marked failed and expired uploads go."""
    import threading

    from django.core.management import call_command

    from reoffkit.web.jobs.runner import maintain, worker_name

    maintain()
    stop = threading.Event()

    def every_minute() -> None:
        from django.db import connection

        while not stop.wait(60):
            try:
                maintain()
            except Exception:  # the next minute tries again; the queue goes on
                pass
            finally:
                connection.close()

    threading.Thread(target=every_minute, name="maintenance", daemon=True).start()
    try:
        call_command(
            "db_worker", queue_name="default", interval=interval, batch=batch, reload=False, startup_delay=False,
            worker_id=worker_name(), verbosity=0,
        )
    finally:
        stop.set()
    return 0


class WorkerProcess:
    """A ``reoffkit worker`` beside the web server, started again if it stops (a job that ran it out
    of memory costs that job, not the service)."""

    def __init__(self) -> None:
        import threading

        self.process = None
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._supervise, name="worker-supervisor", daemon=True)

    def start(self) -> "WorkerProcess":
        self.thread.start()
        return self

    def _supervise(self) -> None:
        import subprocess
        import sys

        while not self.stopping.is_set():
            self.process = subprocess.Popen([sys.executable, "-m", "reoffkit.cli", "worker"], env=os.environ.copy())
            self.process.wait()
            if self.stopping.wait(2):
                return

    def stop(self) -> None:
        self.stopping.set()
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except Exception:
                self.process.kill()
