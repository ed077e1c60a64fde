"""The worker that `reoffkit serve` (and `reoffkit demo`) starts beside the web server never
outlives it: stopped politely (SIGTERM, as a service manager stops it) or killed outright, the
server's worker goes too, rather than running on against the database unwatched."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found |= {int(child) for child in (task / "children").read_text().split()}
        except OSError:
            pass
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _wait(condition, what: str, log: Path, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    pytest.fail(f"{what}: {log.read_text()[-2000:]}")


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads a process's children from /proc (Linux)")
@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGKILL], ids=["stopped", "killed"])
def test_the_servers_worker_goes_when_the_server_goes(tmp_path, stop):
    env = {
        **os.environ, "REOFFKIT_ENV": "production", "SECRET_KEY": "worker-follows-" + "x" * 40, "REOFFKIT_HTTPS": "false",
        "ALLOWED_HOSTS": "127.0.0.1", "REOFFKIT_DATA_DIR": str(tmp_path / "data"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'data' / 'reoffkit.sqlite3'}", "PYTHONUNBUFFERED": "1",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    port = _free_port()
    log = tmp_path / "serve.log"
    server = subprocess.Popen(
        [sys.executable, "-m", "reoffkit.cli", "serve", "--port", str(port)], env=env, stdout=log.open("w"),
        stderr=subprocess.STDOUT, cwd=tmp_path,
    )
    workers: set[int] = set()
    try:
        def worker_started() -> bool:
            workers.update(_children(server.pid))
            return bool(workers) and server.poll() is None

        _wait(worker_started, "the server started no worker", log, seconds=300)
        (worker,) = workers
        assert _alive(worker)
        server.send_signal(stop)
        server.wait(timeout=60)
        _wait(lambda: not _alive(worker), f"the worker {worker} outlived its server (stopped by {stop.name})", log)
    finally:
        if server.poll() is None:
            server.kill()
        for pid in workers:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
