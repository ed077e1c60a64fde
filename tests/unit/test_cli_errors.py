"""Mistakes in the configuration or the arguments: one line on stderr that says what is wrong and
how to put it right, and a non-zero exit code (3 configuration, 2 arguments); never a traceback.
Each case runs the real command in a subprocess, as an operator would."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

GOLDEN = Path(__file__).resolve().parents[1] / "data" / "golden" / "leicester-2016q4"
#: The PostgreSQL server the suite runs against (DATABASE_URL's, without its database), or the local one.
POSTGRES = (
    os.environ["DATABASE_URL"].rsplit("/", 1)[0] if os.environ.get("DATABASE_URL", "").startswith("postgres") else "postgres://postgres@127.0.0.1:5432"
)


def environment(data_dir: Path, **change: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REOFFKIT_", "DJANGO_")) and k not in ("DATABASE_URL", "SECRET_KEY", "ALLOWED_HOSTS")}
    env.update(REOFFKIT_ENV="production", SECRET_KEY="k" * 50, ALLOWED_HOSTS="reoffkit.example", REOFFKIT_DATA_DIR=str(data_dir))
    for key, value in change.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def reoffkit(*argv: str, env: dict[str, str], **options) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "reoffkit.cli", *argv], env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL, **options)


def one_line(result: subprocess.CompletedProcess, code: int, *words: str) -> str:
    message = result.stderr.strip()
    assert result.returncode == code, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr and len(message.splitlines()) == 1, result.stderr
    for word in words:
        assert word in message, (word, message)
    return message


@pytest.fixture(scope="module")
def migrated(tmp_path_factory) -> Path:
    data = tmp_path_factory.mktemp("data")
    result = reoffkit("manage", "migrate", "-v0", env=environment(data))
    assert result.returncode == 0, result.stderr
    return data


def test_missing_secret_key(tmp_path):
    one_line(reoffkit("user", "list", env=environment(tmp_path, SECRET_KEY=None)), 3, "SECRET_KEY must be set", "token_urlsafe")


def test_a_database_url_of_another_scheme_is_named_without_its_password(tmp_path):
    message = one_line(reoffkit("user", "list", env=environment(tmp_path, DATABASE_URL="mysql://app:s3cr3t-pw@db.example/reoffkit")), 3, "DATABASE_URL starts mysql://", "postgres://")
    assert "s3cr3t-pw" not in message


def test_an_unreachable_database(tmp_path):
    one_line(reoffkit("user", "list", env=environment(tmp_path, DATABASE_URL="postgres://app:pw@127.0.0.1:1/reoffkit")), 3, "cannot connect to the database reoffkit on 127.0.0.1:1", "PostgreSQL is running")


def test_an_unknown_database(tmp_path):
    url = f"{POSTGRES}/reoffkit_no_such_database"
    one_line(reoffkit("user", "list", env=environment(tmp_path, DATABASE_URL=url)), 3, 'database "reoffkit_no_such_database" does not exist', "createdb")


def test_a_database_without_tables(tmp_path):
    one_line(reoffkit("user", "list", env=environment(tmp_path)), 3, "no reoffkit tables yet", "reoffkit manage migrate")


@pytest.mark.parametrize("where", ["under-a-file", "proc"])
def test_a_data_folder_that_cannot_be_made(tmp_path, where):
    (tmp_path / "a-file").write_text("not a folder")
    data = tmp_path / "a-file" / "data" if where == "under-a-file" else Path("/proc/reoffkit-data")
    one_line(reoffkit("user", "list", env=environment(data)), 3, f"cannot make the data folder {data}", "REOFFKIT_DATA_DIR")


@pytest.mark.parametrize(
    ("name", "value", "words"),
    [
        ("REOFFKIT_IDLE_MINUTES", "soon", ["REOFFKIT_IDLE_MINUTES='soon' is not a whole number", "REOFFKIT_IDLE_MINUTES=30"]),
        ("REOFFKIT_HTTPS", "maybe", ["REOFFKIT_HTTPS='maybe' is not a yes/no value", "true or false"]),
        ("REOFFKIT_ENV", "staging", ["REOFFKIT_ENV='staging'", "production, demo or test"]),
        ("REOFFKIT_TRUSTED_PROXY_HEADERS", "x-real-ip", ["REOFFKIT_TRUSTED_PROXY_HEADERS names x-real-ip", "x-forwarded-proto"]),
    ],
)
def test_an_invalid_reoffkit_value(tmp_path, name, value, words):
    one_line(reoffkit("user", "list", env=environment(tmp_path, **{name: value})), 3, *words)


def test_an_unwritable_out_folder_is_refused_before_anything_is_computed(tmp_path):
    (tmp_path / "a-file").write_text("x")
    env = environment(tmp_path)
    result = reoffkit("analyse", str(GOLDEN), "--period", "2016Q4", "--as-at", "2018-06-30", "--out", str(tmp_path / "a-file" / "out"), env=env)
    one_line(result, 2, "cannot be written by this account", "choose a folder you can write to")
    one_line(reoffkit("analyse", str(GOLDEN), "--period", "2016Q4", "--as-at", "2018-06-30", "--out", str(tmp_path / "a-file"), env=env), 2, "is a file, not a folder")
    assert result.stdout == ""


def test_an_interactive_command_without_a_terminal(migrated):
    result = reoffkit("manage", "create_administrator", "ada", env=environment(migrated))
    one_line(result, 2, "needs a terminal", "reoffkit user add ada --role administrator")


def test_a_question_without_a_terminal(migrated):
    result = reoffkit("manage", "flush", env=environment(migrated))
    one_line(result, 2, "there is no terminal to answer it on", "--no-input")


def test_a_port_in_use(migrated):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = reoffkit("serve", "--no-worker", "--port", str(port), env=environment(migrated))
    one_line(result, 2, f"cannot listen on 127.0.0.1:{port}", "--port")
    assert "serving" not in result.stdout


def test_output_into_a_closed_pipe_is_not_a_traceback(migrated):
    read, write = os.pipe()
    os.close(read)  # like `| head -1` gone already: every write fails with a broken pipe
    try:
        result = subprocess.run(
            [sys.executable, "-m", "reoffkit.cli", "user", "add", "piped", "--role", "administrator"],
            env=environment(migrated), stdout=write, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True,
        )  # fmt: skip
    finally:
        os.close(write)
    assert result.returncode == 141 and result.stderr == "", result.stderr


def test_analyse_of_a_period_not_yet_complete_says_so(tmp_path):
    out = tmp_path / "analysis"
    env = environment(tmp_path)
    result = reoffkit("analyse", str(GOLDEN), "--period", "2016Q4", "--as-at", "2018-01-31", "--out", str(out), env=env)
    one_line(result, 2, "cohort 2016Q4 has ended, but its children's 12-month follow-up", "complete on 30 June 2018", "--provisional")
    assert not out.exists()
    future = reoffkit("analyse", str(GOLDEN), "--period", "2030Q1", "--out", str(out), env=env)
    one_line(future, 2, "cohort 2030Q1 has not ended yet")
    provisional = reoffkit("analyse", str(GOLDEN), "--period", "2016Q4", "--as-at", "2018-01-31", "--provisional", "--out", str(out), env=env)
    assert provisional.returncode == 0, provisional.stderr
    assert "NOT complete: provisional until 30 June 2018" in (out / "findings.md").read_text(encoding="utf-8")
