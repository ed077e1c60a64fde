"""A full re-import: records the service holds that the file lacks are listed in the preview and,
on commit, removed through the audited actions; a partial import never removes anything."""

from __future__ import annotations

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
