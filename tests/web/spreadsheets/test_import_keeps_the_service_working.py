"""While a large import runs into a service (thousands of changes, in a thread), signing in,
opening a child's record and recording an assessment go on working — no "database is locked" —
and the service's pages say an import is running. On the service's real SQLite file in WAL mode,
in a process of its own; nothing here is timed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).with_name("import_alongside.py")


def test_sign_in_the_record_page_and_recording_answer_during_a_large_import(tmp_path):
    done = subprocess.run(
        [sys.executable, str(SCRIPT), str(tmp_path), "100", "5"], capture_output=True, text=True, check=False, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr[-3000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["import"] == [] and seen["changes"] > 2000
    assert seen["errors"] == []
    assert seen["during"] >= 1 and seen["banner"]
    assert set(seen["statuses"]) <= {200, 302} and 302 in seen["statuses"]  # signed in (redirected on), the record shown
