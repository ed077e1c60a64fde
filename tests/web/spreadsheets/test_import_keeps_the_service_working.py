"""While a large import runs into a service (thousands of changes, in a process of its own as the
worker or ``reoffkit import`` is), signing in, opening a child's record and recording an assessment
go on working — no "database is locked", and they finish while the import is still writing, not
after it — and the service's pages say an import is running. On the service's real SQLite file in
WAL mode with a 5 s busy timeout, run by ``import_alongside.py``; nothing here is timed: each round
of requests notes how much of the import was committed when it finished.

The same scenario with the whole import as one transaction (as imports were first made) is the
control: there, no round gets through while the import writes, which shows the test can fail."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).with_name("import_alongside.py")
CHILDREN_A_QUARTER = "200"  # about 6,000 changes: an import that writes for longer than the 5 s busy timeout


def alongside(tmp_path, batch: str) -> dict:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), str(tmp_path), CHILDREN_A_QUARTER, "5", batch], capture_output=True, text=True, check=False, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr[-3000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["import"] == [], seen["import"]
    assert seen["changes"] > 5000 and seen["import_audited"] >= seen["changes"]
    assert seen["rounds"] >= 1  # at least one round began while the import was writing
    return seen


def test_sign_in_the_record_page_and_recording_answer_during_a_large_import(tmp_path):
    seen = alongside(tmp_path, "200")
    assert seen["errors"] == []
    assert seen["during"] >= 1, seen["progress_when_done"]  # finished with part of the import still to come
    assert seen["banner"]
    assert set(seen["statuses"]) <= {200, 302} and 302 in seen["statuses"]  # signed in (redirected on), the record shown
    assert not seen["running_after"]


def test_the_whole_import_as_one_transaction_stops_the_service_meanwhile(tmp_path):
    """The control: the same scenario fails when the import holds the write lock throughout."""
    seen = alongside(tmp_path, "all")
    assert seen["during"] == 0, seen["progress_when_done"]
    # every round either failed as locked out (the import wrote for longer than the busy timeout)
    # or got through only once the whole import had been committed
    assert all("database is locked" in error for error in seen["errors"]), seen["errors"]
    assert all(n == seen["import_audited"] for n in seen["progress_when_done"])


def test_a_batch_ends_at_its_time_limit_and_the_progress_says_how_far(transactional_db, tmp_path, monkeypatch):
    """A batch ends once it has held the lock for BATCH_SECONDS, at the end of a chunk of records
    (INSERT_ROWS, 10 here) or of a change to an existing record, or after the ``batch`` changes
    asked for (50 here): with a limit every chunk exceeds, each batch is one chunk; with none
    reached, batches of 50. (Outside any caller's transaction, as the worker and the command line
    run it; the gap is set to none here, as it only waits.)"""
    import datetime as dt

    from reoffkit.casefile import read_case_file, write_case_file
    from reoffkit.synthetic import generate
    from reoffkit.web.spreadsheets import importing
    from reoffkit.web.tracker import actions
    from reoffkit.web.tracker.models import Role

    today = dt.date.today()
    frames = generate(["Westvale"], first_quarter="2023Q1", quarters=4, children_per_quarter=12, as_at=today, seed=5)
    case = read_case_file(write_case_file(frames, tmp_path / "case"))
    from audit_triggers import lift_append_only

    try:
        monkeypatch.setattr(importing, "GAP_SQLITE", 0.0)
        monkeypatch.setattr(actions, "INSERT_ROWS", 10)
        for name, limit in (("Westvale", 1e-9), ("Eastvale", 3600.0)):
            service = actions.create_service(by="setup", name=name)
            officer = actions.create_staff_user(by="setup", username=f"percy-{name}", password="correct-horse-battery-staple", role=Role.PERFORMANCE, services=[service])
            plan = importing.plan_import(service, case)
            total = len(plan.changes)
            assert total > 2 * 50
            monkeypatch.setattr(importing, "BATCH_SECONDS", limit)
            seen: list[int] = []
            importing.commit_import(plan, by=officer, progress=lambda done, total: seen.append(done), batch=50)
            steps = [after - before for before, after in zip([0, *seen], seen)]
            if limit < 1:
                assert seen[-1] == total and all(1 <= step <= 10 for step in steps), steps  # a new child can bring its district: 10 changes at most
            else:
                assert seen == [*range(50, total, 50), total]
            assert importing.plan_import(service, case).changes == []  # all made, none twice
    finally:
        lift_append_only()  # the test database is emptied after a transactional test
