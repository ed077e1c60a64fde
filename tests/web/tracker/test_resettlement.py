"""Resettlement records (entered, imported, analysed) and the adult-offending police check."""

from __future__ import annotations

import html

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from web_helpers import days_ago

from reoffkit.web.spreadsheets.loading import load_case_frames
from reoffkit.web.tracker import actions, queries
from reoffkit.web.tracker.models import AuditEvent, ResettlementRecord


@pytest.fixture
def released(world):
    """Ned's detention and training order: sentenced 200 days ago, released 100 days ago."""
    return actions.add_outcome(
        by=world.users["pat"], person=world.ned, outcome_type="dto", offence_date=days_ago(220), outcome_date=days_ago(200),
        release_date=days_ago(100), gravity=5,
    )


def test_a_practitioner_records_and_changes_resettlement_on_release(world, released):
    client = world.client("pat")
    detail = html.unescape(client.get(reverse("person", args=[world.northmoor.pk, world.ned.pk])).content.decode())
    url = reverse("resettlement", args=[world.northmoor.pk, world.ned.pk, released.pk])
    assert "Resettlement: not recorded" in detail and url in detail
    values = {"accommodation_in_place": "yes", "accommodation_sustained": "no", "ete_in_place": "yes", "ete_sustained": "not known",
              "health_in_place": "yes", "health_sustained": "yes"}
    assert client.post(url, {**values, "version": 0}).status_code == 302
    record = ResettlementRecord.objects.get(outcome=released)
    assert record.accommodation_sustained == "no"
    client.post(url, {**values, "accommodation_sustained": "yes", "version": record.version})
    record.refresh_from_db()
    assert record.accommodation_sustained == "yes" and ResettlementRecord.objects.count() == 1
    events = AuditEvent.objects.filter(object_type="resettlement").order_by("id")
    assert [e.verb for e in events] == ["create", "update"] and events.last().changes == {"accommodation_sustained": ["no", "yes"]}
    assert "Ned" not in events.last().summary
    frame = queries.resettlement_frame([world.northmoor])
    assert frame.row(0, named=True) | {} == {"person_id": str(world.ned.pk), "release_date": days_ago(100), **{**values, "accommodation_sustained": "yes"}}


def test_resettlement_is_refused_for_a_sentence_without_release_and_for_other_roles(world):
    fine = world.ned.outcomes.get(outcome_type="fine")
    assert world.client("pat").get(reverse("resettlement", args=[world.northmoor.pk, world.ned.pk, fine.pk])).status_code == 404
    with pytest.raises(ValidationError):
        actions.record_resettlement(by=world.users["pat"], outcome=fine, accommodation_in_place="yes")


def test_bad_values_save_nothing(world, released):
    url = reverse("resettlement", args=[world.northmoor.pk, world.ned.pk, released.pk])
    response = world.client("pat").post(url, {"accommodation_in_place": "maybe"})
    assert response.status_code == 200 and ResettlementRecord.objects.count() == 0
    assert "Select a valid choice" in html.unescape(response.content.decode())


def test_the_police_check_is_recorded_and_audited(world):
    url = reverse("police-check", args=[world.northmoor.pk, world.ned.pk])
    assert world.client("bea").post(url).status_code == 403
    assert world.client("pat").get(url).status_code == 405
    assert world.client("pat").post(url).status_code == 302
    world.ned.refresh_from_db()
    assert world.ned.adult_offending_checked
    assert AuditEvent.objects.filter(object_type="young_person", verb="update").latest("id").changes == {"adult_offending_checked": [False, True]}


def test_a_case_file_resettlement_sheet_is_imported_through_the_actions(world):
    import polars as pl

    from reoffkit.engine.schema import conform

    people = conform(pl.DataFrame({"person_id": ["R1"], "date_of_birth": [days_ago(16 * 365)], "sex": ["male"], "ethnicity": ["White"]}), "people")
    outcomes = conform(
        pl.DataFrame({"outcome_id": [1], "person_id": ["R1"], "offence_date": [days_ago(300)], "outcome_date": [days_ago(280)], "outcome_type": ["dto"],
                      "release_date": [days_ago(150)], "gravity": [5]}),
        "outcomes",
    )
    row = {"person_id": ["R1"], "release_date": [days_ago(150)], "accommodation_in_place": ["yes"], "accommodation_sustained": ["no"],
           "ete_in_place": ["no"], "ete_sustained": ["no"], "health_in_place": [None], "health_sustained": ["yes"]}
    frames = {"people": people, "outcomes": outcomes, "assessments": conform(pl.DataFrame(), "assessments"),
              "actions": conform(pl.DataFrame(), "actions"), "resettlement": conform(pl.DataFrame(row), "resettlement")}
    made = load_case_frames(by=world.users["percy"], service=world.northmoor, frames=frames, name_for=lambda pid: ("Test", pid))
    record = ResettlementRecord.objects.get(outcome__person=made["R1"])
    assert (record.accommodation_sustained, record.health_in_place) == ("no", "not known")
    wrong = {**frames, "resettlement": conform(pl.DataFrame({**row, "release_date": [days_ago(149)]}), "resettlement")}
    before = world.northmoor.young_people.count()
    with pytest.raises(ValidationError, match="no custodial outcome released on"):
        load_case_frames(by=world.users["percy"], service=world.northmoor, frames={**wrong, "people": people.with_columns(person_id=pl.lit("R2")),
                         "outcomes": outcomes.with_columns(person_id=pl.lit("R2")), "resettlement": wrong["resettlement"].with_columns(person_id=pl.lit("R2"))},
                         name_for=lambda pid: ("Test", pid))
    assert world.northmoor.young_people.count() == before  # nothing half-loaded
