"""Files on disk under production settings: the SQLite data folder is its owner's alone (0700), the
database and its -wal and -shm files are 0600, and so is every other file the service makes — even
when the account's umask would make them readable by everyone (022)."""

from __future__ import annotations

import os
import secrets
import stat
import subprocess
import sys

# Runs in a fresh process with production settings: opens the database in WAL mode, writes to it,
# makes a file as the service would (an upload), and reports the modes while the -wal and -shm
# files exist (SQLite removes them when the last connection closes).
REPORT = """
import json, os
from pathlib import Path
import django
django.setup()
from django.conf import settings
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute("CREATE TABLE IF NOT EXISTS probe (n integer)")
    cursor.execute("INSERT INTO probe VALUES (1)")
database = Path(settings.DATABASES["default"]["NAME"])
(settings.DATA_DIR / "upload.xlsx").write_bytes(b"x")
paths = {"folder": database.parent, "database": database, "wal": Path(f"{database}-wal"), "shm": Path(f"{database}-shm"), "upload": settings.DATA_DIR / "upload.xlsx"}
print(json.dumps({name: oct(path.stat().st_mode & 0o777) for name, path in paths.items()}))
"""


def production(tmp_path, data_dir) -> dict:
    environment = {
        **os.environ,
        "REOFFKIT_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "reoffkit.example.org",
        "REOFFKIT_DATA_DIR": str(data_dir),
        "DJANGO_SETTINGS_MODULE": "reoffkit.web.settings",
    }
    environment.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-c", REPORT], env=environment, capture_output=True, text=True, cwd=tmp_path, preexec_fn=lambda: os.umask(0o022), timeout=120
    )
    assert result.returncode == 0, result.stderr
    import json

    return json.loads(result.stdout.strip().splitlines()[-1])


def test_a_new_data_folder_and_database_are_the_service_accounts_alone(tmp_path):
    modes = production(tmp_path, tmp_path / "var" / "reoffkit")
    assert modes == {"folder": "0o700", "database": "0o600", "wal": "0o600", "shm": "0o600", "upload": "0o600"}


def test_files_left_readable_by_an_older_version_are_narrowed(tmp_path):
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    os.chmod(data, 0o755)
    for name in ("reoffkit.sqlite3", "reoffkit.sqlite3-wal"):
        (data / name).write_bytes(b"")
        os.chmod(data / name, 0o644)
    modes = production(tmp_path, data)
    assert (modes["database"], modes["wal"], modes["shm"]) == ("0o600", "0o600", "0o600")
    assert stat.S_IMODE(data.stat().st_mode) == 0o755  # a folder the administrator made keeps its mode (see the docs)
