"""Alerts (docs/rules.md §8): each fires on its own timeline and says why."""

from __future__ import annotations

import datetime as dt

import polars as pl
from engine_universe import Universe

from reoffkit.engine import CountingRules
from reoffkit.engine.alerts import AlertSettings, alerts

D = dt.date
BORN = D(2001, 6, 1)


def fired(universe: Universe, as_at: dt.date, **settings) -> dict[str, str]:
    entries = universe.entries(as_at=as_at)
    result = alerts(entries, universe.actions_frame(), rules=CountingRules(), settings=AlertSettings(**settings), as_at=as_at)
    return dict(result.filter(pl.col("person_id") == "A").select("alert", "reason").iter_rows())


def cautioned_child(born: dt.date = BORN, **details) -> Universe:
    universe = Universe()
    universe.child("A", born, **details)
    universe.outcome("A", "youth_caution", committed=D(2016, 10, 1), dealt_with=D(2016, 10, 15))
    return universe


def test_no_further_offending_no_alerts():
    assert fired(cautioned_child(), D(2017, 1, 1)) == {}


def test_early_reoffending_and_potentially_prolific_within_three_months():
    """I 15 Oct · o 1 Nov p 10 Nov · o 20 Nov p 1 Dec → early; 2 within 3 months → potentially prolific."""
    u = cautioned_child()
    u.outcome("A", "fine", committed=D(2016, 11, 1), dealt_with=D(2016, 11, 10))
    u.outcome("A", "fine", committed=D(2016, 11, 20), dealt_with=D(2016, 12, 1))
    u.action("A", D(2016, 12, 2), "pending")
    result = fired(u, D(2016, 12, 5))
    assert set(result) == {"early_reoffending", "potentially_prolific"}
    assert result["early_reoffending"].startswith("First further offence on 1 Nov 2016, 17 days after")
    assert result["potentially_prolific"].startswith("2 further offences within 3 months")


def test_three_offences_at_any_time_are_potentially_prolific_and_five_are_prolific():
    u = cautioned_child()
    for month in (3, 4, 5):
        u.outcome("A", "fine", committed=D(2017, month, 1), dealt_with=D(2017, month, 20))
    u.action("A", D(2017, 5, 21), "completed")
    assert set(fired(u, D(2017, 6, 1))) == {"potentially_prolific"}
    for month in (6, 7):
        u.outcome("A", "fine", committed=D(2017, month, 1), dealt_with=D(2017, month, 20))
    u.action("A", D(2017, 7, 21), "completed")
    result = fired(u, D(2017, 8, 1))
    assert set(result) == {"prolific"}
    assert result["prolific"] == "5 further offences in follow-up (5 or more is prolific)."


def test_no_action_within_fourteen_days_of_a_known_further_offence():
    """o 1 Mar p 10 Mar 2017 (known 10 Mar): on 24 Mar no alert yet, on 25 Mar it fires, an action clears it."""
    u = cautioned_child()
    u.outcome("A", "fine", committed=D(2017, 3, 1), dealt_with=D(2017, 3, 10))
    assert "no_action_after_reoffending" not in fired(u, D(2017, 3, 24))
    assert "no_action_after_reoffending" in fired(u, D(2017, 3, 25))
    assert "no_action_after_reoffending" not in fired(u, D(2017, 3, 25), action_days=30)
    u.action("A", D(2017, 3, 12), "completed")
    assert "no_action_after_reoffending" not in fired(u, D(2017, 3, 25))


def test_overdue_required_action():
    u = cautioned_child()
    u.action("A", D(2016, 11, 1), "required", due_on=D(2016, 11, 30))
    assert "overdue_action" not in fired(u, D(2016, 11, 30))
    assert fired(u, D(2016, 12, 1))["overdue_action"] == "1 action required and not completed; the oldest was due on 30 Nov 2016."
    u.action("A", D(2016, 11, 20), "required", due_on=D(2016, 12, 5))
    assert fired(u, D(2016, 12, 6))["overdue_action"] == "2 actions required and not completed; the oldest was due on 30 Nov 2016."


def test_turning_18_in_follow_up():
    u = cautioned_child(born=D(1999, 3, 1))
    assert fired(u, D(2016, 11, 1))["turning_18"].startswith("Turns 18 on 1 Mar 2017, before follow-up ends on 15 Oct 2017")


def test_reoffending_off_caseload_only_when_known_to_be_off():
    off = cautioned_child(yot_caseload=False)
    on = cautioned_child(yot_caseload=True)
    for u in (off, on):
        u.outcome("A", "fine", committed=D(2017, 5, 1), dealt_with=D(2017, 5, 2))
        u.action("A", D(2017, 5, 3), "completed")
    assert "reoffending_off_caseload" in fired(off, D(2017, 6, 1))
    assert "reoffending_off_caseload" not in fired(on, D(2017, 6, 1))


def test_standard_intervention_with_early_reoffending():
    u = cautioned_child()
    u.assessment("A", D(2016, 10, 20), "low", "standard")
    u.outcome("A", "fine", committed=D(2016, 12, 1), dealt_with=D(2016, 12, 5))
    u.action("A", D(2016, 12, 6), "pending")
    assert "standard_with_early_reoffending" in fired(u, D(2017, 1, 1))


def test_no_alerts_after_follow_up_ends():
    u = cautioned_child(born=D(1999, 3, 1))
    u.outcome("A", "fine", committed=D(2016, 11, 1), dealt_with=D(2016, 11, 2))
    assert fired(u, D(2017, 10, 15)) != {}
    assert fired(u, D(2017, 10, 16)) == {}
