"""Two web processes and one worker against one database (PostgreSQL under `.ci/run`'s second
pass, a SQLite file otherwise), as a deployment runs them: a job started through one web process
waits in the database for a worker and is followed to its end through the other.

Everything here is a real process started the way docs/deployment.md starts it: `reoffkit serve
--no-worker` twice and `reoffkit worker` once, under production settings (plain HTTP on the
loopback, as behind a proxy that ends TLS)."""

from __future__ import annotations

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest


SETUP = r"""
import datetime as dt
from reoffkit.web.server import prepare_database_and_static, setup_django
setup_django()
prepare_database_and_static()
from reoffkit.demo import demo_frames, demo_name
from reoffkit.web.tracker import actions
from reoffkit.web.spreadsheets.loading import load_case_frames
service = actions.create_service(by="test", name="Two Process Service")
user = actions.create_staff_user(by="test", username="perf", password="a long passphrase 1", role="performance", services=[service])
load_case_frames(by=user, service=service, frames=demo_frames(dt.date.today()), name_for=demo_name, owner_for=lambda owner: user)
print(service.pk)
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _database_url(tmp_path: Path) -> str:
    """A database of the test's own: the suite's test database is held by pytest's connection."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        return f"sqlite:///{tmp_path / 'data' / 'reoffkit.sqlite3'}"
    import psycopg

    name = f"reoffkit_two_processes_{os.getpid()}"
    admin = urllib.parse.urlsplit(url)._replace(path="/postgres").geturl().replace("postgres://", "postgresql://", 1)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')
    return urllib.parse.urlsplit(url)._replace(path=f"/{name}").geturl()


def _drop(url: str) -> None:
    if url.startswith("postgres"):
        import psycopg

        name = urllib.parse.urlsplit(url).path.lstrip("/")
        admin = urllib.parse.urlsplit(url)._replace(path="/postgres").geturl().replace("postgres://", "postgresql://", 1)
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _wait_for_port(port: int, process: subprocess.Popen, log: Path) -> None:
    for _ in range(600):
        if process.poll() is not None:
            pytest.fail(f"the server stopped: {log.read_text()[-2000:]}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    pytest.fail(f"the server did not listen on {port}: {log.read_text()[-2000:]}")


class Browser:
    """One person's cookies, used against either web process (sessions live in the database)."""

    def __init__(self):
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, url: str) -> str:
        with self.opener.open(url, timeout=60) as response:
            return response.read().decode()

    def sign_in(self, base: str, username: str, password: str) -> str:
        page = self.get(base + "/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        data = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "username": username, "password": password, "next": ""}).encode()
        request = urllib.request.Request(base + "/login/", data=data, headers={"Referer": base + "/login/"})
        with self.opener.open(request, timeout=60) as response:
            return response.geturl()


def test_a_job_started_through_one_web_process_is_followed_to_its_end_through_the_other(tmp_path):
    url = _database_url(tmp_path)
    env = {
        **os.environ, "REOFFKIT_ENV": "production", "SECRET_KEY": "two-processes-" + "x" * 40, "REOFFKIT_HTTPS": "false",
        "ALLOWED_HOSTS": "127.0.0.1", "REOFFKIT_DATA_DIR": str(tmp_path / "data"), "DATABASE_URL": url, "PYTHONUNBUFFERED": "1",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    reoffkit = [sys.executable, "-m", "reoffkit.cli"]
    processes: list[subprocess.Popen] = []

    def start(name: str, *arguments: str) -> tuple[subprocess.Popen, Path]:
        log = tmp_path / f"{name}.log"
        process = subprocess.Popen([*reoffkit, *arguments], env=env, stdout=log.open("w"), stderr=subprocess.STDOUT, cwd=tmp_path)
        processes.append(process)
        return process, log

    try:
        setup = subprocess.run([sys.executable, "-c", SETUP], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=600)
        assert setup.returncode == 0, setup.stderr[-3000:]
        service_id = int(setup.stdout.split()[-1])
        ports = _free_port(), _free_port()
        for name, port in zip("ab", ports):
            process, log = start(f"web-{name}", "serve", "--no-worker", "--port", str(port))
            _wait_for_port(port, process, log)
        a, b = (f"http://127.0.0.1:{port}" for port in ports)

        person = Browser()
        assert f"/services/{service_id}/" in person.sign_in(a, "perf", "a long passphrase 1")
        analysis = f"/services/{service_id}/analysis/"
        # No worker yet: the job waits in the database, and the other process sees the same job.
        assert "Waiting for a worker to start the analysis" in person.get(a + analysis)
        assert "Waiting for a worker to start the analysis" in person.get(b + analysis)

        worker, worker_log = start("worker", "worker", "--interval", "0.2")
        for _ in range(1200):
            page = person.get(b + analysis)
            if "Waiting for a worker" not in page and 'http-equiv="refresh"' not in page:
                break
            assert worker.poll() is None, worker_log.read_text()[-2000:]
            time.sleep(0.25)
        else:
            pytest.fail(f"the analysis did not finish: {worker_log.read_text()[-2000:]}")
        assert "This did not finish" not in page
        finished_b = re.findall(r"<h2[^>]*>(.*?)</h2>", page)
        # The finished analysis (the lines of enquiry) is the same through either process.
        assert len(finished_b) >= 8
        assert re.findall(r"<h2[^>]*>(.*?)</h2>", person.get(a + analysis)) == finished_b
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        _drop(url)
