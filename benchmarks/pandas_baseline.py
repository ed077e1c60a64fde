"""The counting rules written plainly in pandas, independently of the engine, as the benchmark's
baseline and as a second implementation to check the engine's numbers against.

Same rules as docs/rules.md §1–§5 with default settings: qualifying outcomes (not breaches) enter the
cohort at the outcome date, custody at release; age 10–17 on the index date; first event per child
per quarter, ties to the most serious tier; further offences proven, not breaches, committed after
the index date up to 12 months after it and proven within 18 months and by the as-at date.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

TIER_RANK = {"custody": 0, "community": 1, "first_tier": 2, "pre_court": 3}


def add_months(dates: pd.Series, months: int) -> pd.Series:
    """Calendar months later, the day clamped to the end of the month (vectorised)."""
    year = dates.dt.year.to_numpy()
    month = dates.dt.month.to_numpy() - 1 + months
    day = dates.dt.day.to_numpy()
    year = year + month // 12
    month = month % 12 + 1
    first = pd.to_datetime({"year": year, "month": month, "day": 1})
    last_day = first.dt.days_in_month.to_numpy()
    later = first + pd.to_timedelta(np.minimum(day, last_day) - 1, unit="D")
    return pd.Series(later.to_numpy(), index=dates.index)  # aligned with the input, whatever its index


def age_on(born: pd.Series, day: pd.Series) -> pd.Series:
    had_birthday = (day.dt.month * 100 + day.dt.day) >= (born.dt.month * 100 + born.dt.day)
    return day.dt.year - born.dt.year - (~had_birthday).astype(int)


def entries(people: pd.DataFrame, outcomes: pd.DataFrame, tiers: pd.DataFrame, start, end, as_at) -> pd.DataFrame:
    events = outcomes.merge(tiers, on="outcome_type")
    events = events[events["tier"].isin(TIER_RANK.keys()) & ~events["breach"].fillna(False).astype(bool)].copy()
    events["index_date"] = np.where(events["tier"] == "custody", events["release_date"], events["outcome_date"])
    events["index_date"] = pd.to_datetime(events["index_date"])
    events = events[(events["index_date"] >= start) & (events["index_date"] <= min(end, as_at))]
    events = events.merge(people, on="person_id")
    events["age_at_index"] = age_on(events["date_of_birth"], events["index_date"])
    events = events[(events["age_at_index"] >= 10) & (events["age_at_index"] <= 17)].copy()
    events["tier_rank"] = events["tier"].map(TIER_RANK)
    events["quarter"] = events["index_date"].dt.year.astype(str) + "Q" + events["index_date"].dt.quarter.astype(str)
    events["neg_gravity"] = -events["gravity"].fillna(-1)
    events = events.sort_values(["person_id", "quarter", "index_date", "tier_rank", "neg_gravity", "outcome_type", "outcome_id"], kind="stable")
    return events.drop_duplicates(["person_id", "quarter"], keep="first")


def count_further(entry: pd.DataFrame, outcomes: pd.DataFrame, tiers: pd.DataFrame, as_at) -> pd.Series:
    proven = outcomes.merge(tiers, on="outcome_type")
    proven = proven[
        proven["tier"].isin(TIER_RANK.keys())
        & ~proven["breach"].fillna(False).astype(bool)
        & proven["outcome_date"].notna()
        & (proven["outcome_date"] <= as_at)
    ][["person_id", "offence_date", "outcome_date"]]
    windows = entry[["person_id", "quarter", "index_date"]].copy()
    windows["follow_up_end"] = add_months(windows["index_date"], 12)
    windows["proven_by"] = add_months(windows["index_date"], 18)
    joined = windows.merge(proven, on="person_id")
    counted = joined[
        (joined["offence_date"] > joined["index_date"])
        & (joined["offence_date"] <= joined["follow_up_end"])
        & (joined["outcome_date"] <= joined["proven_by"])
    ]
    return counted.groupby(["person_id", "quarter"]).size()


def breakdown_labels(entry: pd.DataFrame, field: str) -> pd.Series:
    if field == "age":
        return entry["age_at_index"].astype(str)
    if field == "age_group":
        return np.where(entry["age_at_index"] <= 14, "10-14", "15-17")
    if field in ("looked_after", "yot_caseload"):
        return entry[field].map({True: "yes", False: "no"}).fillna("not known")
    if field in ("intervention_level", "likelihood_band"):
        return entry[field].fillna("not assessed")
    if field == "ethnicity":
        return entry[field].fillna("Not known")
    if field == "index_disposal":
        return entry["outcome_type"]
    return entry[field].fillna("not known")


def assessment_at_entry(entry: pd.DataFrame, assessments: pd.DataFrame, grace_days: int = 90) -> pd.DataFrame:
    joined = entry[["person_id", "quarter", "index_date"]].merge(assessments, on="person_id")
    joined = joined[joined["assessment_date"] <= joined["index_date"] + pd.Timedelta(days=grace_days)].copy()
    joined["after"] = joined["assessment_date"] > joined["index_date"]
    joined["distance"] = (joined["assessment_date"] - joined["index_date"]).dt.days.abs()
    # Two assessments on one day are a tie the rules do not settle; the stable sort keeps file order.
    joined = joined.sort_values(["person_id", "quarter", "after", "distance"], kind="stable").drop_duplicates(["person_id", "quarter"])
    return joined[["person_id", "quarter", "likelihood_band", "intervention_level"]]


def all_breakdowns(people, outcomes, assessments, tiers, start, end, as_at, fields) -> pd.DataFrame:
    """Cohort size, reoffenders and reoffences for every service × quarter × field × group."""
    entry = entries(people, outcomes, tiers, start, end, as_at)
    entry = entry.merge(assessment_at_entry(entry, assessments), on=["person_id", "quarter"], how="left")
    further = count_further(entry, outcomes, tiers, as_at).rename("further_offences")
    entry = entry.merge(further, left_on=["person_id", "quarter"], right_index=True, how="left")
    entry["further_offences"] = entry["further_offences"].fillna(0).astype(int)
    entry["reoffended"] = entry["further_offences"] > 0
    frames = []
    for field in fields:
        grouped = (
            entry.assign(group=breakdown_labels(entry, field))
            .groupby(["service", "quarter", "group"])
            .agg(cohort_size=("person_id", "size"), reoffenders=("reoffended", "sum"), reoffences=("further_offences", "sum"))
            .reset_index()
        )
        grouped.insert(2, "field", field)
        frames.append(grouped)
    return pd.concat(frames, ignore_index=True)
