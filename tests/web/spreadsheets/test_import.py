"""Importing a case file into a service: the plan, all-or-nothing commits, re-imports that change
nothing, corrections in place, matching by PNC ID, zips, the command line — and the round trip."""

from __future__ import annotations

import zipfile

import polars as pl
import pytest
from django.db.models import Count
from web_helpers import TODAY

from reoffkit.casefile import read_case_file, write_case_file
from reoffkit.cli import main
from reoffkit.engine import CountingRules, Period, entry_table, measures
from reoffkit.synthetic import generate
from reoffkit.web.spreadsheets.importing import commit_import, plan_import
from reoffkit.web.spreadsheets.uploads import read_upload
from reoffkit.web.tracker import actions, queries
from reoffkit.web.tracker.models import (
    AuditEvent,
    Outcome,
    ResettlementRecord,
    Role,
    YoungPerson,
)


@pytest.fixture
def case_folder(tmp_path):
    frames = generate(["Westvale"], first_quarter="2023Q1", quarters=8, children_per_quarter=12, as_at=TODAY, seed=4)
    return write_case_file(frames, tmp_path / "case")


@pytest.fixture
def westvale(world):
    service = actions.create_service(by=world.users["ada"], name="Westvale")
    actions.update_staff_user(by=world.users["ada"], user=world.users["percy"], role=Role.PERFORMANCE, services=[world.northmoor, service])
    return service


def db_measures(service, period):
    frames = queries.service_frames([service])
    entries = entry_table(frames.people, frames.outcomes, frames.assessments, period=period, rules=CountingRules(), as_at=TODAY)
    return measures(entries, period=period, as_at=TODAY)


def test_an_import_gives_the_same_records_and_measures_and_a_second_changes_nothing(world, westvale, case_folder):
    case_file = read_case_file(case_folder)
    plan = plan_import(westvale, case_file)
    counts = plan.counts()
    assert counts["new child"] == case_file.people.height and counts["new outcome"] == case_file.outcomes.height
    assert counts["new assessment"] == case_file.assessments.height and counts["new review action"] == case_file.actions.height
    assert counts.get("resettlement record", 0) == case_file.resettlement.height
    assert YoungPerson.objects.filter(service=westvale).count() == 0  # planning writes nothing
    commit_import(plan, by=world.users["percy"])
    assert YoungPerson.objects.filter(service=westvale).count() == case_file.people.height
    assert ResettlementRecord.objects.filter(outcome__person__service=westvale).count() == case_file.resettlement.height
    for period in (Period.parse("2023Q3", 4), Period.parse("2024Q2")):
        from_file = measures(
            entry_table(case_file.people, case_file.outcomes, case_file.assessments, period=period, rules=CountingRules(), as_at=TODAY),
            period=period, as_at=TODAY,
        )
        assert db_measures(westvale, period) == from_file
    event = AuditEvent.objects.filter(verb="import", object_type="case file").latest("id")
    assert event.username == "percy" and event.changes["new child"] == case_file.people.height
    again = plan_import(westvale, read_case_file(case_folder))
    assert again.changes == [] and again.unchanged["outcomes"] == case_file.outcomes.height


def test_a_corrected_file_updates_in_place(world, westvale, case_folder, tmp_path):
    commit_import(plan_import(westvale, read_case_file(case_folder)), by=world.users["percy"])
    people = pl.read_csv(case_folder / "people.csv", infer_schema=False)
    outcomes = pl.read_csv(case_folder / "outcomes.csv", infer_schema=False)
    first = people["person_id"][0]
    people = people.with_columns(sex=pl.when(pl.col("person_id") == first).then(pl.lit("female")).otherwise(pl.col("sex")))
    target = outcomes.filter(pl.col("person_id") == first).row(0, named=True)
    outcomes = outcomes.with_columns(gravity=pl.when(pl.col("outcome_id") == target["outcome_id"]).then(pl.lit("8")).otherwise(pl.col("gravity")))
    corrected = tmp_path / "corrected"
    corrected.mkdir()
    for name in ("assessments", "actions", "resettlement"):
        (corrected / f"{name}.csv").write_bytes((case_folder / f"{name}.csv").read_bytes())
    people.write_csv(corrected / "people.csv")
    outcomes.write_csv(corrected / "outcomes.csv")
    plan = plan_import(westvale, read_case_file(corrected))
    assert [(c.kind, c.person_id) for c in plan.changes] == [("changed child", first), ("changed outcome", first)]
    assert "sex: male → female" in plan.changes[0].detail or "sex: not known → female" in plan.changes[0].detail
    commit_import(plan, by=world.users["percy"])
    child = YoungPerson.objects.get(service=westvale, local_id=first)
    assert child.sex == "female" and child.outcomes.filter(gravity=8).count() >= 1
    assert AuditEvent.objects.filter(object_type="outcome", verb="update").latest("id").changes["gravity"][1] == 8


def test_a_child_is_matched_by_pnc_id_when_the_local_id_changed(world):
    ned = world.ned
    actions.update_young_person(by=world.users["pat"], person=ned, pnc_id="12/345678A")
    frames = {
        "people": pl.DataFrame({"person_id": ["NEW-ID"], "pnc_id": ["12/345678A"], "date_of_birth": [ned.date_of_birth], "sex": [ned.sex],
                                "ethnicity": [ned.ethnicity], "looked_after": [False], "district": ["Riverside"], "yot_caseload": [True]}),
        "outcomes": pl.DataFrame(schema={"person_id": pl.String}),
    }
    case = _case(frames)
    plan = plan_import(world.northmoor, case)
    assert [(c.kind, c.person_id) for c in plan.changes] == [("changed child", "NEW-ID")]
    assert "local id: N001 → NEW-ID" in plan.changes[0].detail


def _case(frames):
    from reoffkit.casefile.reader import CaseFile
    from reoffkit.engine.schema import conform

    full = {name: conform(frames.get(name, pl.DataFrame()), name) for name in ("people", "outcomes", "assessments", "actions", "resettlement")}
    return CaseFile(**full, problems=(), source="test")


def test_a_file_with_errors_imports_nothing(world, westvale, tmp_path, case_folder):
    broken = tmp_path / "broken"
    broken.mkdir()
    for path in case_folder.iterdir():
        (broken / path.name).write_bytes(path.read_bytes())
    outcomes = pl.read_csv(broken / "outcomes.csv", infer_schema=False)
    outcomes.with_columns(outcome_date=pl.when(pl.int_range(pl.len()) == 2).then(pl.lit("31/02/2017")).otherwise(pl.col("outcome_date"))).write_csv(
        broken / "outcomes.csv"
    )
    plan = plan_import(westvale, read_case_file(broken))
    assert not plan.ok and plan.changes == []
    assert any(p.sheet == "outcomes" and p.row == 4 and p.column == "outcome_date" for p in plan.problems)
    with pytest.raises(ValueError):
        commit_import(plan, by=world.users["percy"])
    assert YoungPerson.objects.filter(service=westvale).count() == 0


def test_a_failure_midway_leaves_nothing_half_imported(world, westvale, case_folder, monkeypatch):
    """An import of one batch or less is one transaction: all or nothing."""
    plan = plan_import(westvale, read_case_file(case_folder))
    calls = []
    original = actions.insert_records

    def failing(*args, **kwargs):
        calls.append(1)
        if len(calls) == 5:
            raise RuntimeError("the database went away")
        return original(*args, **kwargs)

    monkeypatch.setattr(actions, "insert_records", failing)
    with pytest.raises(RuntimeError):
        commit_import(plan, by=world.users["percy"], batch=len(plan.changes))
    assert len(calls) == 5
    assert YoungPerson.objects.filter(service=westvale).count() == 0 and Outcome.objects.filter(person__service=westvale).count() == 0


def test_a_record_the_database_would_refuse_stops_the_import_before_anything_is_written(world, westvale, case_folder, monkeypatch):
    """Every record is validated before the first write; one that fails stops the import with the
    same message as any other stop (the command line and the job page say it), and nothing is made."""
    from django.core.exceptions import ValidationError

    from reoffkit.web.spreadsheets.importing import ImportStopped

    plan = plan_import(westvale, read_case_file(case_folder))
    calls = []
    original = actions.new_outcome

    def refusing(**values):
        calls.append(1)
        if len(calls) == 7:
            raise ValidationError({"offence_date": "a date the records refuse"})
        return original(**values)

    monkeypatch.setattr(actions, "new_outcome", refusing)
    with pytest.raises(ImportStopped) as stopped:
        commit_import(plan, by=world.users["percy"], batch=10)
    assert (stopped.value.done, stopped.value.total) == (0, len(plan.changes))
    assert isinstance(stopped.value.cause, ValidationError)
    assert YoungPerson.objects.filter(service=westvale).count() == 0 and Outcome.objects.filter(person__service=westvale).count() == 0


def test_a_large_import_that_fails_keeps_whole_batches_says_so_and_the_same_file_again_makes_the_rest(world, westvale, case_folder, monkeypatch):
    """A large import is written in batches (so the service goes on working): a failure keeps the
    batches made, is audited with how far it got, and importing the same file again completes it."""
    from reoffkit.web.jobs.models import Job
    from reoffkit.web.spreadsheets.importing import ImportStopped

    case = read_case_file(case_folder)
    plan = plan_import(westvale, case)
    total = len(plan.changes)
    calls = []
    original = actions.insert_records

    def failing(*args, **kwargs):
        calls.append(1)
        if len(calls) == 5:
            raise RuntimeError("the database went away")
        return original(*args, **kwargs)

    monkeypatch.setattr(actions, "insert_records", failing)
    with pytest.raises(ImportStopped) as stopped:
        commit_import(plan, by=world.users["percy"], batch=50)
    done = stopped.value.done
    assert 0 < done < total and done % 50 == 0  # whole batches only
    event = AuditEvent.objects.filter(verb=AuditEvent.Verb.IMPORT).latest("id")
    assert f"stopped after {done:,} of {total:,} changes (RuntimeError)" in event.summary and event.changes["stopped_after"] == done
    assert Job.objects.get(kind="import", service=westvale).state == Job.State.FAILED  # the banner goes
    monkeypatch.undo()
    rest = plan_import(westvale, case)
    assert len(rest.changes) == total - done
    commit_import(rest, by=world.users["percy"], batch=50)
    assert plan_import(westvale, case).changes == []
    fresh = actions.create_service(by=world.users["ada"], name="Fresh")
    commit_import(plan_import(fresh, case), by=world.users["percy"])
    for period in (Period.parse("2023Q3", 4), Period.parse("2024Q2")):
        assert db_measures(westvale, period) == db_measures(fresh, period)


def _failing_audit(monkeypatch, at: int) -> list:
    """Make the ``at``-th bulk audit of the import fail, as a database that goes away would."""
    calls = []
    original = actions.audit_many

    def failing(**kwargs):
        calls.append(1)
        if len(calls) == at:
            raise RuntimeError("the audit log could not be written")
        return original(**kwargs)

    monkeypatch.setattr(actions, "audit_many", failing)
    return calls


def _created_and_audited(service) -> tuple[dict, dict]:
    """The service's records by type (pks), and the pks the audit log says were created."""
    from reoffkit.web.tracker.models import Assessment, ReviewAction

    records = {
        "young_person": set(YoungPerson.objects.filter(service=service).values_list("pk", flat=True)),
        "outcome": set(Outcome.objects.filter(person__service=service).values_list("pk", flat=True)),
        "assessment": set(Assessment.objects.filter(person__service=service).values_list("pk", flat=True)),
        "review_action": set(ReviewAction.objects.filter(person__service=service).values_list("pk", flat=True)),
    }
    audited: dict[str, list] = {kind: [] for kind in records}
    for kind, ids in AuditEvent.objects.filter(service=service, verb="create", object_type__in=list(records)).values_list("object_type", "object_ids"):
        audited[kind].extend(int(i) for i in ids)
    return records, audited


def test_auditing_that_fails_part_way_leaves_nothing_of_a_small_import(world, westvale, case_folder, monkeypatch):
    plan = plan_import(westvale, read_case_file(case_folder))
    events = AuditEvent.objects.count()
    calls = _failing_audit(monkeypatch, at=1)
    with pytest.raises(RuntimeError, match="audit log"):
        commit_import(plan, by=world.users["percy"], batch=len(plan.changes))
    assert calls  # the records were written, then their audit failed: all of it went
    records, _ = _created_and_audited(westvale)
    assert records == {kind: set() for kind in records} and AuditEvent.objects.count() == events


def test_auditing_that_fails_part_way_through_a_large_import_keeps_only_whole_audited_batches(world, westvale, case_folder, monkeypatch):
    from reoffkit.web.spreadsheets.importing import ImportStopped
    from reoffkit.web.tracker import auditchain

    plan = plan_import(westvale, read_case_file(case_folder))
    _failing_audit(monkeypatch, at=3)
    with pytest.raises(ImportStopped) as stopped:
        commit_import(plan, by=world.users["percy"], batch=50)
    assert stopped.value.done == 100  # two batches of 50, each with its audit events
    records, audited = _created_and_audited(westvale)
    assert sum(len(pks) for pks in records.values()) == 100
    for kind, pks in records.items():
        assert sorted(audited[kind]) == sorted(pks), kind  # every record kept has its one audit event, and no other
    assert auditchain.verify().ok


def test_a_large_import_links_every_record_to_its_child_and_audits_each_once_on_an_unbroken_chain(world, westvale, case_folder):
    from reoffkit.web.tracker import auditchain

    case = read_case_file(case_folder)
    commit_import(plan_import(westvale, case), by=world.users["percy"], batch=50)
    records, audited = _created_and_audited(westvale)
    for kind, pks in records.items():
        assert sorted(audited[kind]) == sorted(pks), kind
    per_child = dict(Outcome.objects.filter(person__service=westvale).values_list("person__local_id").annotate(n=Count("id")))
    expected = dict(case.outcomes.group_by("person_id").len().iter_rows())
    assert per_child == expected
    assert ResettlementRecord.objects.filter(outcome__person__service=westvale).count() == case.resettlement.height
    result = auditchain.verify()
    assert result.ok, result.findings[:3]


def test_a_zip_of_the_csv_files_reads_like_the_folder_and_hostile_zips_are_refused(case_folder, tmp_path):
    archive = tmp_path / "case.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for path in case_folder.iterdir():
            zipped.write(path, f"../../evil/{path.name}")  # a path in the archive is never followed
    read = read_upload(archive)
    assert read.ok and read.people.equals(read_case_file(case_folder).people)
    assert not (tmp_path.parent / "evil").exists()
    empty = tmp_path / "empty.zip"
    with zipfile.ZipFile(empty, "w") as zipped:
        zipped.writestr("notes.txt", "hello")
    assert "a .zip holding people.csv" in str(read_upload(empty).problems[0])
    garbage = tmp_path / "garbage.zip"
    garbage.write_bytes(b"not a zip")
    assert "damaged or is not a zip" in str(read_upload(garbage).problems[0])


def test_the_command_line_import(world, westvale, case_folder, capsys):
    assert main(["import", str(case_folder), "--service", "Westvale", "--by", "pat"]) == 2
    assert "'pat' is not an active performance officer of Westvale" in capsys.readouterr().err
    assert main(["import", str(case_folder), "--service", "Nowhere", "--by", "percy"]) == 2
    assert main(["import", str(case_folder), "--service", "Westvale", "--by", "percy", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "Dry run: nothing was changed." in out and "new child" in out
    assert YoungPerson.objects.filter(service=westvale).count() == 0
    assert main(["import", str(case_folder), "--service", "Westvale", "--by", "percy"]) == 0
    out = capsys.readouterr().out
    assert "changes made" in out and "audited" in out
    assert YoungPerson.objects.filter(service=westvale).count() > 0


# The import pages ------------------------------------------------------------------------------

import html  # noqa: E402

from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.urls import reverse  # noqa: E402


def text(response) -> str:
    return html.unescape(response.content.decode())


def test_a_performance_officer_uploads_previews_and_imports(world, westvale, case_folder, tmp_path, settings):
    settings.DATA_DIR = tmp_path / "data"
    workbook = write_case_file(read_case_file(case_folder).frames(), tmp_path / "westvale.xlsx")
    client = world.client("percy")
    url = reverse("import", args=[westvale.pk])
    preview = client.post(url, {"case_file": SimpleUploadedFile("westvale.xlsx", workbook.read_bytes())})
    page = text(preview)
    people = read_case_file(case_folder).people.height
    assert preview.status_code == 200 and f"{people} new children" in page
    assert YoungPerson.objects.filter(service=westvale).count() == 0
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    stored = sorted((tmp_path / "data" / "uploads").iterdir())
    # the upload and the preview's summary (it names children), both owner-only, both gone once imported
    assert [p.name for p in stored] == [f"import-{westvale.pk}-{token}.xlsx", f"preview-{westvale.pk}-{token}.json"]
    assert {oct(p.stat().st_mode & 0o777) for p in stored} == {"0o600"}
    fingerprint = re.search(r'name="fingerprint" value="([^"]+)"', page).group(1)
    done = client.post(reverse("import-commit", args=[westvale.pk]), {"token": token, "original": "westvale.xlsx", "fingerprint": fingerprint}, follow=True)
    assert "Imported westvale.xlsx" in text(done) and YoungPerson.objects.filter(service=westvale).count() == people
    assert list((tmp_path / "data" / "uploads").iterdir()) == []  # the upload is gone once imported
    # a second click (or the back button) follows the finished import: nothing is made twice
    again = client.post(reverse("import-commit", args=[westvale.pk]), {"token": token}, follow=True)
    assert again.redirect_chain[-1][0] == reverse("cohort", args=[westvale.pk]) and YoungPerson.objects.filter(service=westvale).count() == people
    gone = client.post(reverse("import-commit", args=[westvale.pk]), {"token": "x" * 32}, follow=True)
    assert "no longer here" in text(gone)
    second = text(client.post(url, {"case_file": SimpleUploadedFile("westvale.xlsx", workbook.read_bytes())}))
    assert "importing it would change nothing" in second and 'name="token"' not in second


def test_bad_uploads_are_refused_with_every_problem_and_nothing_saved(world, westvale, tmp_path, settings):
    settings.DATA_DIR = tmp_path / "data"
    client = world.client("percy")
    url = reverse("import", args=[westvale.pk])
    wrong = client.post(url, {"case_file": SimpleUploadedFile("cohort.xls", b"\xd0\xcf\x11\xe0")})
    assert wrong.status_code == 400 and "is not an .xlsx workbook or a .zip of CSV files" in text(wrong)
    assert "Choose a case file" in text(client.post(url, {}))
    fake = client.post(url, {"case_file": SimpleUploadedFile("cohort.xlsx", b"this is not a workbook")})
    assert fake.status_code == 400 and "The file cannot be imported" in text(fake)
    assert "<td class=\"govuk-table__cell\">cohort.xlsx</td>" in text(fake)  # named as uploaded, not as stored
    only_people = tmp_path / "only-people.zip"
    with zipfile.ZipFile(only_people, "w") as zipped:
        zipped.writestr("people.csv", "person_id,date_of_birth\nP1,2008-03-01\n")
    missing = text(client.post(url, {"case_file": SimpleUploadedFile("Westvale cohort.zip", only_people.read_bytes())}))
    assert "a file named outcomes.csv in Westvale cohort.zip (it holds: people.csv)" in missing
    assert YoungPerson.objects.filter(service=westvale).count() == 0


def test_the_blank_template_reads_as_a_case_file_with_headings_only(world, westvale, tmp_path, settings):
    settings.DATA_DIR = tmp_path / "data"
    response = world.client("percy").get(reverse("import-template", args=[westvale.pk]))
    path = tmp_path / "template.xlsx"
    path.write_bytes(response.content)
    template = read_case_file(path)
    assert template.ok and template.people.is_empty()
    assert all(p.severity == "warning" for p in template.problems)


import re  # noqa: E402


def test_round_trip_export_then_import_into_an_empty_service_gives_the_same_records_and_measures(world, westvale, case_folder, tmp_path, settings):
    settings.DATA_DIR = tmp_path / "data"
    commit_import(plan_import(westvale, read_case_file(case_folder)), by=world.users["percy"])
    client = world.client("percy")
    assert client.post(reverse("export-case-file", args=[westvale.pk]), {"purpose": ""}).status_code == 302  # a purpose is required
    response = client.post(reverse("export-case-file", args=[westvale.pk]), {"purpose": "moving to the new installation"})
    assert response.status_code == 200 and response["Cache-Control"] == "no-store, private"
    event = AuditEvent.objects.filter(verb="export", object_type="case file").latest("id")
    assert event.purpose == "moving to the new installation" and event.username == "percy"
    exported = tmp_path / "exported.xlsx"
    exported.write_bytes(response.content)
    copy = actions.create_service(by=world.users["ada"], name="Westvale copy")
    case = read_case_file(exported)
    assert case.ok, [str(p) for p in case.problems if p.severity == "error"]
    commit_import(plan_import(copy, case), by=world.users["percy"])

    def records(service):
        people = {
            p.local_id: (p.first_name, p.last_name, p.date_of_birth, p.sex, p.ethnicity, p.looked_after, p.district.name if p.district else None, p.yot_caseload)
            for p in YoungPerson.objects.filter(service=service).select_related("district")
        }
        outcomes = sorted(
            (o.person.local_id, o.offence_date, o.outcome_date, o.outcome_type, o.release_date, o.gravity, o.breach, o.offence_type)
            for o in Outcome.objects.filter(person__service=service).select_related("person")
        )
        return people, outcomes

    assert records(copy) == records(westvale)
    for period in (Period.parse("2023Q3", 4), Period.parse("2024Q2")):
        assert db_measures(copy, period) == db_measures(westvale, period)


def test_only_performance_officers_export_the_case_file(world):
    url = reverse("export-case-file", args=[world.northmoor.pk])
    for persona in ("pat", "mandy", "bea", "ada"):
        assert world.client(persona).post(url, {"purpose": "because I can"}).status_code == 403, persona
    assert world.client("olly").post(url, {"purpose": "because I can"}).status_code == 403
    assert world.client("percy").get(url).status_code == 405


def test_a_case_file_saved_by_libreoffice_imports_cleanly(world, westvale, case_folder, tmp_path):
    from office import soffice

    original = write_case_file(read_case_file(case_folder).frames(), tmp_path / "westvale.xlsx")
    resaved = tmp_path / "resaved" / "westvale.xlsx"
    resaved.parent.mkdir()
    resaved.write_bytes(soffice(tmp_path, original, "xlsx:Calc MS Excel 2007 XML"))
    case = read_case_file(resaved)
    assert case.ok and not [p for p in case.problems if p.severity == "error"]
    for name, frame in read_case_file(original).frames().items():
        assert getattr(case, name).equals(frame), name
    plan = plan_import(westvale, case)
    assert plan.counts()["new child"] == case.people.height


def test_the_import_is_a_job_whose_page_any_web_process_can_follow(world, westvale, case_folder, tmp_path, settings):
    """The import is a job (state and progress in the database, not in the web process): queued, it
    says so and refreshes; finished, it goes on to the cohort with what was made."""
    from django_tasks.backends.dummy import DummyBackend  # noqa: F401 — the queue holds the task, as in a deployment

    from reoffkit.web.jobs.models import Job
    from reoffkit.web.jobs.runner import execute

    settings.DATA_DIR = tmp_path / "data"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": ["default"]}}
    workbook = write_case_file(read_case_file(case_folder).frames(), tmp_path / "westvale.xlsx")
    client = world.client("percy")
    checking = client.post(reverse("import", args=[westvale.pk]), {"case_file": SimpleUploadedFile("westvale.xlsx", workbook.read_bytes())})
    execute(str(Job.objects.get(kind="preview_case_file").pk))  # the preview is a job too
    preview = client.get(checking["Location"])
    form = {"token": preview.context["token"], "original": "westvale.xlsx", "fingerprint": preview.context["fingerprint"]}
    queued = client.post(reverse("import-commit", args=[westvale.pk]), form)
    job = Job.objects.get(kind="import_case_file")
    assert queued["Location"] == reverse("job", args=[job.pk]) and job.state == Job.State.QUEUED
    waiting = text(client.get(queued["Location"]))
    assert '<meta http-equiv="refresh" content="2">' in waiting and "Waiting for a worker" in waiting
    # a second click follows the same job
    assert client.post(reverse("import-commit", args=[westvale.pk]), form)["Location"] == queued["Location"]
    assert YoungPerson.objects.filter(service=westvale).count() == 0
    execute(str(job.pk))
    done = client.get(queued["Location"], follow=True)
    assert done.redirect_chain[-1][0] == reverse("cohort", args=[westvale.pk]) and "Imported westvale.xlsx" in text(done)
    assert YoungPerson.objects.filter(service=westvale).count() == read_case_file(case_folder).people.height
    # nobody else's job: another service's staff cannot open it
    assert world.client("olly").get(queued["Location"]).status_code == 404


def test_an_import_whose_records_changed_since_the_preview_fails_and_links_a_fresh_preview(world, westvale, case_folder, tmp_path, settings):
    """The commit plans nothing: the import job re-plans, and a plan that is not the one previewed
    fails the job, imports nothing, deletes the upload and links a fresh preview."""
    from reoffkit.web.jobs.models import Job

    settings.DATA_DIR = tmp_path / "data"
    frames = read_case_file(case_folder).frames()
    workbook = write_case_file(frames, tmp_path / "westvale.xlsx")
    client = world.client("percy")
    preview = client.post(reverse("import", args=[westvale.pk]), {"case_file": SimpleUploadedFile("westvale.xlsx", workbook.read_bytes())})
    # meanwhile someone records one of the file's children by hand: the file would now make one child fewer
    first = frames["people"].row(0, named=True)
    actions.create_young_person(
        by=world.users["percy"], service=westvale, local_id=first["person_id"], first_name="Hand", last_name="Made",
        date_of_birth=first["date_of_birth"], sex=first["sex"], ethnicity=first["ethnicity"],
    )
    form = {"token": preview.context["token"], "original": "westvale.xlsx", "fingerprint": preview.context["fingerprint"]}
    failed = client.post(reverse("import-commit", args=[westvale.pk]), form, follow=True)
    page = text(failed)
    assert Job.objects.get(kind="import_case_file").state == Job.State.FAILED
    assert "The records changed after you checked the file, so it was not imported" in page
    assert f'href="{reverse("import", args=[westvale.pk])}"' in page and "fresh preview" in page
    assert YoungPerson.objects.filter(service=westvale).count() == 1  # nothing imported
    assert list((tmp_path / "data" / "uploads").iterdir()) == []  # the upload and its preview went with the job
    fresh = client.post(reverse("import", args=[westvale.pk]), {"case_file": SimpleUploadedFile("westvale.xlsx", workbook.read_bytes())})
    assert fresh.context["fingerprint"] != form["fingerprint"] and f"{frames['people'].height - 1} new children" in text(fresh)
    done = client.post(reverse("import-commit", args=[westvale.pk]), {**form, "token": fresh.context["token"], "fingerprint": fresh.context["fingerprint"]}, follow=True)
    assert "Imported westvale.xlsx" in text(done) and YoungPerson.objects.filter(service=westvale).count() == frames["people"].height