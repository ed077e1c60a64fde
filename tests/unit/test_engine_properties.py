"""Invariants of the counting rules over random case histories (Hypothesis)."""

from __future__ import annotations

import datetime as dt

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from reoffkit.engine import CountingRules, Period, entry_table, further_offences, measures, measures_by
from reoffkit.engine.codes import OUTCOME_TYPES
from reoffkit.engine.rules import add_months
from reoffkit.engine.schema import conform

D = dt.date
START = D(2016, 1, 1)
CODES = [t.code for t in OUTCOME_TYPES]
PERIOD = Period.parse("2016Q2", quarters=4)
AS_AT = D(2020, 1, 1)


@st.composite
def case_histories(draw, disordered: bool = False):
    """Up to 6 children aged 8 to 21 over the period, each with up to 7 outcomes. ``disordered``
    lets an outcome precede its offence and a release its sentence (data errors the reader refuses,
    but which frames from elsewhere may hold)."""
    slip = -60 if disordered else 0
    n_children = draw(st.integers(1, 6))
    people, outcomes = [], []
    for child in range(n_children):
        person_id = f"P{child}"
        people.append(
            {
                "person_id": person_id,
                "date_of_birth": START - dt.timedelta(days=draw(st.integers(8 * 365, 19 * 365))),
                "sex": draw(st.sampled_from(["male", "female"])),
                "district": draw(st.sampled_from(["North", "South"])),
            }
        )
        for _ in range(draw(st.integers(0, 7))):
            committed = START + dt.timedelta(days=draw(st.integers(0, 900)))
            outcome_type = draw(st.sampled_from(CODES))
            dealt_with = None if outcome_type in ("charged", "admitted") else committed + dt.timedelta(days=draw(st.integers(slip, 400)))
            released = None
            if dealt_with and outcome_type in ("dto", "s250", "s254", "s258", "s259") and draw(st.booleans()):
                released = dealt_with + dt.timedelta(days=draw(st.integers(slip or 30, 400)))
            outcomes.append(
                {
                    "outcome_id": len(outcomes) + 1,
                    "person_id": person_id,
                    "offence_date": committed,
                    "outcome_date": dealt_with,
                    "outcome_type": outcome_type,
                    "release_date": released,
                    "gravity": draw(st.integers(1, 8)),
                    "breach": draw(st.booleans()) and draw(st.booleans()),
                }
            )
    rules = CountingRules(include_breaches=draw(st.booleans()), include_unproven=draw(st.booleans()))
    return (
        conform(pl.DataFrame(people, infer_schema_length=None), "people"),
        conform(pl.DataFrame(outcomes, infer_schema_length=None), "outcomes"),
        rules,
    )


def totals(people, outcomes, rules, period=PERIOD, as_at=AS_AT):
    entries = entry_table(people, outcomes, None, period=period, rules=rules, as_at=as_at)
    result = measures(entries, period=period, rules=rules, as_at=as_at)
    return result.cohort_size, result.reoffenders, result.reoffences


@settings(max_examples=150, deadline=None)
@given(case_histories())
def test_reoffenders_never_exceed_the_cohort_nor_the_reoffences(history):
    cohort, reoffenders, reoffences = totals(*history)
    assert 0 <= reoffenders <= cohort
    assert reoffenders <= reoffences
    assert (reoffenders == 0) == (reoffences == 0)


@settings(max_examples=100, deadline=None)
@given(case_histories(), st.integers(0, 2000))
def test_an_offence_outside_every_window_changes_nothing(history, days_later):
    people, outcomes, rules = history
    # Committed after every entry's 12-month follow-up, and dealt with after the period: no
    # entry can be created by it, and it is too late to be anyone's further offence.
    too_late = PERIOD.end + dt.timedelta(days=366 + days_later)
    extra = conform(
        pl.DataFrame(
            [
                {"outcome_id": 10_000 + i, "person_id": person, "offence_date": too_late, "outcome_date": too_late, "outcome_type": code}
                for i, (person, code) in enumerate(zip(people["person_id"], ["referral_order", "youth_caution", "dto"] * 3))
            ]
        ),
        "outcomes",
    )
    assert totals(people, pl.concat([outcomes, extra]), rules) == totals(people, outcomes, rules)


@settings(max_examples=100, deadline=None)
@given(case_histories())
def test_an_aggregate_equals_the_sum_of_its_quarters(history):
    people, outcomes, rules = history
    quarters = [totals(people, outcomes, rules, period=Period(key)) for key in PERIOD.quarter_keys]
    assert totals(people, outcomes, rules) == tuple(map(sum, zip(*quarters)))
    entries = entry_table(people, outcomes, None, period=PERIOD, rules=rules, as_at=AS_AT)
    by_quarter = measures_by(entries, "quarter")
    assert by_quarter["cohort_size"].sum() == entries.height


@settings(max_examples=100, deadline=None)
@given(case_histories(), st.randoms(use_true_random=False))
def test_row_order_changes_nothing(history, random):
    people, outcomes, rules = history
    shuffled_people = people.sample(fraction=1.0, shuffle=True, seed=random.randrange(2**32))
    shuffled_outcomes = outcomes.sample(fraction=1.0, shuffle=True, seed=random.randrange(2**32))
    before = entry_table(people, outcomes, None, period=PERIOD, rules=rules, as_at=AS_AT)
    after = entry_table(shuffled_people, shuffled_outcomes, None, period=PERIOD, rules=rules, as_at=AS_AT)
    assert before.equals(after)


@settings(max_examples=100, deadline=None)
@given(case_histories(), st.integers(0, 1200))
def test_knowing_more_later_never_loses_an_entry(history, days):
    """Entries known at an earlier as-at date are still entries later (figures only grow)."""
    people, outcomes, rules = history
    earlier = START + dt.timedelta(days=days)
    at_earlier = entry_table(people, outcomes, None, period=PERIOD, rules=rules, as_at=earlier)
    at_end = entry_table(people, outcomes, None, period=PERIOD, rules=rules, as_at=AS_AT)
    keys = ["person_id", "entry_quarter", "index_date"]
    assert at_earlier.select(keys).join(at_end.select(keys), on=keys, how="anti").is_empty()


@st.composite
def birthdays_in_the_period(draw):
    """Children whose 18th birthday falls in or near the period, with several cohort events each in
    it — the histories where the youth and adult cohorts could overlap."""
    people, outcomes = [], []
    days = (PERIOD.end - PERIOD.start).days
    for child in range(draw(st.integers(1, 4))):
        person_id = f"P{child}"
        eighteenth = PERIOD.start + dt.timedelta(days=draw(st.integers(-30, days + 30)))
        people.append({"person_id": person_id, "date_of_birth": add_months(eighteenth, -18 * 12)})
        for _ in range(draw(st.integers(1, 5))):
            dealt_with = PERIOD.start + dt.timedelta(days=draw(st.integers(0, days)))
            outcomes.append(
                {
                    "outcome_id": len(outcomes) + 1,
                    "person_id": person_id,
                    "offence_date": dealt_with - dt.timedelta(days=draw(st.integers(0, 60))),
                    "outcome_date": dealt_with,
                    "outcome_type": draw(st.sampled_from(["youth_caution", "referral_order", "fine", "yro"])),
                }
            )
    return conform(pl.DataFrame(people), "people"), conform(pl.DataFrame(outcomes), "outcomes")


@settings(max_examples=150, deadline=None)
@given(birthdays_in_the_period(), st.sampled_from(["aggregated_quarters", "annual_12m_old_method"]))
def test_a_child_is_in_the_youth_or_the_adult_cohort_of_a_period_never_both(history, method):
    """The youth (10-17) and adult (18+) cohorts of one period share no child-quarter, and together
    they are exactly the cohort of the whole range 10-120: the first qualifying event of the quarter
    is the index, and the age on that date alone decides the cohort (docs/adr/0002)."""
    people, outcomes = history
    period = Period(PERIOD.first_quarter, PERIOD.quarters, method)
    keys = ["person_id", "entry_quarter", "index_date", "index_outcome_id"]

    def entries(low: int, high: int) -> pl.DataFrame:
        rules = CountingRules(min_age=low, max_age=high)
        return entry_table(people, outcomes, None, period=period, rules=rules, as_at=AS_AT).select(keys)

    youth, adult, everyone = entries(10, 17), entries(18, 120), entries(10, 120)
    assert youth.join(adult, on=["person_id", "entry_quarter"], how="inner").is_empty()
    assert pl.concat([youth, adult]).sort(keys).equals(everyone.sort(keys))


@settings(max_examples=150, deadline=None)
@given(case_histories(disordered=True))
def test_an_index_event_never_counts_as_its_own_further_offence(history):
    people, outcomes, rules = history
    entries = entry_table(people, outcomes, None, period=PERIOD, rules=rules, as_at=AS_AT)
    counted = further_offences(entries, outcomes, rules=rules, as_at=AS_AT)
    own = counted.join(entries.select("entry_id", "index_outcome_id"), on="entry_id").filter(pl.col("outcome_id") == pl.col("index_outcome_id"))
    assert own.is_empty(), own
    # and the entry table counts exactly the offences listed
    listed = counted.group_by("entry_id").len()
    per_entry = entries.select("entry_id", "further_offences").join(listed, on="entry_id", how="left").fill_null(0)
    assert per_entry["further_offences"].to_list() == per_entry["len"].to_list()
