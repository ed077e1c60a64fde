"""The case-file export imported into an empty service gives the same records, field by field:
children (names included), outcomes, assessments, review actions with their notes and owners,
resettlement. And the tracker's own cohort export, which is not a case file, is named as such
with exactly how to get one."""

from __future__ import annotations

import html

import polars as pl

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from web_helpers import TODAY, days_ago

from reoffkit.casefile import read_case_file, write_case_file
from reoffkit.synthetic import generate
from reoffkit.web.spreadsheets.importing import commit_import, plan_import
from reoffkit.web.tracker import actions
from reoffkit.web.tracker.models import Assessment, Outcome, ResettlementRecord, ReviewAction, Role, YoungPerson

#: Fields every record has that say when or by whom it was entered here, not what it holds.
BOOKKEEPING = {"id", "service", "person", "outcome", "created_at", "updated_at", "version", "raised_by"}


def fields(record) -> dict:
    values = {}
    for field in record._meta.concrete_fields:
        if field.name in BOOKKEEPING:
            continue
        value = getattr(record, field.name)
        if field.is_relation:
            value = getattr(value, "username", None) or getattr(value, "name", None) if value is not None else None
        values[field.name] = value
    return values


def records(service) -> dict[str, list]:
    def key(record, person):
        return (person.local_id, *sorted(str(v) for v in fields(record).values()))

    found: dict[str, list] = {"people": [], "outcomes": [], "assessments": [], "actions": [], "resettlement": []}
    for person in YoungPerson.objects.filter(service=service).select_related("district").order_by("local_id"):
        found["people"].append(fields(person))
        for name, related in (("outcomes", person.outcomes), ("assessments", person.assessments), ("actions", person.review_actions)):
            found[name] += sorted(({"child": person.local_id, **fields(r)} for r in related.all()), key=lambda r: sorted(map(str, r.values())))
        found["resettlement"] += sorted(
            ({"child": person.local_id, "release": r.outcome.release_date, **fields(r)} for r in ResettlementRecord.objects.filter(outcome__person=person)),
            key=lambda r: sorted(map(str, r.values())),
        )
    return found


def test_the_case_file_export_imported_into_an_empty_service_gives_the_same_records_field_by_field(world, tmp_path, settings):
    settings.DATA_DIR = tmp_path / "data"
    westvale = actions.create_service(by=world.users["ada"], name="Westvale")
    copy = actions.create_service(by=world.users["ada"], name="Westvale copy")
    for name in ("percy", "pat", "mandy"):
        user = world.users[name]
        actions.update_staff_user(by=world.users["ada"], user=user, role=user.profile.role, services=[world.northmoor, westvale, copy])
    frames = generate(["Westvale"], first_quarter="2023Q1", quarters=6, children_per_quarter=10, as_at=TODAY, seed=11, owners=("pat", "mandy"))
    commit_import(plan_import(westvale, read_case_file(write_case_file(frames, tmp_path / "case"))), by=world.users["percy"])
    child = YoungPerson.objects.filter(service=westvale).order_by("local_id").first()
    actions.add_review_action(
        by=world.users["pat"], person=child, raised_on=days_ago(3), trigger="further_offence", action="review", status="pending",
        owner=world.users["mandy"], due_on=days_ago(-7), notes='=HYPERLINK("x") — agreed with the panel, "phone mum", see 3/4',
    )
    actions.add_review_action(
        by=world.users["pat"], person=child, raised_on=days_ago(2), trigger="further_offence", action="re_assessment", status="completed",
        owner=None, completed_on=days_ago(1), notes="",
    )
    original = records(westvale)
    assert original["actions"] and any(a["notes"] for a in original["actions"]) and any(a["owner"] for a in original["actions"])
    assert {a["owner"] for a in original["actions"]} >= {"pat", "mandy", None}
    assert original["resettlement"] and original["assessments"] and any(p["pnc_id"] for p in original["people"])

    client = world.client("percy")
    exported = client.post(reverse("export-case-file", args=[westvale.pk]), {"purpose": "moving to the new installation"})
    assert exported.status_code == 200
    preview = client.post(reverse("import", args=[copy.pk]), {"case_file": SimpleUploadedFile("westvale.xlsx", exported.content)})
    assert preview.status_code == 200 and not preview.context["errors"], preview.context["errors"]
    client.post(reverse("import-commit", args=[copy.pk]), {"token": preview.context["token"], "original": "westvale.xlsx", "fingerprint": preview.context["fingerprint"]})

    copied = records(copy)
    for sheet in original:
        assert len(copied[sheet]) == len(original[sheet]), sheet
        for theirs, ours in zip(original[sheet], copied[sheet]):
            for name in theirs:
                assert ours[name] == theirs[name], (sheet, theirs.get("local_id") or theirs.get("child"), name)


def test_an_owner_who_is_not_a_user_of_the_service_is_a_warning_and_the_action_has_none(world, tmp_path):
    frames = generate(["Northmoor"], first_quarter="2023Q1", quarters=2, children_per_quarter=6, as_at=TODAY, seed=3, owners=("pat", "olly", "nobody"))
    frames["actions"] = frames["actions"].with_columns(owner=pl.Series(["pat", "olly", "nobody"] * frames["actions"].height)[: frames["actions"].height])
    assert frames["actions"].height >= 3
    plan = plan_import(world.northmoor, read_case_file(write_case_file(frames, tmp_path / "case")))
    warned = {p.value for p in plan.problems if p.column == "owner"}
    assert warned == {"olly", "nobody"}  # olly is a user, of another service and all(p.severity == "warning" for p in plan.problems if p.column == "owner")
    assert plan.ok
    commit_import(plan, by=world.users["percy"])
    owners = set(ReviewAction.objects.filter(person__service=world.northmoor).exclude(pk=world.ned_action.pk).values_list("owner__username", flat=True))
    assert owners == {"pat", None}


def test_the_trackers_own_cohort_export_is_named_with_how_to_get_a_case_file(world, tmp_path, settings):
    settings.DATA_DIR = tmp_path / "data"
    client = world.client("percy")
    cohort = client.post(reverse("cohort-export", args=[world.northmoor.pk]), {"purpose": "checking the cohort export", "audience": "within"})
    assert cohort.status_code == 200 and cohort.content[:2] == b"PK"
    workbook = tmp_path / "cohort.xlsx"
    workbook.write_bytes(cohort.content)
    problems = read_case_file(workbook, name="northmoor-cohort.xlsx").problems
    assert len(problems) == 1
    assert problems[0].sheet == "northmoor-cohort.xlsx"
    assert "the live tracker's cohort export" in problems[0].value
    assert "Export the case file" in problems[0].expected and "import page" in problems[0].expected
    upload = html.unescape(client.get(reverse("import", args=[world.northmoor.pk])).content.decode())
    assert "cohort export" in upload and "Export the case file" in upload
