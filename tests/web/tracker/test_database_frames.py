"""The same case counted from a case file and from the database gives the same figures: the web
application and the command line share one engine through one frame contract."""

from __future__ import annotations

import datetime as dt

import polars as pl

from reoffkit.demo import demo_frames, demo_name
from reoffkit.engine import CountingRules, Period, entry_table, measures_by
from reoffkit.engine.rules import quarter_of
from reoffkit.web.spreadsheets.loading import load_case_frames
from reoffkit.web.tracker import actions
from reoffkit.web.tracker.models import AuditEvent, Outcome, Role, YoungPerson
from reoffkit.web.tracker.queries import service_frames

AS_AT = dt.date(2026, 11, 24)


def test_demo_case_file_loaded_into_the_database_gives_identical_measures(db):
    frames = demo_frames(AS_AT)
    frames = {name: frame.filter(pl.col("person_id").is_in(frames["people"]["person_id"].gather_every(4).implode())) for name, frame in frames.items()}
    service = actions.create_service(by="test", name="Northmoor Youth Justice Service")
    manager = actions.create_staff_user(by="test", username="manager", password="a long test password", role=Role.MANAGER, services=[service])
    load_case_frames(by=manager, service=service, frames=frames, name_for=demo_name, owner_for=lambda owner: manager)
    assert YoungPerson.objects.count() == frames["people"].height
    assert Outcome.objects.count() == frames["outcomes"].height
    assert AuditEvent.objects.filter(verb="create", object_type="outcome").count() == frames["outcomes"].height

    loaded = service_frames([service])
    period = Period(quarter_of(AS_AT) - 8, 8)
    rules = CountingRules()
    from_file = entry_table(frames["people"], frames["outcomes"], frames["assessments"], period=period, rules=rules, as_at=AS_AT)
    from_database = entry_table(loaded.people, loaded.outcomes, loaded.assessments, period=period, rules=rules, as_at=AS_AT)
    assert from_file.height > 50
    for breakdown in (["quarter"], ["quarter", "likelihood_band"], ["district", "sex"]):
        assert measures_by(from_file, breakdown).equals(measures_by(from_database, breakdown)), breakdown
