"""Run by test_import_keeps_the_service_working.py in a process of its own (the tests' database is
in memory; this needs the service's real SQLite file in WAL mode, as deployed).

    import_alongside.py DATA_DIR CHILDREN_A_QUARTER BUSY_TIMEOUT_S BATCH

sets up a service, writes a synthetic case file, then starts itself again as the importer
(``--import``) — a process of its own, as the worker or ``reoffkit import`` is — committing the
import in transactions of BATCH changes (``all``: the whole import as one transaction, as imports
were first made). Meanwhile this process signs in, opens a child's record and records an
assessment, again and again, until the importer ends. Nothing is timed: for each round it notes
whether it failed, and how many of the import's changes were committed when it finished (the
import's audit events, one a change). Prints what it saw as JSON."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

IMPORTER = sys.argv[1] == "--import"
ARGS = sys.argv[2:] if IMPORTER else sys.argv[1:]
os.environ.update(REOFFKIT_ENV="test", REOFFKIT_DATA_DIR=ARGS[0], REOFFKIT_SQLITE_TIMEOUT_SECONDS=ARGS[2])
os.environ.pop("DATABASE_URL", None)
os.environ["DJANGO_SETTINGS_MODULE"] = "reoffkit.web.settings"

from reoffkit.web.server import setup_django  # noqa: E402

setup_django()
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from reoffkit.casefile import read_case_file, write_case_file  # noqa: E402
from reoffkit.synthetic import generate  # noqa: E402
from reoffkit.web.jobs.imports import import_running  # noqa: E402
from reoffkit.web.spreadsheets.importing import commit_import, plan_import  # noqa: E402
from reoffkit.web.tracker import actions  # noqa: E402
from reoffkit.web.tracker.models import AuditEvent, Role, Service, YoungPerson  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402

PASSWORD = "correct-horse-battery-staple"
CASE = Path(ARGS[0]) / "case"


def importer() -> None:
    """The import, in this process: says ``total N`` once planned, ``started`` once its first
    change is written (so it holds the write lock), ``finished`` when committed."""
    service = Service.objects.get(name="Westvale")
    officer = get_user_model().objects.get(username="percy")
    plan = plan_import(service, read_case_file(CASE))
    assert plan.ok and plan.changes
    print(f"total {len(plan.changes)}", flush=True)
    first = plan.changes[0]
    original = first.apply

    def apply_then_say(by):  # after the first change's records are written, inside the first batch
        if original is not None:
            original(by)
        print("started", flush=True)

    first.apply = apply_then_say
    batch = len(plan.changes) if ARGS[3] == "all" else int(ARGS[3])
    began = time.perf_counter()
    commit_import(plan, by=officer, batch=batch)
    print(f"finished {time.perf_counter() - began:.2f}", flush=True)


def alongside() -> None:
    call_command("migrate", interactive=False, verbosity=0)
    today = dt.date.today()
    service = actions.create_service(by="setup", name="Westvale")
    officer = actions.create_staff_user(by="setup", username="percy", password=PASSWORD, role=Role.PERFORMANCE, services=[service])
    pat = actions.create_staff_user(by="setup", username="pat", password=PASSWORD, role=Role.PRACTITIONER, services=[service])
    child, _ = actions.add_cohort_member(
        by=pat, service=service,
        new_person=dict(local_id="Z001", first_name="Zed", last_name="Testchild", date_of_birth=today - dt.timedelta(days=15 * 365), sex="male", ethnicity="White", looked_after=False, yot_caseload=True),
        index_outcome=dict(outcome_type="referral_order", offence_date=today - dt.timedelta(days=80), outcome_date=today - dt.timedelta(days=60), gravity=3),
    )
    frames = generate(["Westvale"], first_quarter="2023Q1", quarters=4, children_per_quarter=int(ARGS[1]), as_at=today, seed=5)
    write_case_file(frames, CASE)
    connection.close()

    process = subprocess.Popen([sys.executable, __file__, "--import", *ARGS], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    said: dict[str, object] = {"total": 0}
    started, ended = threading.Event(), threading.Event()

    def listen() -> None:
        for line in process.stdout:
            if line.startswith("total "):
                said["total"] = int(line.split()[1])
            elif line.strip() == "started":
                started.set()
            elif line.startswith("finished "):
                said["seconds"] = float(line.split()[1])  # for whoever reads the output; nothing is timed
        ended.set()
        started.set()

    threading.Thread(target=listen, daemon=True).start()
    started.wait()

    def committed() -> int:  # the import's changes committed so far: its audit events, one a change
        return AuditEvent.objects.filter(user=officer, verb__in=["create", "update", "delete"]).count()

    rounds: list[dict] = []
    seen = {"changes": said["total"], "statuses": [], "banner": False, "errors": []}
    record = reverse("person", args=[service.pk, child.pk])
    while not ended.is_set() and process.poll() is None:
        outcome: dict[str, object] = {"ok": False}
        try:
            client = Client()
            signed_in = client.post(reverse("login"), {"username": "pat", "password": PASSWORD})
            page = client.get(record)
            actions.add_assessment(by=pat, person=child, assessment_date=today, tool="assetplus", likelihood_band="low", intervention_level="standard")
            seen["statuses"] += [signed_in.status_code, page.status_code]
            outcome["ok"] = True
            seen["banner"] = seen["banner"] or "An import into this service is running" in page.content.decode()
        except Exception as error:  # "database is locked" and the like: what this counts
            seen["errors"].append(f"{type(error).__name__}: {error}")
        outcome["committed"] = committed()
        rounds.append(outcome)
    _, errors = process.communicate()
    ended.wait()
    seen["changes"] = said["total"]
    seen["import_seconds"] = said.get("seconds")
    seen["import"] = [] if process.returncode == 0 else [errors[-2000:]]
    seen["import_audited"] = committed()
    seen["running_after"] = import_running(service) is not None
    seen["rounds"] = len(rounds)
    # a round that worked and finished while part of the import was still to be committed
    seen["during"] = sum(1 for r in rounds if r["ok"] and r["committed"] < seen["import_audited"])
    seen["progress_when_done"] = [r["committed"] for r in rounds if r["ok"]]
    seen["children"] = YoungPerson.objects.filter(service=service).count()
    print(json.dumps(seen))


if __name__ == "__main__":
    importer() if IMPORTER else alongside()
