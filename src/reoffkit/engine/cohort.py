"""Who is in the cohort, and which further offences count against each entry.

The rules (DOMAIN.md §3), with the example a reader can check by hand:

Cohort entry
    A child enters the cohort of a quarter with their **first qualifying event** in it: a caution
    (youth caution, youth conditional caution; reprimand or final warning before April 2013), a
    non-custodial conviction, or a **release** from custody (a custodial sentence enters at its
    release date, not its sentence date). Community resolutions, no further action and offences
    not yet proven never create an entry; nor does a breach. The child must be aged
    ``min_age``–``max_age`` (10–17) on the index date. Same-day ties are broken by tier: custody
    release > community > first-tier > pre-court. One entry per child per quarter; in an
    aggregated period a child may have one entry in each quarter (old method: one per period).

Follow-up of an entry (index date 15 Oct 2016)::

    15 Oct 2016      16 Oct 2016 ........ 15 Oct 2017          15 Apr 2018
    index date  ---> committed from here  to here inclusive --> proven (caution / conviction)
                                                                on or before here

    An offence committed on 15 Oct 2016 itself, or before it, never counts (even if proven
    later); one committed 16 Oct 2017 does not count; one proven 16 Apr 2018 does not count.

Each offence (an outcomes row) counts once per entry, whatever hearing dealt with it: three
offences sentenced together are three further offences. Breaches count only when
``include_breaches``; charged or admitted offences (and proven ones whose outcome came after the
as-at date) only when ``include_unproven``. With an ``as_at`` date, only what was known by then
counts: entries with an index date on or before it, offences recorded (``recorded_on``, else the
outcome date, else the offence date) on or before it, proven if their outcome date is on or before
it.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from reoffkit.engine.codes import TIER_RANK
from reoffkit.engine.rules import CountingRules, Period
from reoffkit.engine.schema import conform

ENTRY_KEY = ["person_id", "entry_quarter"]


def outcome_type_frame(rules: CountingRules) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "outcome_type": [t.code for t in rules.outcome_types],
            "tier": [t.tier for t in rules.outcome_types],
            "tier_rank": [TIER_RANK.get(t.tier) for t in rules.outcome_types],
            "proven_type": [t.proven for t in rules.outcome_types],
        },
        schema={"outcome_type": pl.String, "tier": pl.String, "tier_rank": pl.Int8, "proven_type": pl.Boolean},
    )


def _quarter_key(date: pl.Expr) -> pl.Expr:
    return date.dt.year().cast(pl.Int32) * 4 + (date.dt.month().cast(pl.Int32) - 1) // 3


def _age_on(date_of_birth: pl.Expr, day: pl.Expr) -> pl.Expr:
    """Age in whole years on ``day`` (a 29 February birthday falls on 1 March in other years)."""
    had_birthday = (day.dt.month().cast(pl.Int32) * 100 + day.dt.day().cast(pl.Int32)) >= (
        date_of_birth.dt.month().cast(pl.Int32) * 100 + date_of_birth.dt.day().cast(pl.Int32)
    )
    return (day.dt.year().cast(pl.Int32) - date_of_birth.dt.year().cast(pl.Int32) - (~had_birthday).cast(pl.Int32)).cast(
        pl.Int16
    )


def _birthday(date_of_birth: pl.Expr, years: int) -> pl.Expr:
    """The day a child turns ``years`` old, consistent with :func:`_age_on` (29 Feb → 1 Mar)."""
    clamped = _months_later(date_of_birth, 12 * years)
    leapling_in_common_year = (date_of_birth.dt.month() == 2) & (date_of_birth.dt.day() == 29) & (clamped.dt.day() == 28)
    return pl.when(leapling_in_common_year).then(clamped + pl.duration(days=1)).otherwise(clamped)


def _months_later(date: pl.Expr, months: int) -> pl.Expr:
    return date.dt.offset_by(f"{months}mo")


def cohort_entries(
    people: pl.DataFrame,
    outcomes: pl.DataFrame,
    *,
    period: Period,
    rules: CountingRules,
    as_at: dt.date,
) -> pl.DataFrame:
    """One row per cohort entry of ``period`` known by ``as_at``, with the child's details at entry."""
    people = conform(people, "people")
    outcomes = conform(outcomes, "outcomes")
    index_events = (
        outcomes.lazy()
        .join(outcome_type_frame(rules).lazy(), on="outcome_type", how="inner")
        .filter(pl.col("tier_rank").is_not_null() & ~pl.col("breach").fill_null(False))
        .with_columns(
            index_date=pl.when(pl.col("tier") == "custody")
            .then(pl.col("release_date"))
            .otherwise(pl.col("outcome_date"))
        )
        .filter(
            pl.col("index_date").is_between(period.start, min(period.end, as_at))
            & (pl.col("recorded_on").is_null() | (pl.col("recorded_on") <= as_at))
        )
        .join(people.lazy().select("person_id", "date_of_birth"), on="person_id", how="inner")
        .with_columns(age_at_index=_age_on(pl.col("date_of_birth"), pl.col("index_date")))
        .filter(pl.col("age_at_index").is_between(rules.min_age, rules.max_age))
        .with_columns(
            index_quarter=_quarter_key(pl.col("index_date")),
        )
        .with_columns(
            entry_quarter=(
                pl.col("index_quarter") if period.method == "aggregated_quarters" else pl.lit(period.first_quarter)
            )
        )
    )
    # The first event of each child in each quarter (old method: period), ties broken by tier,
    # then higher gravity, then outcome type, then outcome id — packed into one 64-bit key so the
    # choice is a hash-grouped minimum rather than a sort of every event.
    type_order = {t.code: i for i, t in enumerate(sorted(rules.outcome_types, key=lambda t: t.code))}
    tie_key = (
        pl.col("index_date").cast(pl.Int64) * 4 + pl.col("tier_rank").cast(pl.Int64)
    ) * 16 + (15 - pl.col("gravity").fill_null(0).cast(pl.Int64).clip(0, 15))
    tie_key = (tie_key * 64 + pl.col("outcome_type").replace_strict(type_order, return_dtype=pl.Int64)) * (1 << 31) + pl.col(
        "outcome_id"
    ).cast(pl.Int64).clip(0, (1 << 31) - 1)
    entries = (
        index_events.with_columns(tie_key=tie_key)
        .filter(pl.col("tie_key") == pl.col("tie_key").min().over(ENTRY_KEY))
        .join(people.lazy().drop("date_of_birth"), on="person_id", how="left")
    )
    return (
        entries.with_columns(
            quarter=_quarter_label_expr(pl.col("index_quarter")),
            follow_up_end=_months_later(pl.col("index_date"), rules.follow_up_months),
            proven_by=_months_later(pl.col("index_date"), rules.follow_up_months + rules.waiting_months),
            eighteenth_birthday=_birthday(pl.col("date_of_birth"), 18),
        )
        .with_columns(
            turns_18_in_follow_up=(pl.col("eighteenth_birthday") > pl.col("index_date"))
            & (pl.col("eighteenth_birthday") <= pl.col("follow_up_end")),
            age_group=_age_group(pl.col("age_at_index")),
        )
        .select(
            "service",
            "person_id",
            "pnc_id",
            "quarter",
            "entry_quarter",
            "index_date",
            pl.col("outcome_id").alias("index_outcome_id"),
            pl.col("outcome_type").alias("index_disposal"),
            "tier",
            pl.col("offence_type").alias("index_offence_type"),
            pl.col("gravity").alias("index_gravity"),
            "date_of_birth",
            "age_at_index",
            "age_group",
            "sex",
            "ethnicity",
            "looked_after",
            "district",
            "yot_caseload",
            "follow_up_end",
            "proven_by",
            "eighteenth_birthday",
            "turns_18_in_follow_up",
            "tie_key",
        )
        # In time order; the tie key is unique per event, so the order never depends on input order.
        .sort("tie_key")
        .drop("tie_key")
        .with_row_index("entry_id")
        .collect()
    )


def _quarter_label_expr(key: pl.Expr) -> pl.Expr:
    return pl.format("{}Q{}", key // 4, key % 4 + 1)


def _age_group(age: pl.Expr) -> pl.Expr:
    return (
        pl.when(age < 10)
        .then(pl.lit("under 10"))
        .when(age <= 14)
        .then(pl.lit("10-14"))
        .when(age <= 17)
        .then(pl.lit("15-17"))
        .otherwise(pl.lit("18+"))
    )


def further_offences(
    entries: pl.DataFrame,
    outcomes: pl.DataFrame,
    *,
    rules: CountingRules,
    as_at: dt.date,
) -> pl.DataFrame:
    """One row per (cohort entry, further offence that counts against it) known by ``as_at``."""
    outcomes = conform(outcomes, "outcomes")
    candidates = (
        outcomes.lazy()
        .join(outcome_type_frame(rules).lazy(), on="outcome_type", how="inner")
        .filter(pl.lit(rules.include_breaches) | ~pl.col("breach").fill_null(False))
        .with_columns(
            proven=pl.col("proven_type") & pl.col("outcome_date").is_not_null() & (pl.col("outcome_date") <= as_at),
            known_on=pl.coalesce("recorded_on", "outcome_date", "offence_date"),
        )
        .filter(
            (pl.col("known_on") <= as_at)
            & (pl.col("proven") | pl.lit(rules.include_unproven))
            # informal outcomes (community resolution, no further action) are not offences proven
            & (pl.col("proven_type") | (pl.col("tier") == "unproven"))
        )
        .select("person_id", "outcome_id", "offence_date", "outcome_date", "outcome_type", "offence_type", "gravity", "breach", "proven", "known_on")
    )
    return (
        entries.lazy()
        .select("entry_id", *ENTRY_KEY, "index_date", "follow_up_end", "proven_by")
        .join(candidates, on="person_id", how="inner")
        .filter(
            (pl.col("offence_date") > pl.col("index_date"))
            & (pl.col("offence_date") <= pl.col("follow_up_end"))
            & (~pl.col("proven") | (pl.col("outcome_date") <= pl.col("proven_by")))
        )
        .select("entry_id", *ENTRY_KEY, "outcome_id", "offence_date", "outcome_date", "outcome_type", "offence_type", "gravity", "breach", "proven", "known_on")
        .sort(["entry_id", "offence_date", "outcome_id"])
        .collect()
    )


def assessment_at_entry(entries: pl.DataFrame, assessments: pl.DataFrame, *, rules: CountingRules) -> pl.DataFrame:
    """The assessment in force at each entry: the latest on or before the index date, or failing
    that the first within ``assessment_grace_days`` after it. Entries without one are absent.
    Two on the same day: the more intensive intervention level, then the higher band, then the
    higher score."""
    assessments = conform(assessments, "assessments")
    return (
        entries.lazy()
        .select("entry_id", "person_id", "index_date")
        .join(assessments.lazy(), on="person_id", how="inner")
        .filter(pl.col("assessment_date") <= pl.col("index_date") + pl.duration(days=rules.assessment_grace_days))
        .with_columns(
            after=pl.col("assessment_date") > pl.col("index_date"),
            distance=(pl.col("assessment_date") - pl.col("index_date")).dt.total_days().abs(),
        )
        # Same-day assessments tie on date: the fuller, more intensive record wins, so the
        # choice never depends on row order.
        .with_columns(
            level_rank=pl.col("intervention_level").replace_strict({"intensive": 0, "enhanced": 1, "standard": 2}, default=3, return_dtype=pl.Int8),
            band_rank=pl.col("likelihood_band").replace_strict({"high": 0, "medium": 1, "low": 2}, default=3, return_dtype=pl.Int8),
        )
        .sort(
            ["entry_id", "after", "distance", "level_rank", "band_rank", "score", "tool"],
            descending=[False, False, False, False, False, True, False],
            nulls_last=True,
            maintain_order=True,
        )
        .group_by("entry_id", maintain_order=True)
        .first()
        .select(
            "entry_id",
            "assessment_date",
            pl.col("tool").alias("assessment_tool"),
            pl.col("score").alias("assessment_score"),
            "likelihood_band",
            "intervention_level",
        )
        .collect()
    )


def entry_table(
    people: pl.DataFrame,
    outcomes: pl.DataFrame,
    assessments: pl.DataFrame | None = None,
    *,
    period: Period,
    rules: CountingRules,
    as_at: dt.date,
) -> pl.DataFrame:
    """One row per cohort entry with its further offending: the table every measure is built on.

    Columns: the entry (service, person_id, quarter, index date and disposal, tier, age at index
    and age group, sex, ethnicity, looked-after, district, on the YOT caseload), follow-up end and
    proven-by dates, the 18th birthday and whether it falls in follow-up, the assessment at entry
    (tool, score, likelihood band, intervention level), and the further offending: count, dates,
    first date, days to the first, early reoffender (first within ``early_months``), prolific
    (``prolific_threshold`` or more), and ``follow_up_days_elapsed`` at ``as_at``.
    """
    entries = cohort_entries(people, outcomes, period=period, rules=rules, as_at=as_at)
    offences = further_offences(entries, outcomes, rules=rules, as_at=as_at)
    per_entry = offences.group_by("entry_id").agg(
        further_offences=pl.len().cast(pl.Int32),
        further_offence_dates=pl.col("offence_date"),
        first_further_offence_date=pl.col("offence_date").min(),
        latest_further_offence_known_on=pl.col("known_on").max(),
    )
    if assessments is None:
        assessments = conform(pl.DataFrame(), "assessments")
    at_entry = assessment_at_entry(entries, assessments, rules=rules)
    follow_up_days = (pl.col("follow_up_end") - pl.col("index_date")).dt.total_days()
    return (
        entries.join(at_entry, on="entry_id", how="left")
        .join(per_entry, on="entry_id", how="left")
        .with_columns(
            further_offences=pl.col("further_offences").fill_null(0),
            further_offence_dates=pl.col("further_offence_dates").fill_null([]),
            days_to_first_further_offence=(pl.col("first_further_offence_date") - pl.col("index_date")).dt.total_days(),
            follow_up_days_elapsed=pl.min_horizontal(
                (pl.lit(as_at) - pl.col("index_date")).dt.total_days(), follow_up_days
            ),
        )
        .with_columns(
            reoffended=pl.col("further_offences") > 0,
            early_reoffender=pl.col("first_further_offence_date").is_not_null()
            & (pl.col("first_further_offence_date") <= _months_later(pl.col("index_date"), rules.early_months)),
            prolific=pl.col("further_offences") >= rules.prolific_threshold,
        )
    )
