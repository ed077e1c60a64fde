"""A full re-import: records the service holds that the file lacks are listed in the preview and,
on commit, removed through the audited actions; a partial import never removes anything."""

from __future__ import annotations

import html

import polars as pl
import pytest
from web_helpers import TODAY

from reoffkit.casefile import read_case_file, write_case_file
from reoffkit.cli import main
from reoffkit.synthetic import generate
from reoffkit.web.spreadsheets.importing import commit_import, plan_import
from reoffkit.web.tracker import actions
from reoffkit.web.tracker.models import Assessment, AuditEvent, Outcome, Role


@pytest.fixture
def loaded(world, tmp_path):
    service = actions.create_service(by=world.users["ada"], name="Westvale")
    actions.update_staff_user(by=world.users["ada"], user=world.users["percy"], role=Role.PERFORMANCE, services=[world.northmoor, service])
    frames = generate(["Westvale"], first_quarter="2023Q1", quarters=4, children_per_quarter=8, as_at=TODAY, seed=7)
    folder = write_case_file(frames, tmp_path / "case")
    commit_import(plan_import(service, read_case_file(folder)), by=world.users["percy"])
    return service, folder


def without_first_outcome_and_assessment(folder, tmp_path):
    outcomes = pl.read_csv(folder / "outcomes.csv", infer_schema=False)
    assessments = pl.read_csv(folder / "assessments.csv", infer_schema=False)
    gone = outcomes.row(0, named=True)
    smaller = tmp_path / "smaller"
    smaller.mkdir()
    for path in folder.iterdir():
        (smaller / path.name).write_bytes(path.read_bytes())
    outcomes.slice(1).write_csv(smaller / "outcomes.csv")
    assessments.slice(1).write_csv(smaller / "assessments.csv")
    return smaller, gone, assessments.row(0, named=True)


def test_a_full_reimport_lists_then_removes_what_the_file_lacks(world, loaded, tmp_path):
    service, folder = loaded
    smaller, gone, gone_assessment = without_first_outcome_and_assessment(folder, tmp_path)
    outcomes_before = Outcome.objects.filter(person__service=service).count()
    assessments_before = Assessment.objects.filter(person__service=service).count()

    partial = plan_import(service, read_case_file(smaller))
    assert not [c for c in partial.changes if c.kind.startswith("removed")]

    plan = plan_import(service, read_case_file(smaller), full=True)
    removed = [c for c in plan.changes if c.kind.startswith("removed")]
    assert [c.kind for c in removed] == ["removed outcome", "removed assessment"]
    assert removed[0].person_id == gone["person_id"]
    assert Outcome.objects.filter(person__service=service).count() == outcomes_before  # planning writes nothing
    commit_import(plan, by=world.users["percy"])
    assert Outcome.objects.filter(person__service=service).count() == outcomes_before - 1
    assert Assessment.objects.filter(person__service=service).count() == assessments_before - 1
    event = AuditEvent.objects.filter(verb="delete", object_type="outcome").latest("id")
    assert event.purpose == "Not in the full re-import of smaller" and event.username == "percy"
    assert event.changes["offence_date"][0] == gone["offence_date"]
    # the same full file again changes nothing
    assert plan_import(service, read_case_file(smaller), full=True).changes == []


def test_the_command_line_preview_lists_every_removal(world, loaded, tmp_path, capsys):
    service, folder = loaded
    smaller, gone, _ = without_first_outcome_and_assessment(folder, tmp_path)
    before = Outcome.objects.filter(person__service=service).count()
    assert main(["import", str(smaller), "--service", "Westvale", "--by", "percy", "--full", "--dry-run", "--show", "0"]) == 0
    out = capsys.readouterr().out
    assert f"removed outcome: {gone['person_id']}" in out and "removed assessment:" in out and "Dry run" in out
    assert Outcome.objects.filter(person__service=service).count() == before


# On the import page ---------------------------------------------------------------------------------


def _zip_without(folder, tmp_path, person_id: str):
    """The case file as a .zip of its CSV files, without one child's rows in any of them, and with
    one new child (so that a plain import has something to make)."""
    import zipfile

    target = tmp_path / "westvale-full.zip"
    with zipfile.ZipFile(target, "w") as archive:
        for path in sorted(folder.glob("*.csv")):
            frame = pl.read_csv(path, infer_schema=False)
            if "person_id" in frame.columns:
                frame = frame.filter(pl.col("person_id") != person_id)
            if path.name == "people.csv":
                new = frame.head(1).with_columns(pl.lit("NEW-1").alias("person_id"), *([pl.lit(None, pl.String).alias("pnc_id")] if "pnc_id" in frame.columns else []))
                frame = pl.concat([frame, new])
            archive.writestr(path.name, frame.write_csv())
    return target


def _preview(client, service, upload, *, full: bool):
    import html

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    response = client.post(reverse("import", args=[service.pk]), {"case_file": SimpleUploadedFile(upload.name, upload.read_bytes()), "full": "1" if full else "0"})
    return response, html.unescape(response.content.decode())


def _commit(client, service, preview, **extra):
    from django.urls import reverse

    form = {"token": preview.context["token"], "original": preview.context["original"], "fingerprint": preview.context["fingerprint"], **extra}
    return client.post(reverse("import-commit", args=[service.pk]), form, follow=True)


def test_a_full_reimport_on_the_web_lists_a_missing_childs_records_then_removes_them_audited(world, loaded, tmp_path, settings):
    from reoffkit.web.tracker.models import YoungPerson

    settings.DATA_DIR = tmp_path / "data"
    service, folder = loaded
    child = Assessment.objects.filter(person__service=service).order_by("person__local_id").first().person
    outcomes = set(Outcome.objects.filter(person=child).values_list("pk", flat=True))
    assessments = set(Assessment.objects.filter(person=child).values_list("pk", flat=True))
    assert outcomes and assessments
    upload = _zip_without(folder, tmp_path, child.local_id)
    client = world.client("percy")

    # a plain import of the same file lists no removal and removes nothing
    plain, page = _preview(client, service, upload, full=False)
    assert plain.status_code == 200 and "to remove" not in page and "Removed outcome" not in page
    assert "1 child of Westvale is not in the file and will be left as they are" in page
    assert _commit(client, service, plain).status_code == 200
    assert YoungPerson.objects.filter(service=service, local_id="NEW-1").exists()  # the plain import was made
    assert set(Outcome.objects.filter(person=child).values_list("pk", flat=True)) == outcomes
    assert not AuditEvent.objects.filter(verb="delete").exists()

    preview, page = _preview(client, service, upload, full=True)
    removals = len(outcomes) + len(assessments)
    assert preview.status_code == 200 and f"Full re-import: {removals} records to remove" in page
    assert page.count(f'<td class="govuk-table__cell">{child.local_id}</td>') == removals  # every one listed, by the child's ID
    assert f"remove {removals} records" in page and 'name="full" value="1"' in page
    assert Outcome.objects.filter(pk__in=outcomes).count() == len(outcomes)  # the preview writes nothing
    done = _commit(client, service, preview, full="1")
    assert done.status_code == 200
    assert not Outcome.objects.filter(pk__in=outcomes).exists() and not Assessment.objects.filter(pk__in=assessments).exists()
    assert YoungPerson.objects.filter(pk=child.pk).exists()  # the child's own record stays
    deleted = AuditEvent.objects.filter(verb="delete", object_type__in=("outcome", "assessment"))
    assert deleted.count() == removals
    assert {(e.username, e.purpose) for e in deleted} == {("percy", "Not in the full re-import of westvale-full.zip")}
    assert {int(i) for e in deleted.filter(object_type="outcome") for i in e.object_ids} == outcomes
    # the same file again, full or not, changes nothing
    again, page = _preview(client, service, upload, full=True)
    assert "importing it would change nothing" in page


def test_a_full_reimport_is_for_those_who_may_import_and_a_switch_after_the_preview_is_refused(world, loaded, tmp_path, settings):
    settings.DATA_DIR = tmp_path / "data"
    service, folder = loaded
    child = Assessment.objects.filter(person__service=service).order_by("person__local_id").first().person
    upload = _zip_without(folder, tmp_path, child.local_id)
    actions.update_staff_user(by=world.users["ada"], user=world.users["mandy"], role=Role.MANAGER, services=[world.northmoor, service])
    refused, _ = _preview(world.client("mandy"), service, upload, full=True)
    assert refused.status_code == 403
    client = world.client("percy")
    plain, _ = _preview(client, service, upload, full=False)
    before = Outcome.objects.filter(person=child).count()
    switched = _commit(client, service, plain, full="1")  # a plain preview committed as full: not what was checked
    # the commit reads nothing; the import job re-plans, finds another plan and fails, removing nothing
    assert switched.status_code == 200 and "The records changed after you checked the file, so it was not imported" in html.unescape(switched.content.decode())
    assert Outcome.objects.filter(person=child).count() == before
