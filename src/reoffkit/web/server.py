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


def serve(host: str, port: int, threads: int = 8) -> None:
    """Serve the application with waitress (a production WSGI server)."""
    from waitress import serve as waitress_serve

    from reoffkit.web.wsgi import application

    waitress_serve(application, host=host, port=port, threads=threads, ident="reoffkit")


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
