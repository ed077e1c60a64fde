"""The counting rules written plainly in pandas, independently of the engine, as the benchmark's
baseline and as a second implementation to check the engine's numbers against.

The rules of docs/rules.md §1–§5 with default settings: qualifying outcomes (not breaches) enter
the cohort at the outcome date, custody at release, if recorded by the as-at date; the first such
event per child per quarter (ties to the most serious tier, then the higher gravity, the outcome
type's code and the outcome id) is the index, and the child is in the cohort if aged 10–17 on it;
further offences proven (not breaches, not informal outcomes), committed after the index date up to
12 months after it, proven within 18 months and by the as-at date (and recorded by then), never the
index event itself. The assessment at entry
is the latest on or before the index date, else the first within 90 days after it; on one day the
more intensive level, the higher band, the higher score, then the tool.

It imports nothing from the engine but the code lists (outcome types and their tiers, the
vocabularies), which are data. ``read_and_check`` is the baseline's reading and checking of a case
file; it checks less than the product's reader (see docs/benchmarks.md).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

TIER_RANK = {"custody": 0, "community": 1, "first_tier": 2, "pre_court": 3}
LEVEL_RANK = {"intensive": 0, "enhanced": 1, "standard": 2}
BAND_RANK = {"high": 0, "medium": 1, "low": 2}
ALL_QUARTERS = "all"  # the quarter label of the aggregated period's rows
CROSS = ("sex", "tier")  # the two-field breakdown (service × quarter × sex × tier)


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


def _flag(column: pd.Series) -> pd.Series:
    return column.fillna(False).astype(bool)


def entries(people: pd.DataFrame, outcomes: pd.DataFrame, tiers: pd.DataFrame, start, end, as_at) -> pd.DataFrame:
    events = outcomes.merge(tiers, on="outcome_type")
    events = events[
        events["tier"].isin(TIER_RANK.keys())
        & ~_flag(events["breach"])
        & (events["recorded_on"].isna() | (events["recorded_on"] <= as_at))
    ].copy()
    events["index_date"] = events["release_date"].where(events["tier"] == "custody", events["outcome_date"])
    events = events[(events["index_date"] >= start) & (events["index_date"] <= min(end, as_at))]
    events = events.merge(people, on="person_id")
    events["tier_rank"] = events["tier"].map(TIER_RANK)
    events["quarter"] = events["index_date"].dt.year.astype(str) + "Q" + events["index_date"].dt.quarter.astype(str)
    events["neg_gravity"] = -events["gravity"].fillna(0)
    events = events.sort_values(["person_id", "quarter", "index_date", "tier_rank", "neg_gravity", "outcome_type", "outcome_id"], kind="stable")
    first = events.drop_duplicates(["person_id", "quarter"], keep="first").copy()
    # The age on the first event decides: a later event in the quarter never stands in for it.
    first["age_at_index"] = age_on(first["date_of_birth"], first["index_date"])
    return first[(first["age_at_index"] >= 10) & (first["age_at_index"] <= 17)]


def count_further(entry: pd.DataFrame, outcomes: pd.DataFrame, tiers: pd.DataFrame, as_at) -> pd.Series:
    proven = outcomes.merge(tiers, on="outcome_type")
    known_on = proven["recorded_on"].fillna(proven["outcome_date"]).fillna(proven["offence_date"])
    proven = proven[
        proven["tier"].isin(TIER_RANK.keys())
        & ~_flag(proven["breach"])
        & proven["outcome_date"].notna()
        & (proven["outcome_date"] <= as_at)
        & (known_on <= as_at)
    ][["person_id", "outcome_id", "offence_date", "outcome_date"]]
    windows = entry[["person_id", "quarter", "index_date", "outcome_id"]].rename(columns={"outcome_id": "index_outcome_id"})
    windows["follow_up_end"] = add_months(windows["index_date"], 12)
    windows["proven_by"] = add_months(windows["index_date"], 18)
    joined = windows.merge(proven, on="person_id")
    counted = joined[
        (joined["offence_date"] > joined["index_date"])
        & (joined["offence_date"] <= joined["follow_up_end"])
        & (joined["outcome_date"] <= joined["proven_by"])
        & (joined["outcome_id"] != joined["index_outcome_id"])
    ]
    return counted.groupby(["person_id", "quarter"]).size()


def breakdown_labels(entry: pd.DataFrame, field: str) -> pd.Series:
    if field == "age":
        return entry["age_at_index"].astype(str)
    if field == "age_group":
        return pd.Series(np.where(entry["age_at_index"] <= 14, "10-14", "15-17"), index=entry.index)
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
    joined["level_rank"] = joined["intervention_level"].map(LEVEL_RANK).fillna(3)
    joined["band_rank"] = joined["likelihood_band"].map(BAND_RANK).fillna(3)
    joined = joined.sort_values(
        ["person_id", "quarter", "after", "distance", "level_rank", "band_rank", "score", "tool"],
        ascending=[True, True, True, True, True, True, False, True],
        na_position="last",
        kind="stable",
    ).drop_duplicates(["person_id", "quarter"])
    return joined[["person_id", "quarter", "likelihood_band", "intervention_level"]]


def entry_frame(people, outcomes, assessments, tiers, start, end, as_at) -> pd.DataFrame:
    """One row per cohort entry with its further offences and the assessment at entry."""
    entry = entries(people, outcomes, tiers, start, end, as_at)
    entry = entry.merge(assessment_at_entry(entry, assessments), on=["person_id", "quarter"], how="left")
    further = count_further(entry, outcomes, tiers, as_at).rename("further_offences")
    entry = entry.merge(further, left_on=["person_id", "quarter"], right_index=True, how="left")
    entry["further_offences"] = entry["further_offences"].fillna(0).astype(int)
    entry["reoffended"] = entry["further_offences"] > 0
    entry["service"] = entry["service"].fillna("not known")
    return entry


def _grouped(entry: pd.DataFrame, keys: list[str], field: str) -> pd.DataFrame:
    grouped = (
        entry.groupby(keys)
        .agg(cohort_size=("person_id", "size"), reoffenders=("reoffended", "sum"), reoffences=("further_offences", "sum"))
        .reset_index()
    )
    if "quarter" not in keys:
        grouped["quarter"] = ALL_QUARTERS
    grouped["field"] = field
    return grouped[["service", "quarter", "field", "group", "cohort_size", "reoffenders", "reoffences"]]


def all_breakdowns(people, outcomes, assessments, tiers, start, end, as_at, fields) -> pd.DataFrame:
    """Cohort size, reoffenders and reoffences for every service × quarter × field × group, and for
    the aggregated period (every service × field × group over all its quarters, quarter ``all``),
    and the same for the two-field breakdown ``CROSS`` (group ``sex|tier``)."""
    entry = entry_frame(people, outcomes, assessments, tiers, start, end, as_at)
    frames = []
    for field in fields:
        labelled = entry.assign(group=breakdown_labels(entry, field))
        frames += [_grouped(labelled, ["service", "quarter", "group"], field), _grouped(labelled, ["service", "group"], field)]
    labelled = entry.assign(group=breakdown_labels(entry, CROSS[0]) + "|" + breakdown_labels(entry, CROSS[1]))
    name = ",".join(CROSS)
    frames += [_grouped(labelled, ["service", "quarter", "group"], name), _grouped(labelled, ["service", "group"], name)]
    return pd.concat(frames, ignore_index=True)


# Reading and checking a case file ---------------------------------------------------------------

DATES = {
    "people": ["date_of_birth"],
    "outcomes": ["offence_date", "outcome_date", "release_date", "recorded_on"],
    "assessments": ["assessment_date"],
}
NEEDED = {
    "people": ["person_id", "service", "date_of_birth", "sex", "ethnicity", "looked_after", "district", "yot_caseload"],
    "outcomes": ["outcome_id", "person_id", "offence_date", "outcome_date", "outcome_type", "release_date", "gravity", "breach", "recorded_on"],
    "assessments": ["person_id", "assessment_date", "tool", "score", "likelihood_band", "intervention_level"],
}


class CaseFileProblems(Exception):
    """The baseline's checks found values the counting cannot use."""


def _read_text(source: Path, sheet: str) -> pd.DataFrame:
    """One sheet's columns that counting needs: text from CSV, the cells' own types from .xlsx."""
    if source.suffix.lower() == ".xlsx":  # cells keep their types (dates, numbers): parsed as they are
        frame = pd.read_excel(source, sheet_name=sheet, engine="calamine")
    else:
        frame = pd.read_csv(source / f"{sheet}.csv", engine="pyarrow", dtype=str)
    for column in NEEDED[sheet]:
        if column not in frame.columns:
            frame[column] = pd.Series(pd.NA, index=frame.index, dtype="str")
    return frame[NEEDED[sheet]].copy()  # blank cells are already missing; values are not trimmed


def read_and_check(source: Path, today: dt.date, outcome_types, vocabularies: dict[str, tuple[str, ...]]) -> dict[str, pd.DataFrame]:
    """People, outcomes and assessments of a CSV folder or an .xlsx workbook, typed and checked:
    required values present, dates real (ISO) and not in the future, codes in their lists,
    yes/no flags, whole gravity 1–8 and score 0–100, outcome ids and person ids unique, every
    outcome's and assessment's child listed. Raises :class:`CaseFileProblems` naming each failed
    check and how many rows fail it."""
    today = pd.Timestamp(today)
    frames = {sheet: _read_text(source, sheet) for sheet in NEEDED}
    failures: dict[str, int] = {}

    def fail(name: str, rows: pd.Series) -> None:
        count = int(rows.sum())
        if count:
            failures[name] = failures.get(name, 0) + count

    for sheet, frame in frames.items():
        for column in DATES[sheet]:
            text = frame[column]
            parsed = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
            fail(f"{sheet}.{column}: not a date", text.notna() & parsed.isna())
            fail(f"{sheet}.{column}: in the future", parsed > today)
            frame[column] = parsed
    people, outcomes, assessments = frames["people"], frames["outcomes"], frames["assessments"]
    for sheet, frame, required in (
        ("people", people, ["person_id", "date_of_birth"]),
        ("outcomes", outcomes, ["outcome_id", "person_id", "offence_date", "outcome_type"]),
        ("assessments", assessments, ["person_id", "assessment_date", "tool"]),
    ):
        for column in required:
            fail(f"{sheet}.{column}: blank", frame[column].isna())
    for sheet, frame, column, allowed in (
        ("people", people, "sex", vocabularies["sex"]),
        ("people", people, "ethnicity", vocabularies["ethnicity"]),
        ("outcomes", outcomes, "outcome_type", tuple(t.code for t in outcome_types)),
        ("assessments", assessments, "tool", vocabularies["tool"]),
        ("assessments", assessments, "likelihood_band", vocabularies["likelihood_band"]),
        ("assessments", assessments, "intervention_level", vocabularies["intervention_level"]),
    ):
        fail(f"{sheet}.{column}: not a code", frame[column].notna() & ~frame[column].isin(allowed))
    for sheet, frame, column in (("people", people, "looked_after"), ("people", people, "yot_caseload"), ("outcomes", outcomes, "breach")):
        text = frame[column]
        fail(f"{sheet}.{column}: not yes or no", text.notna() & (text != "yes") & (text != "no"))
        frame[column] = (text == "yes").astype("boolean").mask(text.isna())
    for sheet, frame, column, low, high, whole in (
        ("outcomes", outcomes, "outcome_id", None, None, True),
        ("outcomes", outcomes, "gravity", 1, 8, True),
        ("assessments", assessments, "score", 0, 100, False),
    ):
        try:  # the fast strict cast; value by value only when something is not a number
            number = frame[column].astype("float64")
        except (ValueError, TypeError):
            number = pd.to_numeric(frame[column], errors="coerce")
        bad = frame[column].notna() & number.isna()
        if whole:
            bad |= number.notna() & (number != number.round())
        if low is not None:
            bad |= (number < low) | (number > high)
        fail(f"{sheet}.{column}: out of range", bad)
        frame[column] = number.astype("Int64") if whole else number
    fail("people.person_id: repeated", people["person_id"].notna() & people["person_id"].duplicated(keep=False))
    fail("outcomes.outcome_id: repeated", outcomes["outcome_id"].notna() & outcomes["outcome_id"].duplicated(keep=False))
    listed = pd.Index(people["person_id"].dropna().unique())  # a hash table (Series.isin is several times slower on str)
    for sheet, frame in (("outcomes", outcomes), ("assessments", assessments)):
        fail(f"{sheet}.person_id: not in people", frame["person_id"].notna() & (listed.get_indexer(frame["person_id"]) < 0))
    if failures:
        raise CaseFileProblems("; ".join(f"{name} ({count:,} rows)" for name, count in failures.items()))
    return frames


def tier_frame(outcome_types) -> pd.DataFrame:
    return pd.DataFrame({"outcome_type": [t.code for t in outcome_types], "tier": [t.tier for t in outcome_types]})
