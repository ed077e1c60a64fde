"""Who is in the cohort, and which further offences count against each entry.

The rules (docs/rules.md §1–§4), with the example a reader can check by hand:

Cohort entry
    A child enters the cohort of a quarter with their **first qualifying event** in it: a caution
    (youth caution, youth conditional caution; reprimand or final warning before April 2013), a
    non-custodial conviction, or a **release** from custody (a custodial sentence enters at its
    release date, not its sentence date). Community resolutions, no further action and offences
    not yet proven never create an entry; nor does a breach. Same-day ties are broken by tier:
    custody release > community > first-tier > pre-court. The child must be aged
    ``min_age``–``max_age`` (10–17) on the date of that first event: a later event in the quarter
    never stands in for a first one outside the range, so a child is in the youth or the adult
    cohort of a quarter, never both. One entry per child per quarter; in an aggregated period a
    child may have one entry in each quarter (old method: one per period).

Follow-up of an entry (index date 15 Oct 2016)::

    15 Oct 2016      16 Oct 2016 ........ 15 Oct 2017          15 Apr 2018
    index date  ---> committed from here  to here inclusive --> proven (caution / conviction)
                                                                on or before here

    An offence committed on 15 Oct 2016 itself, or before it, never counts (even if proven
    later); one committed 16 Oct 2017 does not count; one proven 16 Apr 2018 does not count.

Each offence (an outcomes row) counts once per entry, whatever hearing dealt with it: three
offences sentenced together are three further offences. An entry's index event is never one of its
own further offences, whatever its dates say. Breaches count only when
``include_breaches``; charged or admitted offences (and proven ones whose outcome came after the
as-at date) only when ``include_unproven``. With an ``as_at`` date, only what was known by then
counts: entries with an index date on or before it, offences recorded (``recorded_on``, else the
outcome date, else the offence date) on or before it, proven if their outcome date is on or before
it.
"""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import polars as pl

from reoffkit.engine.codes import TIER_RANK
from reoffkit.engine.rules import CountingRules, Period, add_months
from reoffkit.engine.schema import conform

ENTRY_KEY = ["person_id", "entry_quarter"]

# How it is computed, for speed (national files: millions of outcome rows; docs/benchmarks.md).
# Children are matched on two 64-bit hashes of ``person_id`` (different seeds) instead of the
# strings: rows are joined on the first and kept only when the second agrees too, so two
# different ids would have to collide in both at once to be confused (about 1 in 10^38 a pair).
# Joins yield row-number pairs on that narrow key; the wide columns are gathered once, for the
# rows that survive. Outcome types are looked up through an Enum of the rules' codes, not a join,
# and date arithmetic is done once per calendar day in range and looked up (``_by_day``). The
# counting rules are exactly those above.
_HASH_SEEDS = (0x5EED_0001, 0x5EED_0002)


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


_EPOCH = dt.date(1970, 1, 1)
_MOST_DAYS_TABULATED = 200_000  # about 550 years


def _bounds(dates: pl.Series) -> tuple[dt.date, dt.date] | None:
    first, last = dates.min(), dates.max()
    return None if first is None or (last - first).days >= _MOST_DAYS_TABULATED else (first, last)


def _by_day(date: pl.Expr, bounds: tuple[dt.date, dt.date] | None, fn) -> pl.Expr:
    """``fn(date)``, worked out once per calendar day between ``bounds`` (which every value of
    ``date`` lies within) and looked up: date arithmetic is costly per row, and a cohort's dates
    span a few thousand days at most. Without bounds, ``fn(date)`` row by row."""
    if bounds is None:
        return fn(date)
    days = pl.date_range(bounds[0], bounds[1], eager=True).to_frame("day").select(fn(pl.col("day"))).to_series()
    return pl.lit(days).gather(date.cast(pl.Int32) - (bounds[0] - _EPOCH).days)


def _ymd(date: pl.Expr) -> pl.Expr:
    """``date`` as the number yyyymmdd: (yyyymmdd of a day - yyyymmdd of a birth) // 10000 is the
    age on that day, exactly as :func:`_age_on` counts it."""
    return date.dt.year().cast(pl.Int32) * 10000 + date.dt.month().cast(pl.Int32) * 100 + date.dt.day().cast(pl.Int32)


def _person_hashes(column: str = "person_id") -> list[pl.Expr]:
    """The two hashes children are matched on (null where the id is null, so it matches nothing)."""
    present = pl.col(column).is_not_null()
    return [pl.when(present).then(pl.col(column).hash(seed)).alias(name) for seed, name in zip(_HASH_SEEDS, ("h1", "h2"))]


def _pairs(left: pl.Series, right: pl.Series) -> pl.DataFrame:
    """Row numbers ``li``, ``ri`` of every pair of rows whose keys are equal (an inner join on one
    64-bit column that carries nothing else along)."""
    return (
        pl.LazyFrame({"h1": left})
        .with_columns(li=pl.int_range(pl.len(), dtype=pl.UInt32))
        .join(pl.LazyFrame({"h1": right}).with_columns(ri=pl.int_range(pl.len(), dtype=pl.UInt32)), on="h1", how="inner")
        .select("li", "ri")
        .collect()
    )


def _aligned(frame: pl.DataFrame, position: str, n: int) -> pl.DataFrame:
    """``frame``'s other columns placed at row ``position`` (unique, in ``0..n-1``) of an
    ``n``-row frame; nulls in the rows it does not mention."""
    rows = np.full(n, -1, dtype=np.int64)
    rows[frame[position].to_numpy()] = np.arange(frame.height)
    index = pl.Series(rows)
    index = pl.select(pl.when(index >= 0).then(index)).to_series()
    return frame.lazy().drop(position).select(pl.all().gather(index)).collect()


@dataclass(frozen=True)
class _Types:
    """The rules' outcome types, numbered in code order (the tie order of the index event)."""

    codes: list[str]
    qualifying: list[int]
    custody: list[int]
    proven: list[int]
    offences: list[int]
    tier_rank: pl.Series
    tier: pl.Series

    @classmethod
    def of(cls, rules: CountingRules) -> "_Types":
        by_code = {t.code: t for t in rules.outcome_types}
        codes = sorted(by_code)
        return cls(
            codes=codes,
            qualifying=[i for i, c in enumerate(codes) if TIER_RANK.get(by_code[c].tier) is not None],
            custody=[i for i, c in enumerate(codes) if by_code[c].tier == "custody"],
            proven=[i for i, c in enumerate(codes) if by_code[c].proven],
            # informal outcomes (community resolution, no further action) are not offences proven
            offences=[i for i, c in enumerate(codes) if by_code[c].proven or by_code[c].tier == "unproven"],
            tier_rank=pl.Series([TIER_RANK.get(by_code[c].tier) for c in codes], dtype=pl.Int64),
            tier=pl.Series([by_code[c].tier for c in codes], dtype=pl.String),
        )


def _events(
    outcomes: pl.DataFrame,
    types: _Types,
    *,
    rules: CountingRules,
    as_at: dt.date,
    index_between: tuple[dt.date, dt.date] | None,
    offences_between: tuple[dt.date, dt.date] | None,
) -> pl.DataFrame:
    """The outcome rows that can be an index event (index date within ``index_between``) or a
    further offence (committed after the first and on or before the second date of
    ``offences_between``, which only narrows the search: each entry's own window is applied
    later), flagged ``is_index`` / ``is_offence``, with the child's hashes and ``orow``, the row
    number in ``outcomes``."""
    t = pl.col("type_code")
    breach = pl.col("breach").fill_null(False)
    is_index = pl.lit(False)
    if index_between is not None:
        is_index = (
            t.is_in(types.qualifying)
            & ~breach
            & pl.col("index_date").is_between(*index_between)
            & (pl.col("recorded_on").is_null() | (pl.col("recorded_on") <= as_at))
        )
    is_offence = pl.lit(False)
    if offences_between is not None:
        is_offence = (
            t.is_in(types.offences)
            & (pl.lit(rules.include_breaches) | ~breach)
            & (pl.col("known_on") <= as_at)
            & (pl.col("proven") | pl.lit(rules.include_unproven))
            & (pl.col("offence_date") > offences_between[0])
            & (pl.col("offence_date") <= offences_between[1])
        )
    return (
        outcomes.lazy()
        .with_row_index("orow")
        .filter(pl.col("person_id").is_not_null())
        .with_columns(type_code=pl.col("outcome_type").cast(pl.Enum(types.codes), strict=False).to_physical().cast(pl.Int64))
        .with_columns(
            index_date=pl.when(t.is_in(types.custody)).then(pl.col("release_date")).otherwise(pl.col("outcome_date")),
            proven=t.is_in(types.proven) & pl.col("outcome_date").is_not_null() & (pl.col("outcome_date") <= as_at),
            known_on=pl.coalesce("recorded_on", "outcome_date", "offence_date"),
        )
        .with_columns(is_index=is_index.fill_null(False), is_offence=is_offence.fill_null(False))
        .filter(pl.col("is_index") | pl.col("is_offence"))
        .select(
            "orow", *_person_hashes(), "type_code", "index_date", "outcome_id", "gravity",
            "offence_date", "outcome_date", "proven", "known_on", "is_index", "is_offence",
        )
        .collect()
    )


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
    types = _Types.of(rules)
    events = _events(outcomes, types, rules=rules, as_at=as_at, index_between=(period.start, min(period.end, as_at)), offences_between=None)
    return _cohort_entries(people, outcomes, events, types, period=period, rules=rules)


def _cohort_entries(
    people: pl.DataFrame,
    outcomes: pl.DataFrame,
    events: pl.DataFrame,
    types: _Types,
    *,
    period: Period,
    rules: CountingRules,
    full: bool = True,
) -> pl.DataFrame:
    """The entries chosen from ``events`` (see :func:`_events`): every column of
    :func:`cohort_entries`, or with ``full=False`` only those the measures and the search for
    further offences need."""
    index_events = events.filter("is_index")
    keys = people.lazy().select(*_person_hashes(), "date_of_birth").collect()
    index_days, birth_days = _bounds(index_events["index_date"]), _bounds(keys["date_of_birth"])
    matched = _pairs(index_events["h1"], keys["h1"])
    # The first event of each child in each quarter (old method: period), ties broken by tier,
    # then higher gravity, then outcome type, then outcome id — packed into one 64-bit key so the
    # choice is a grouped minimum rather than a sort of every event.
    t = pl.col("type_code")
    tie_key = (pl.col("index_date").cast(pl.Int64) * 4 + pl.lit(types.tier_rank).gather(t)) * 16 + (
        15 - pl.col("gravity").fill_null(0).cast(pl.Int64).clip(0, 15)
    )
    tie_key = (tie_key * 64 + t) * (1 << 31) + pl.col("outcome_id").cast(pl.Int64).clip(0, (1 << 31) - 1)
    quarters = period.quarters if period.method == "aggregated_quarters" else 1
    group = pl.col("pk").cast(pl.Int64) * quarters + ((pl.col("index_quarter") - period.first_quarter) if quarters > 1 else 0)
    chosen = (
        pl.concat(
            [
                index_events.lazy().select(pl.col("orow", "h2", "index_date", "type_code", "gravity", "outcome_id").gather(matched["li"])),
                keys.lazy().select(
                    pl.col("h2").gather(matched["ri"]).alias("person_h2"),
                    pl.col("date_of_birth").gather(matched["ri"]),
                    pl.lit(matched["ri"]).alias("pk"),
                ),
            ],
            how="horizontal",
        )
        .filter(pl.col("h2") == pl.col("person_h2"))
        .with_columns(index_quarter=_by_day(pl.col("index_date"), index_days, _quarter_key))
        .with_columns(tie_key=tie_key, group=group)
        .filter(pl.col("tie_key") == pl.col("tie_key").min().over("group"))
        # The age range is applied to the chosen event, not before choosing: the index is the first
        # qualifying event of the quarter, whatever the child's age, and the age on it decides
        # whether the child is in this cohort (so never in the youth and the adult cohort at once).
        .with_columns(
            age_at_index=(
                (_by_day(pl.col("index_date"), index_days, _ymd) - _by_day(pl.col("date_of_birth"), birth_days, _ymd)) // 10000
            ).cast(pl.Int16)
        )
        .filter(pl.col("age_at_index").is_between(rules.min_age, rules.max_age))
        # In time order; the tie key is unique per event, so the order never depends on input order.
        .sort("tie_key")
        .collect()
    )
    entry_quarter = pl.col("index_quarter") if period.method == "aggregated_quarters" else pl.lit(period.first_quarter)
    people_columns = ["service", "person_id", "pnc_id", "sex", "ethnicity", "looked_after", "district", "yot_caseload"]
    outcome_columns = ["outcome_type", "offence_type"]
    columns = [
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
    ]
    if not full:
        people_columns = ["service", "person_id", "sex", "ethnicity", "looked_after", "district", "yot_caseload"]
        outcome_columns = ["outcome_type"]
        columns = [
            "service", "person_id", "quarter", "entry_quarter", "index_date", pl.col("outcome_id").alias("index_outcome_id"),
            pl.col("outcome_type").alias("index_disposal"),
            "tier", "age_at_index", "age_group", "sex", "ethnicity", "looked_after", "district", "yot_caseload",
            "follow_up_end", "proven_by",
        ]
    return (
        pl.concat(
            [
                chosen.lazy(),
                people.lazy().select(pl.col(people_columns).gather(chosen["pk"])),
                outcomes.lazy().select(pl.col(outcome_columns).gather(chosen["orow"])),
            ],
            how="horizontal",
        )
        .with_columns(
            quarter=_by_day(pl.col("index_date"), index_days, lambda day: _quarter_label_expr(_quarter_key(day))),
            entry_quarter=entry_quarter,
            tier=pl.lit(types.tier).gather(t),
            follow_up_end=_by_day(pl.col("index_date"), index_days, lambda day: _months_later(day, rules.follow_up_months)),
            proven_by=_by_day(
                pl.col("index_date"), index_days, lambda day: _months_later(day, rules.follow_up_months + rules.waiting_months)
            ),
            eighteenth_birthday=_by_day(pl.col("date_of_birth"), birth_days, lambda day: _birthday(day, 18)),
        )
        .with_columns(
            turns_18_in_follow_up=(pl.col("eighteenth_birthday") > pl.col("index_date"))
            & (pl.col("eighteenth_birthday") <= pl.col("follow_up_end")),
            age_group=_age_group(pl.col("age_at_index")),
        )
        .select(columns)
        .with_row_index("entry_id")
        .collect()
    )


def _offence_window(entries: pl.DataFrame) -> tuple[dt.date, dt.date] | None:
    """The dates a further offence of any of ``entries`` can fall between (see :func:`_events`)."""
    if entries.height == 0:
        return None
    bounds = entries.select(pl.col("index_date").min().alias("first"), pl.col("follow_up_end").max().alias("last")).row(0)
    return None if None in bounds else bounds


def _matched_offences(entries: pl.DataFrame, candidates: pl.DataFrame, entry_hashes: pl.DataFrame | None = None) -> pl.DataFrame:
    """Row ``pos`` of ``entries`` and row ``crow`` of ``candidates`` (see :func:`_events`) for
    every further offence that counts against the entry. The entry's own index event is never one
    of them, whatever its dates say (an outcome dated before its offence, or a release before its
    sentence, would otherwise put the index offence after the index date)."""
    if entry_hashes is None:
        entry_hashes = entries.select(_person_hashes())
    matched = _pairs(entry_hashes["h1"], candidates["h1"])
    return (
        pl.concat(
            [
                pl.LazyFrame({"pos": matched["li"], "crow": matched["ri"]}),
                entries.lazy().select(pl.col("index_date", "follow_up_end", "proven_by", "index_outcome_id").gather(matched["li"])),
                entry_hashes.lazy().select(pl.col("h2").gather(matched["li"]).alias("person_h2")),
                candidates.lazy().select(pl.col("h2", "outcome_id", "offence_date", "outcome_date", "proven").gather(matched["ri"])),
            ],
            how="horizontal",
        )
        .filter(
            (pl.col("h2") == pl.col("person_h2"))
            & pl.col("outcome_id").ne_missing(pl.col("index_outcome_id"))
            & (pl.col("offence_date") > pl.col("index_date"))
            & (pl.col("offence_date") <= pl.col("follow_up_end"))
            & (~pl.col("proven") | (pl.col("outcome_date") <= pl.col("proven_by")))
        )
        .select("pos", "crow")
        .collect()
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
    types = _Types.of(rules)
    window = _offence_window(entries)
    candidates = _events(outcomes, types, rules=rules, as_at=as_at, index_between=None, offences_between=window)
    if window is None:
        candidates = candidates.clear()
    matched = _matched_offences(entries, candidates)
    rows = candidates["orow"].gather(matched["crow"])
    return (
        pl.concat(
            [
                entries.lazy().select(pl.col("entry_id", *ENTRY_KEY).gather(matched["pos"])),
                outcomes.lazy().select(
                    pl.col("outcome_id", "offence_date", "outcome_date", "outcome_type", "offence_type", "gravity", "breach").gather(rows)
                ),
                candidates.lazy().select(pl.col("proven", "known_on").gather(matched["crow"])),
            ],
            how="horizontal",
        )
        .sort(["entry_id", "offence_date", "outcome_id"])
        .collect()
    )


_LEVEL_RANK = {"intensive": 0, "enhanced": 1, "standard": 2}
_BAND_RANK = {"high": 0, "medium": 1, "low": 2}


def _ranked_assessments(assessments: pl.DataFrame) -> pl.DataFrame:
    return assessments.lazy().select(
        *_person_hashes(),
        "assessment_date",
        level=pl.col("intervention_level").replace_strict(_LEVEL_RANK, default=3, return_dtype=pl.Int64),
        band=pl.col("likelihood_band").replace_strict(_BAND_RANK, default=3, return_dtype=pl.Int64),
    ).collect()


def _assessment_rows(
    entries: pl.DataFrame,
    assessments: pl.DataFrame,
    *,
    rules: CountingRules,
    entry_hashes: pl.DataFrame | None = None,
    ranked: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Row ``pos`` of ``entries`` and row ``arow`` of ``assessments`` of the assessment in force at
    each entry that has one, in ``pos`` order (see :func:`assessment_at_entry` for the rule)."""
    none = pl.DataFrame(schema={"pos": pl.UInt32, "arow": pl.UInt32})
    if entries.height == 0 or assessments.height == 0:
        return none
    if entry_hashes is None:
        entry_hashes = entries.select(_person_hashes())
    if ranked is None:
        ranked = _ranked_assessments(assessments)
    matched = _pairs(entry_hashes["h1"], ranked["h1"])
    joined = (
        pl.concat(
            [
                pl.LazyFrame({"pos": matched["li"], "arow": matched["ri"]}),
                entries.lazy().select(pl.col("index_date").gather(matched["li"])),
                entry_hashes.lazy().select(pl.col("h2").gather(matched["li"]).alias("person_h2")),
                ranked.lazy().select(pl.col("h2", "assessment_date", "level", "band").gather(matched["ri"])),
            ],
            how="horizontal",
        )
        .filter(
            (pl.col("h2") == pl.col("person_h2"))
            & (pl.col("assessment_date") <= pl.col("index_date") + pl.duration(days=rules.assessment_grace_days))
        )
        .select(
            "pos", "arow", "level", "band",
            day=pl.col("assessment_date").cast(pl.Int64),
            after=pl.col("assessment_date") > pl.col("index_date"),
        )
        .collect()
    )
    if joined.height == 0:
        return none
    # The latest on or before the index date, else the earliest after it — one number per row,
    # smaller is better — then the more intensive level and the higher band, packed into one key
    # (with the entry's position too when it fits in 64 bits, so the choice is one integer sort).
    first_day, last_day = joined["day"].min(), joined["day"].max()
    span = last_day - first_day + 1
    nearness = pl.when(pl.col("after")).then(span + pl.col("day") - first_day).otherwise(last_day - pl.col("day"))
    ranked_rows = joined.lazy().with_columns(key=nearness * 16 + pl.col("level") * 4 + pl.col("band"))
    key_bits = (32 * span).bit_length()
    if entries.height.bit_length() + key_bits <= 62:
        order = ranked_rows.sort(pl.col("pos").cast(pl.Int64) * (1 << key_bits) + pl.col("key"))
    else:
        order = ranked_rows.sort(["pos", "key"])
    best = (
        order.with_columns(first=(pl.col("pos") != pl.col("pos").shift(1)).fill_null(True))
        .filter(pl.col("key") == pl.when("first").then(pl.col("key")).forward_fill())
        .select("pos", "arow")
        .collect()
    )
    if best.height > best["pos"].n_unique():
        # Two on the same day at the same level and band: the higher score, then the tool.
        best = (
            pl.concat([best.lazy(), assessments.lazy().select(pl.col("score", "tool").gather(best["arow"]))], how="horizontal")
            .sort(["pos", "score", "tool"], descending=[False, True, False], nulls_last=True, maintain_order=True)
            .unique("pos", keep="first", maintain_order=True)
            .select("pos", "arow")
            .collect()
        )
    return best


def _assessment_columns(assessments: pl.DataFrame) -> pl.LazyFrame:
    return assessments.lazy().select(
        "assessment_date",
        pl.col("tool").alias("assessment_tool"),
        pl.col("score").alias("assessment_score"),
        "likelihood_band",
        "intervention_level",
    )


def assessment_at_entry(entries: pl.DataFrame, assessments: pl.DataFrame, *, rules: CountingRules) -> pl.DataFrame:
    """The assessment in force at each entry: the latest on or before the index date, or failing
    that the first within ``assessment_grace_days`` after it. Entries without one are absent.
    Two on the same day: the more intensive intervention level, then the higher band, then the
    higher score."""
    assessments = conform(assessments, "assessments")
    best = _assessment_rows(entries, assessments, rules=rules)
    return (
        pl.concat(
            [
                entries.lazy().select(pl.col("entry_id").gather(best["pos"])),
                _assessment_columns(assessments).select(pl.all().gather(best["arow"])),
            ],
            how="horizontal",
        )
        .sort("entry_id", maintain_order=True)
        .collect()
    )


def _gather_or_null(frame: pl.LazyFrame, rows: pl.DataFrame, position: str, row: str, n: int) -> pl.LazyFrame:
    """``frame``'s row ``rows[row]`` at each position ``rows[position]`` of ``n``; null elsewhere."""
    index = np.full(n, -1, dtype=np.int64)
    index[rows[position].to_numpy()] = rows[row].to_numpy()
    series = pl.Series(index)
    return frame.select(pl.all().gather(pl.select(pl.when(series >= 0).then(series)).to_series()))


def _further_offending(entries: pl.DataFrame, candidates: pl.DataFrame, entry_hashes: pl.DataFrame, *, full: bool) -> pl.DataFrame:
    """Per entry (one row each, in order): how many further offences count against it, and with
    ``full`` their dates, the first and when the latest became known."""
    n = entries.height
    matched = _matched_offences(entries, candidates, entry_hashes)
    if not full:
        counts = np.bincount(matched["pos"].to_numpy(), minlength=n).astype(np.int32)
        return pl.DataFrame({"further_offences": pl.Series(counts)})
    per_entry = (
        pl.concat([matched.lazy(), candidates.lazy().select(pl.col("offence_date", "known_on").gather(matched["crow"]))], how="horizontal")
        # by entry, then date: one sort of a packed 64-bit key
        .sort(pl.col("pos").cast(pl.Int64) * (1 << 32) + pl.col("offence_date").cast(pl.Int64) + (1 << 31))
        .with_columns(pl.col("pos").set_sorted())
        .group_by("pos", maintain_order=True)
        .agg(
            further_offences=pl.len().cast(pl.Int32),
            further_offence_dates=pl.col("offence_date"),
            first_further_offence_date=pl.col("offence_date").first(),
            latest_further_offence_known_on=pl.col("known_on").max(),
        )
        .collect()
    )
    return _aligned(per_entry, "pos", n)


def _entries_with_outcomes(
    people: pl.DataFrame,
    outcomes: pl.DataFrame,
    assessments: pl.DataFrame | None,
    *,
    period: Period,
    rules: CountingRules,
    as_at: dt.date,
    full: bool,
) -> pl.DataFrame:
    people = conform(people, "people")
    outcomes = conform(outcomes, "outcomes")
    assessments = conform(assessments if assessments is not None else pl.DataFrame(), "assessments")
    types = _Types.of(rules)
    last_index = min(period.end, as_at)
    # The assessments and the further offences are worked out side by side (Polars releases the
    # GIL), which keeps both cores busy on small files.
    with ThreadPoolExecutor(max_workers=2) as pool:
        ranked = pool.submit(_ranked_assessments, assessments)
        # One pass over the outcomes finds both the possible index events and the possible further
        # offences (committed after the period starts and by the end of its last follow-up).
        events = _events(
            outcomes,
            types,
            rules=rules,
            as_at=as_at,
            index_between=(period.start, last_index),
            offences_between=(period.start, add_months(last_index, rules.follow_up_months)),
        )
        entries = _cohort_entries(people, outcomes, events, types, period=period, rules=rules, full=full)
        entry_hashes = entries.select(_person_hashes())
        per_entry = pool.submit(_further_offending, entries, events.filter("is_offence"), entry_hashes, full=full)
        best = _assessment_rows(entries, assessments, rules=rules, entry_hashes=entry_hashes, ranked=ranked.result())
        per_entry = per_entry.result()
    n = entries.height
    at_entry = _assessment_columns(assessments)
    if not full:
        at_entry = at_entry.select("likelihood_band", "intervention_level")
    at_entry = _gather_or_null(at_entry, best, "pos", "arow", n)
    table = pl.concat([entries, at_entry.collect(), per_entry], how="horizontal").lazy()
    if not full:
        return table.with_columns(reoffended=pl.col("further_offences") > 0).collect()
    follow_up_days = (pl.col("follow_up_end") - pl.col("index_date")).dt.total_days()
    return (
        table.with_columns(
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
    return _entries_with_outcomes(people, outcomes, assessments, period=period, rules=rules, as_at=as_at, full=True)


def entry_counts(
    people: pl.DataFrame,
    outcomes: pl.DataFrame,
    assessments: pl.DataFrame | None = None,
    *,
    period: Period,
    rules: CountingRules,
    as_at: dt.date,
) -> pl.DataFrame:
    """The lean :func:`entry_table`, for figures: the same entries in the same order with only the
    columns :func:`~reoffkit.engine.measures.measures` and
    :func:`~reoffkit.engine.measures.measures_by` read — ``entry_id``, service, person_id,
    quarter, entry_quarter, index_date, index_outcome_id, index_disposal, tier, age_at_index, age_group, sex,
    ethnicity, looked_after, district, yot_caseload, follow_up_end, proven_by, likelihood_band,
    intervention_level, further_offences and reoffended — each with the values
    :func:`entry_table` gives it. It skips the per-entry details only the case views need
    (offence dates, the assessment's tool, score and date, the 18th birthday, the flags).
    """
    return _entries_with_outcomes(people, outcomes, assessments, period=period, rules=rules, as_at=as_at, full=False)
