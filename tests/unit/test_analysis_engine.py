"""Retrospective analysis statistics against small cohorts worked by hand, and against
independent implementations (lifelines for Kaplan–Meier, scikit-learn for the AUC)."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import polars as pl
import pytest
from engine_universe import FINAL, D, Universe

from reoffkit.engine.analysis import (
    auc_with_interval,
    calibration,
    concentration,
    critical_few,
    discrimination,
    first_within,
    gravity_table,
    median_days,
    offence_count_distribution,
    pareto,
    profile,
    seriousness,
    time_to_first,
    with_score_band,
)


def cohort(rows: list[dict]) -> pl.DataFrame:
    """An entry table with just the columns these statistics read; index 1 Jan 2020."""
    index = D(2020, 1, 1)
    filled = []
    for number, row in enumerate(rows):
        first = row.get("first")
        filled.append(
            {
                "entry_id": number,
                "person_id": f"P{number}",
                "quarter": "2020Q1",
                "index_date": index,
                "index_disposal": "referral_order",
                "sex": row.get("sex", "male"),
                "further_offences": row.get("offences", 0),
                "first_further_offence_date": None if first is None else index + dt.timedelta(days=first),
                "days_to_first_further_offence": first,
                "follow_up_days_elapsed": 366,
                "intervention_level": row.get("level"),
                "likelihood_band": row.get("band"),
                "assessment_tool": row.get("tool"),
                "assessment_score": row.get("score"),
                "index_gravity": row.get("gravity"),
            }
        )
    return pl.DataFrame(filled, schema_overrides={"days_to_first_further_offence": pl.Int64, "assessment_score": pl.Float64, "index_gravity": pl.Int8, "entry_id": pl.UInt32})


def test_profile_by_hand():
    """Two boys (one with 3 further offences), two girls (one with 1): boys 1 of 2 reoffended and
    committed 3 of the 4 further offences (75%)."""
    entries = cohort([{"offences": 3, "first": 10}, {}, {"sex": "female", "offences": 1, "first": 50}, {"sex": "female"}])
    table = {row["group"]: row for row in profile(entries, "sex").iter_rows(named=True)}
    assert (table["male"]["cohort_size"], table["male"]["reoffenders"], table["male"]["reoffences"]) == (2, 1, 3)
    assert table["male"]["share_of_reoffences"] == 0.75 and table["female"]["share_of_cohort"] == 0.5
    assert table["male"]["small"] and table["male"]["binary_rate"] == 0.5


def test_spread_and_pareto_by_hand():
    """Further offences 5, 3, 1, 1, 0 (10 in all): the most prolific child committed half; the top
    two 80%."""
    entries = cohort([{"offences": n, "first": 5 if n else None} for n in (1, 5, 0, 3, 1)])
    distribution = offence_count_distribution(entries)
    assert distribution["further_offences"].to_list() == [0, 1, 3, 5] and distribution["children"].to_list() == [1, 2, 1, 1]
    chart = pareto(entries)
    assert chart["further_offences"].to_list() == [5, 3, 1, 1]
    assert chart["cumulative_share_of_reoffences"].to_list() == pytest.approx([0.5, 0.8, 0.9, 1.0])
    assert chart["cumulative_share_of_reoffenders"].to_list() == pytest.approx([0.25, 0.5, 0.75, 1.0])
    prolific = concentration(entries, pl.col("further_offences") >= 5)
    assert (prolific.children, prolific.reoffences, prolific.share_of_reoffences) == (1, 5, 0.5)


def test_first_reoffence_within_months_by_hand():
    """Index 1 Jan 2020: one month later is 1 Feb, three months 1 Apr. First offences on day 31
    (1 Feb: within 1 month), day 32 (2 Feb: within 2), day 91 (1 Apr: within 3), day 92 (not)."""
    entries = cohort([{"offences": 1, "first": d} for d in (31, 32, 91, 92)] + [{}])
    within = {m: entries.filter(first_within(m)).height for m in (1, 2, 3)}
    assert within == {1: 1, 2: 2, 3: 3}


def test_time_to_first_matches_lifelines_and_gives_the_median():
    from lifelines import KaplanMeierFitter

    rng = np.random.default_rng(3)
    firsts = [int(d) if d < 366 else None for d in rng.integers(1, 700, size=60)]
    entries = cohort([{"offences": 1 if f else 0, "first": f} for f in firsts]).with_columns(
        follow_up_days_elapsed=pl.Series(rng.integers(200, 367, size=60))
    )
    # an entry whose first offence came after its follow-up so far would not be known yet
    entries = entries.with_columns(
        days_to_first_further_offence=pl.when(pl.col("days_to_first_further_offence") <= pl.col("follow_up_days_elapsed")).then(pl.col("days_to_first_further_offence"))
    )
    curve = time_to_first(entries)
    first = entries["days_to_first_further_offence"].fill_null(-1).to_numpy()
    observed = first > 0
    fitter = KaplanMeierFitter().fit(np.where(observed, first, entries["follow_up_days_elapsed"].to_numpy()), observed)
    days = curve["day"].to_numpy()[1:]
    assert curve["reoffended_share"].to_numpy()[1:] == pytest.approx(1 - fitter.survival_function_at_times(days).to_numpy())
    expected_median = fitter.median_survival_time_
    assert median_days(curve) == (None if math.isinf(expected_median) else int(expected_median))


def test_time_to_first_by_group_and_a_median_never_reached():
    entries = cohort([{"offences": 1, "first": 20}, {}, {"sex": "female"}, {"sex": "female"}, {"sex": "female", "offences": 2, "first": 100}])
    curve = time_to_first(entries, "sex")
    girls = curve.filter(pl.col("group") == "female")
    assert girls["reoffended_share"].to_list() == pytest.approx([0, 1 / 3])
    assert median_days(girls) is None
    assert median_days(curve.filter(pl.col("group") == "male")) == 20


def test_auc_by_hand_against_scikit_learn():
    """Scores 1, 2, 2, 3 with reoffending no, yes, no, yes: of the four (reoffender, non-reoffender)
    pairs, 2 > 1, 2 = 2 (half), 3 > 1, 3 > 2 → 3.5 / 4 = 0.875. Hanley–McNeil with 2 and 2:
    Q1 = 0.875/1.125, Q2 = 2 × 0.875² / 1.875, variance = (0.875 × 0.125 + (Q1 − 0.875²) + (Q2 − 0.875²)) / 4."""
    from sklearn.metrics import roc_auc_score

    auc, low, high = auc_with_interval(np.array([1, 2, 2, 3]), np.array([False, True, False, True]))
    assert auc == pytest.approx(0.875) == pytest.approx(roc_auc_score([0, 1, 0, 1], [1, 2, 2, 3]))
    q1, q2 = 0.875 / 1.125, 2 * 0.875**2 / 1.875
    se = math.sqrt((0.875 * 0.125 + (q1 - 0.875**2) + (q2 - 0.875**2)) / 4)
    assert low == pytest.approx(0.875 - 1.959964 * se) and high == 1.0
    rng = np.random.default_rng(8)
    scores, outcomes = rng.integers(0, 48, size=200), rng.random(200) < 0.4
    assert auc_with_interval(scores, outcomes)[0] == pytest.approx(roc_auc_score(outcomes, scores))
    assert auc_with_interval(np.array([1, 2]), np.array([True, True])) is None


def test_score_bands_discrimination_and_calibration():
    rows = [
        {"tool": "asset", "score": 10, "offences": 0},
        {"tool": "asset", "score": 20, "offences": 1, "first": 5},
        {"tool": "asset", "score": 40, "offences": 2, "first": 5},
        {"tool": "assetplus", "score": 20, "offences": 0},
        {"tool": "assetplus", "score": 60, "offences": 1, "first": 9},
        {"tool": "assetplus", "score": 70, "offences": 0},
        {},
    ]
    entries = cohort(rows)
    assert with_score_band(entries)["score_band"].to_list() == [
        "Asset 0–14", "Asset 15–32", "Asset 33–48", "YOGRS 0–24%", "YOGRS 50–74%", "YOGRS 50–74%", "no score",
    ]
    auc = {row["tool"]: row for row in discrimination(entries).iter_rows(named=True)}
    assert auc["asset"]["auc"] == 1.0 and auc["assetplus"]["auc"] == pytest.approx(0.5)  # the reoffender (60): above 20, below 70
    table = {row["score_band"]: row for row in calibration(entries).iter_rows(named=True)}
    assert table["YOGRS 50–74%"]["predicted"] == pytest.approx(0.65) and table["YOGRS 50–74%"]["observed"] == 0.5
    assert table["YOGRS 0–24%"]["observed"] == 0.0 and table["YOGRS 0–24%"]["observed_ci_high"] > 0


def test_critical_few_by_hand():
    entries = cohort(
        [
            {"offences": 6, "first": 3, "level": "standard"},  # prolific on standard: audit
            {"offences": 5, "first": 3, "level": "intensive"},  # prolific on intensive: as planned
            {"offences": 0, "level": "intensive"},  # intensive and no reoffending: audit
            {"offences": 0, "level": "standard"},
            {"offences": 7, "first": 3, "level": "enhanced"},  # audit
        ]
    )
    few = critical_few(entries)
    assert few["person_id"].to_list() == ["P4", "P0", "P2"]
    assert few["reason"].to_list()[0] == "prolific (7 further offences) on enhanced intervention"
    assert few["reason"].to_list()[2] == "did not reoffend, on intensive intervention"


def test_seriousness_by_hand():
    """Index gravity 3 throughout: further offences of gravity 5 (more serious), 3 (as), 2 and 1
    (less); one reoffender's offence has no gravity (not known)."""
    universe = Universe()
    for name, gravities in (("A", [5, 1]), ("B", [3]), ("C", [2, 1]), ("D", [None]), ("E", [])):
        universe.child(name, D(2000, 1, 1))
        universe.outcome(name, "referral_order", committed=D(2016, 10, 1), dealt_with=D(2016, 10, 10), gravity=3)
        for gravity in gravities:
            universe.outcome(name, "fine", committed=D(2016, 12, 1), dealt_with=D(2017, 1, 5), gravity=gravity)
    entries = universe.entries("2016Q4", as_at=FINAL)
    from reoffkit.engine import CountingRules, further_offences

    people, outcomes, _ = universe.frames()
    offences = further_offences(entries, outcomes, rules=CountingRules(), as_at=FINAL)
    table = dict(zip(*seriousness(entries, offences).select("comparison", "reoffenders").to_dict(as_series=False).values()))
    assert table == {"more serious": 1, "as serious": 1, "less serious": 1, "not known": 1}
    gravity = gravity_table(entries, offences)
    assert gravity.filter(pl.col("gravity") == 3)["index_offences"].item() == 5
    assert gravity.filter(pl.col("gravity") == 1)["further_offences"].item() == 2
