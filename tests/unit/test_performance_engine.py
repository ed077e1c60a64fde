"""The projection arithmetic: Kaplan–Meier, the follow-up curve, projections and intervals —
against hand-computed cases and independent implementations (lifelines, statsmodels)."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reoffkit.engine.performance import (
    FOLLOW_UP_DAYS,
    follow_up_curve,
    kaplan_meier,
    mean_difference_test,
    mean_interval,
    project,
    straight_line,
    two_proportion_test,
)


def test_kaplan_meier_by_hand():
    """Durations 2, 3, 3+, 5, 8+ (+ censored):
    day 2: 5 at risk, 1 event → S = 4/5 = 0.8
    day 3: 4 at risk, 1 event → S = 0.8 × 3/4 = 0.6   (the censored 3 is still at risk on day 3)
    day 5: 2 at risk, 1 event → S = 0.6 × 1/2 = 0.3
    """
    times, survival = kaplan_meier(np.array([2, 3, 3, 5, 8]), np.array([True, True, False, True, False]))
    assert times.tolist() == [2, 3, 5]
    assert survival == pytest.approx([0.8, 0.6, 0.3])


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(min_value=1, max_value=366), st.booleans()),
        min_size=1,
        max_size=60,
    )
)
def test_kaplan_meier_matches_lifelines(observations):
    from lifelines import KaplanMeierFitter

    durations = np.array([d for d, _ in observations], dtype=float)
    observed = np.array([o for _, o in observations])
    times, survival = kaplan_meier(durations, observed)
    fitter = KaplanMeierFitter().fit(durations, event_observed=observed)
    expected = fitter.survival_function_at_times(times).to_numpy() if times.size else np.ones(0)
    assert survival == pytest.approx(expected)


def entries_frame(first_days: list[int | None], offence_days: list[list[int]], elapsed: int = 365) -> pl.DataFrame:
    """An entry table with only the columns the curve reads: index 1 Jan 2020 for everyone."""
    index = dt.date(2020, 1, 1)
    return pl.DataFrame(
        {
            "index_date": [index] * len(first_days),
            "follow_up_days_elapsed": [elapsed] * len(first_days),
            "days_to_first_further_offence": first_days,
            "further_offence_dates": [[index + dt.timedelta(days=d) for d in days] for days in offence_days],
            "further_offences": [len(days) for days in offence_days],
        },
        schema_overrides={"days_to_first_further_offence": pl.Int64},
    )


def test_curve_by_hand():
    """Four children, all followed for the full 12 months:
    A first reoffends on day 10 (offences on days 10, 20), B on day 100 (day 100), C on day 300
    (days 300, 310, 320), D never.
    Binary: 3 reoffenders by the end; by day 10 one third of them, by day 100 two thirds.
    Frequency: 6 further offences; by day 20 two of them (1/3), by day 100 three (1/2).
    """
    entries = entries_frame([10, 100, 300, None], [[10, 20], [100], [300, 310, 320], []])
    curve = follow_up_curve(entries, described_as="four children", min_reoffenders=1)
    assert curve.modelled_from_data
    assert curve.binary_at([9, 10, 99, 100, 299, 300, FOLLOW_UP_DAYS]) == pytest.approx([0, 1 / 3, 1 / 3, 2 / 3, 2 / 3, 1, 1])
    assert curve.frequency_at([19, 20, 100, 320]) == pytest.approx([1 / 6, 2 / 6, 3 / 6, 1])
    assert (curve.entries, curve.reoffenders, curve.reoffences) == (4, 3, 6)
    assert "four children" in curve.basis and "Kaplan–Meier" in curve.basis


def test_too_few_reoffenders_fall_back_to_a_straight_line_and_say_so():
    entries = entries_frame([10, None], [[10], []])
    curve = follow_up_curve(entries, described_as="2 completed quarterly cohorts of Testshire", min_reoffenders=20)
    assert not curve.modelled_from_data
    assert "straight line" in curve.basis and "1 reoffender" in curve.basis and "fewer than the 20" in curve.basis
    assert curve.binary_at([0, 183, FOLLOW_UP_DAYS]) == pytest.approx([0, 0.5, 1], abs=0.002)
    assert curve.table()["month"].to_list() == list(range(13))


def test_projection_by_hand():
    """The worked example of the module: 40 entries each 91 days into follow-up, a curve that
    has reached 0.45 of 12-month reoffending by day 91, 9 reoffenders so far:
    expected share 0.45; projected 12-month binary 9 ÷ (40 × 0.45) = 0.5; the cohort's interval
    is scaled by the same 1 ÷ 0.45."""
    share = np.minimum(np.arange(FOLLOW_UP_DAYS + 1) / 91 * 0.45, 1.0)
    curve = straight_line("test")
    curve = type(curve)(share, share, "test", 0, 0, 0, modelled_from_data=True)
    counts = [1] * 9 + [0] * 31
    entries = pl.DataFrame({"follow_up_days_elapsed": [91] * 40, "further_offences": counts})
    projection = project(entries, curve, binary_interval=(0.1, 0.3), frequency_interval=(0.1, 0.4))
    assert projection.binary_share == pytest.approx(0.45)
    assert projection.projected_binary == pytest.approx(0.5)
    assert projection.projected_binary_low == pytest.approx(0.1 / 0.45)
    assert projection.projected_binary_high == pytest.approx(0.3 / 0.45)
    assert projection.projected_frequency == pytest.approx(9 / 40 / 0.45)


def test_projection_never_exceeds_one_and_an_empty_cohort_projects_nothing():
    curve = straight_line("test")
    entries = pl.DataFrame({"follow_up_days_elapsed": [30, 30], "further_offences": [1, 1]})
    projection = project(entries, curve, binary_interval=(0.4, 1.0), frequency_interval=(1.0, 1.0))
    assert projection.projected_binary == 1.0 and projection.projected_binary_high == 1.0
    empty = project(entries.clear(), curve, binary_interval=(None, None), frequency_interval=(None, None))
    assert empty.projected_binary is None and empty.binary_share == 0.0


def test_mean_interval_by_hand_and_against_statsmodels():
    """Further offences 0, 1, 2, 3: mean 1.5, sd 1.291, t(0.975, 3) = 3.182 → 1.5 ± 2.054; the
    lower end is cut at 0 (a rate of offences cannot be negative)."""
    from statsmodels.stats.weightstats import DescrStatsW

    low, high = mean_interval(np.array([0, 1, 2, 3]))
    assert low == 0.0 and high == pytest.approx(1.5 + 3.182446 * math.sqrt(5 / 3) / 2)
    values = np.array([1, 1, 2, 5, 3, 1, 7, 2])
    expected = DescrStatsW(values).tconfint_mean()
    assert mean_interval(values) == pytest.approx(expected)
    assert mean_interval(np.array([4])) == (None, None)


def test_two_proportion_test_by_hand():
    """29 of 65 against 34 of 84: pooled p = 63/149; z = (0.4462 − 0.4048) / sqrt(p(1−p)(1/65 + 1/84))."""
    pooled = 63 / 149
    z = (29 / 65 - 34 / 84) / math.sqrt(pooled * (1 - pooled) * (1 / 65 + 1 / 84))
    expected = math.erfc(abs(z) / math.sqrt(2))
    assert two_proportion_test(29, 65, 34, 84) == pytest.approx(expected)
    assert two_proportion_test(0, 10, 0, 12) is None
    assert two_proportion_test(1, 0, 3, 4) is None


def test_mean_difference_test_against_scipy():
    from scipy import stats

    a, b = np.array([1, 2, 2, 5, 8]), np.array([1, 1, 2, 3])
    assert mean_difference_test(a, b) == pytest.approx(stats.ttest_ind(a, b, equal_var=False).pvalue)
    assert mean_difference_test(np.array([1]), b) is None
