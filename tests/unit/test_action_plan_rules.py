"""The action plan's rating follows from status and dates (docs/rules.md §16): nobody sets it."""

from __future__ import annotations

import datetime as dt

import pytest

from reoffkit.engine.action_plan import DUE_SOON_DAYS, rating, summary

TODAY = dt.date(2026, 12, 5)


def days(n: int) -> dt.date:
    return TODAY + dt.timedelta(days=n)


@pytest.mark.parametrize("status", ["not_started", "in_progress"])
def test_an_open_item_past_its_due_date_is_red_overdue(status):
    found = rating(status, days(-1), TODAY)
    assert (found.rag, found.words, found.overdue) == ("red", "Overdue by 1 day", True)
    assert rating(status, days(-30), TODAY).words == "Overdue by 30 days"


def test_due_within_the_window_is_amber_due_soon_and_today_counts():
    assert (rating("in_progress", TODAY, TODAY).rag, rating("in_progress", TODAY, TODAY).words) == ("amber", "Due soon: today")
    edge = rating("in_progress", days(DUE_SOON_DAYS), TODAY)
    assert edge.rag == "amber" and edge.due_soon and edge.words == f"Due soon: in {DUE_SOON_DAYS} days"
    assert rating("in_progress", days(DUE_SOON_DAYS + 1), TODAY).rag == "green"


def test_not_started_with_half_its_time_gone_is_amber_but_in_progress_is_on_track():
    raised, due = days(-50), days(50)
    assert rating("not_started", due, TODAY, raised_on=raised).words == "Not started with half its time gone"
    assert rating("in_progress", due, TODAY, raised_on=raised).words == "On track"
    assert rating("not_started", due, TODAY, raised_on=days(-10)).rag == "green"


def test_done_is_green_whatever_the_dates_and_dropped_has_no_rating():
    assert rating("done", days(-100), TODAY).rag == "green"
    dropped = rating("dropped", days(-100), TODAY)
    assert dropped.rag == "none" and not dropped.overdue


def test_an_unknown_status_is_refused_with_the_statuses_listed():
    with pytest.raises(ValueError, match="not_started, in_progress, done, dropped"):
        rating("late", TODAY, TODAY)


def test_summary_counts_each_rating():
    found = summary([rating("in_progress", days(-1), TODAY), rating("not_started", days(3), TODAY), rating("done", TODAY, TODAY), rating("dropped", TODAY, TODAY)])
    assert found == {"red": 1, "amber": 1, "green": 1, "none": 1, "overdue": 1, "due_soon": 1}
