"""Behind a TLS-terminating reverse proxy: the real `reoffkit serve` (waitress, production
settings) believes X-Forwarded-Proto from the proxy named by REOFFKIT_TRUSTED_PROXY, so a request
that came in over HTTPS is served, not redirected to HTTPS again for ever."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest

HOST = "reoffkit.example"
FORWARDED = {"Host": HOST, "X-Forwarded-Proto": "https", "X-Forwarded-For": "198.51.100.7", "X-Forwarded-Host": HOST}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def served(data_dir: Path, **change: str):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REOFFKIT_", "DJANGO_")) and k not in ("DATABASE_URL", "SECRET_KEY", "ALLOWED_HOSTS")}
    env.update(REOFFKIT_ENV="production", SECRET_KEY="s" * 50, ALLOWED_HOSTS=HOST, REOFFKIT_DATA_DIR=str(data_dir), **change)
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "reoffkit.cli", "serve", "--no-worker", "--port", str(port)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    try:
        line = process.stdout.readline()  # printed once the port is bound
        assert "reoffkit is serving" in line, line + process.stderr.read()
        yield port
    finally:
        process.terminate()
        process.wait()


def get(port: int, path: str, headers: dict) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", port)
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("served")


def test_behind_a_trusted_proxy_an_https_request_is_served_not_redirected(data_dir):
    with served(data_dir, REOFFKIT_TRUSTED_PROXY="127.0.0.1") as port:
        response = get(port, "/login/", FORWARDED)
        assert response.status == 200, (response.status, response.getheader("Location"))
        assert "max-age=31536000" in (response.getheader("Strict-Transport-Security") or "")  # Django saw HTTPS
        assert "Secure" in response.getheader("Set-Cookie", "")  # the CSRF cookie goes over HTTPS only
        plain = get(port, "/login/", {"Host": HOST})  # straight to the server, not through the proxy
        assert plain.status == 301 and plain.getheader("Location") == f"https://{HOST}/login/"


def test_without_the_setting_the_forwarded_header_is_dropped_and_every_request_redirects(data_dir):
    with served(data_dir, REOFFKIT_BEHIND_PROXY="true") as port:
        response = get(port, "/login/", FORWARDED)
        assert response.status == 301 and response.getheader("Location") == f"https://{HOST}/login/"


def test_a_proxy_at_another_address_is_not_believed(data_dir):
    with served(data_dir, REOFFKIT_TRUSTED_PROXY="192.0.2.1") as port:
        assert get(port, "/login/", FORWARDED).status == 301
