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
    parent = os.environ.get(PARENT_VARIABLE)
    if parent and parent.isdigit():
        threading.Thread(target=_follow_parent, args=(int(parent), stop), name="parent-watch", daemon=True).start()
    try:
        call_command(
            "db_worker", queue_name="default", interval=interval, batch=batch, reload=False, startup_delay=False,
            worker_id=worker_name(), verbosity=0,
        )
    finally:
        stop.set()
    return 0


#: Set by :class:`WorkerProcess` in its worker's environment: the web server's process id.
PARENT_VARIABLE = "REOFFKIT_WORKER_PARENT"


def _follow_parent(parent: int, stop) -> None:
    """A worker started beside a web server stops when that server has gone, however it went
    (killed outright, it could not stop its worker): it is then no longer the worker's parent.
    SIGTERM lets the job in hand finish, as a service manager's stop does."""
    import signal

    while not stop.wait(1):
        if os.getppid() != parent:
            os.kill(os.getpid(), signal.SIGTERM)
            return


def serve_with_worker(server, *, worker: bool = True) -> None:
    """Run ``server`` (from :func:`make_server`) with a worker beside it unless told not to. A
    SIGTERM (a service manager's stop) ends the server as Ctrl+C does, so its worker is stopped too."""
    import signal

    def stop_serving(signum, frame):
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop_serving)
    process = WorkerProcess().start() if worker else None
    try:
        server.run()
    finally:
        if process:
            process.stop()


class WorkerProcess:
    """A ``reoffkit worker`` beside the web server, started again if it stops (a job that ran it out
    of memory costs that job, not the service)."""

    def __init__(self) -> None:
        import threading

        self.process = None
        self.lock = threading.Lock()  # no new worker starts once stop() has begun
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._supervise, name="worker-supervisor", daemon=True)

    def start(self) -> "WorkerProcess":
        self.thread.start()
        return self

    def _supervise(self) -> None:
        import subprocess
        import sys

        while not self.stopping.is_set():
            with self.lock:
                if self.stopping.is_set():
                    return
                env = {**os.environ, PARENT_VARIABLE: str(os.getpid())}
                self.process = subprocess.Popen([sys.executable, "-m", "reoffkit.cli", "worker"], env=env)
            self.process.wait()
            if self.stopping.wait(2):
                return

    def stop(self) -> None:
        with self.lock:
            self.stopping.set()
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except Exception:
                self.process.kill()
