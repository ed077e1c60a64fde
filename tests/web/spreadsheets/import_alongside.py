"""Run by test_import_keeps_the_service_working.py in a process of its own (the tests' database is
in memory; this needs the service's real SQLite file in WAL mode, as deployed): a large import
runs in one thread while the main thread signs in, opens a child's record and records an
assessment, again and again, until it ends. Prints what it saw as JSON."""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import threading

os.environ.update(REOFFKIT_ENV="test", REOFFKIT_DATA_DIR=sys.argv[1], REOFFKIT_SQLITE_TIMEOUT_SECONDS=sys.argv[3])
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
from reoffkit.web.tracker.models import Role  # noqa: E402

PASSWORD = "correct-horse-battery-staple"
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
frames = generate(["Westvale"], first_quarter="2023Q1", quarters=4, children_per_quarter=int(sys.argv[2]), as_at=today, seed=5)
plan = plan_import(service, read_case_file(write_case_file(frames, __import__("pathlib").Path(sys.argv[1]) / "case")))
assert plan.ok

first_round = threading.Event()
batch_done = threading.Event()
finished = threading.Event()
failure: list[str] = []


def run_import() -> None:
    def progress(done: int, total: int) -> None:
        batch_done.set()  # the main thread works once a batch, while the next one is written
        first_round.wait()  # the main thread has worked once while this import was running

    try:
        commit_import(plan, by=officer, progress=progress)
    except BaseException as error:  # reported, not raised: the main thread prints it
        failure.append(f"{type(error).__name__}: {error}")
    finally:
        connection.close()
        finished.set()


thread = threading.Thread(target=run_import)
thread.start()
seen = {"changes": len(plan.changes), "during": 0, "statuses": [], "banner": False, "errors": []}
record = reverse("person", args=[service.pk, child.pk])
while not finished.is_set():
    batch_done.wait(1)
    batch_done.clear()
    running = import_running(service) is not None
    try:
        client = Client()
        signed_in = client.post(reverse("login"), {"username": "pat", "password": PASSWORD})
        page = client.get(record)
        actions.add_assessment(by=pat, person=child, assessment_date=today, tool="assetplus", likelihood_band="low", intervention_level="standard")
        still = import_running(service) is not None
        seen["statuses"] += [signed_in.status_code, page.status_code]
        if running and still:
            seen["during"] += 1
            seen["banner"] = seen["banner"] or "An import into this service is running" in page.content.decode()
    except Exception as error:  # "database is locked" and the like: what this checks
        seen["errors"].append(f"{type(error).__name__}: {error}")
    if running:
        first_round.set()  # worked (or failed) once while the import ran: let it go on
first_round.set()
thread.join()
seen["import"] = failure
print(json.dumps(seen))
