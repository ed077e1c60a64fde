"""Ethnic disproportionality: each ethnic group at every stage of a service's work, set against the
10–17 population and against White children.

Pure: frames and numbers in, frames and text out (no Django, no I/O, no clock). The rules are
docs/rules.md §15; the method is written out for readers in ``docs/disproportionality.md``, the
decisions in ``docs/adr/0010``.

Stages (children counted once per stage, however many cohort entries they have in the period)
    ==================== ============================================ =============================
    stage                who                                          rate per
    ==================== ============================================ =============================
    entered_cohort       children with a cohort entry in the period   1,000 of the group's 10–17
                                                                      population
    first_time_entrants  children whose first caution or conviction   1,000 of the population
                         in the case file falls in the period (only
                         when the file holds earlier outcomes)
    remanded             children remanded in the period (only when   1,000 of the population
                         the outcome types have a ``remand`` tier)
    pre_court            entered at a pre-court disposal              100 who entered the cohort
    court                entered at a court sentence                  100 who entered the cohort
    first_tier           entered at a first-tier sentence             100 sentenced in court
    community            entered at a community sentence              100 sentenced in court
    custody              entered on release from custody              100 sentenced in court
    reoffended           reoffended within the follow-up              100 who entered the cohort
    further_offences     further offences (offences, not children)    100 who entered the cohort
    early_reoffending    early-reoffending alert (first further       100 who reoffended
                         offence within ``early_months``)
    prolific             prolific alert (``prolific_threshold``+)     100 who reoffended
    ==================== ============================================ =============================

A custodial sentence enters the cohort at release, so the custody stage is the children released
from custody in the period.

Relative rate index (RRI) of a group at a stage: its rate ÷ White children's rate,
``(a/A) ÷ (b/B)``, with a 95% interval on the log scale — ``SE(ln RRI) = √(1/a − 1/A + 1/b − 1/B)``
for children (a of A), ``√(1/a + 1/b)`` for further offences (a count over A children). Worked:
30 of 1,000 against 60 of 6,000 gives 3.0 (1.95 to 4.63). Over- or under-representation is
claimed only when the interval lies wholly above or below 1, and never from fewer than
``MIN_COUNT`` children of the group or of White children at the stage.

Records are classified by one scheme at a time (``codes.ETHNICITY_SCHEMES``): self-defined (five
groups) or officer-observed (four). Children recorded under another scheme are left out and
counted; a population stage is set against the population only when the population is recorded
under the same scheme. Children whose ethnicity is not known are a group of their own; the
completeness of recording is rated red/amber/green and every index is recomputed as if they were
all in the group, or all White (the sensitivity of the finding).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Mapping, Sequence

import polars as pl

from reoffkit.engine.codes import DEFAULT_ETHNICITY_SCHEME, ETHNICITY_SCHEMES, SCHEME_GROUPS, TIER_RANK
from reoffkit.engine.rules import CountingRules, Period
from reoffkit.engine.schema import conform

REFERENCE_GROUP = "White"
NOT_KNOWN = "Not known"
#: Fewer children than this in a group, or among White children, at a stage: too few to say.
#: The same number below which counts are suppressed in anything shared outside the service.
MIN_COUNT = 5
#: Share of children with their ethnicity recorded: green at or above the first, amber at or above
#: the second, red below.
COMPLETENESS_RAG: tuple[float, float] = (0.95, 0.90)


@dataclass(frozen=True)
class Stage:
    """A stage of the service's work. ``kind`` ``population``: a rate per 1,000 of the group's
    10–17 population; ``decision``: per 100 of the group's children at ``previous``."""

    code: str
    label: str
    kind: str
    did: str  # what the children did, for findings: "entered the cohort"
    previous: str | None = None
    unit: str = "children"  # or "offences"

    @property
    def per(self) -> int:
        return 1000 if self.kind == "population" else 100


STAGES: tuple[Stage, ...] = (
    Stage("entered_cohort", "Entered the cohort", "population", "entered the cohort"),
    Stage("first_time_entrants", "First-time entrants", "population", "became first-time entrants"),
    Stage("remanded", "Remanded", "population", "were remanded"),
    Stage("pre_court", "Pre-court disposal", "decision", "entered the cohort at a pre-court disposal", "entered_cohort"),
    Stage("court", "Sentenced in court", "decision", "were sentenced in court", "entered_cohort"),
    Stage("first_tier", "First-tier sentence", "decision", "received a first-tier sentence", "court"),
    Stage("community", "Community sentence", "decision", "received a community sentence", "court"),
    Stage("custody", "Released from custody", "decision", "were released from custody", "court"),
    Stage("reoffended", "Reoffended within the follow-up", "decision", "reoffended within the follow-up", "entered_cohort"),
    Stage("further_offences", "Further offences", "decision", "committed further offences", "entered_cohort", "offences"),
    Stage("early_reoffending", "Early reoffending alert", "decision", "reoffended early (the early-reoffending alert)", "reoffended"),
    Stage("prolific", "Prolific alert", "decision", "became prolific (the prolific alert)", "reoffended"),
)
STAGE_TABLE: dict[str, Stage] = {s.code: s for s in STAGES}
#: What the children at each stage are, as the denominator of the next: "who entered the cohort".
STAGE_WHO: dict[str, str] = {
    "entered_cohort": "who entered the cohort",
    "court": "sentenced in court",
    "reoffended": "who reoffended",
}
_REOFFENDING_STAGES = ("reoffended", "further_offences", "early_reoffending", "prolific")
_COURT_TIERS = ("first_tier", "community", "custody")

VERDICTS: dict[str, str] = {
    "over": "Over-represented",
    "under": "Under-represented",
    "no_clear_difference": "No clear difference",
    "too_few": "Too few to say",
    "no_index": "No index",
    "reference": "Reference group",
}


@dataclass(frozen=True)
class Population:
    """Children aged 10–17 by ethnic group, the denominator of the population stages.

    ``scheme``: how the figures classify ethnicity (census figures are ``self_defined``);
    ``label``: which population and year, as a page says it ("Telford and Wrekin, 2021 Census").
    """

    counts: Mapping[str, int]
    scheme: str = DEFAULT_ETHNICITY_SCHEME
    label: str = ""

    @property
    def total(self) -> int:
        return int(sum(self.counts.values()))


@dataclass(frozen=True)
class Disproportionality:
    """The figures of one period under one scheme (see the module's description).

    ``table``: one row per stage and group (the scheme's groups, then ``Not known``) with
    ``count``, ``stage_total``, ``share_of_stage`` (of all children at the stage), ``share_of_known``
    (of those whose ethnicity is known), ``base`` (the group's population or its children at the
    previous stage), ``rate`` (per ``rate_per``), ``population_share``, ``representation_ratio``
    (share of known ÷ share of population), ``rri`` with ``rri_low``/``rri_high``, ``verdict``
    (a key of ``VERDICTS``), ``reason`` (why there is no index, or why too few) and ``small`` (a
    count under ``MIN_COUNT``). ``completeness``: per stage, children, ``known``, ``not_known``,
    ``share_known`` and ``rag``. ``sensitivity``: per stage and group other than White, the index
    if every child of unknown ethnicity were in the group, or White, and whether the verdict
    ``holds`` either way.
    """

    period: Period
    as_at: dt.date
    scheme: str
    population: Population | None
    provisional: bool
    table: pl.DataFrame
    completeness: pl.DataFrame
    sensitivity: pl.DataFrame
    stages: tuple[str, ...]
    notes: tuple[str, ...] = ()
    other_scheme_children: int = 0
    population_shortfalls: tuple[tuple[str, str, int, int], ...] = field(default=())

    @property
    def scheme_label(self) -> str:
        return ETHNICITY_SCHEMES[self.scheme]

    @property
    def groups(self) -> tuple[str, ...]:
        return (*SCHEME_GROUPS[self.scheme], NOT_KNOWN)

    def row(self, stage: str, group: str) -> dict:
        return self.table.filter((pl.col("stage") == stage) & (pl.col("group") == group)).row(0, named=True)


# ---- Who is at each stage ------------------------------------------------------------------------


def _ymd(date: pl.Expr) -> pl.Expr:
    return date.dt.year().cast(pl.Int32) * 10000 + date.dt.month().cast(pl.Int32) * 100 + date.dt.day().cast(pl.Int32)


def _age_ok(day: str, rules: CountingRules) -> pl.Expr:
    age = (_ymd(pl.col(day)) - _ymd(pl.col("date_of_birth"))) // 10000
    return age.is_between(rules.min_age, rules.max_age)


def _known_by(as_at: dt.date) -> pl.Expr:
    return pl.col("outcome_date").is_not_null() & (pl.col("outcome_date") <= as_at) & (pl.col("recorded_on").is_null() | (pl.col("recorded_on") <= as_at))


def stage_members(
    entries: pl.DataFrame,
    people: pl.DataFrame,
    outcomes: pl.DataFrame,
    *,
    period: Period,
    rules: CountingRules,
    as_at: dt.date,
) -> tuple[pl.DataFrame, tuple[str, ...], tuple[str, ...]]:
    """Who is at each stage: rows ``person_id``, ``stage``, ``value`` (1 a child; for further
    offences, how many), the stages available and a note for each left out.

    ``entries`` is the engine's entry table of ``period`` (:func:`reoffkit.engine.entry_table`).
    """
    needed = {"person_id", "tier", "further_offences", "early_reoffender", "prolific"}
    if missing := needed - set(entries.columns):
        raise ValueError(f"the entry table lacks {', '.join(sorted(missing))}: give entry_table's full table")
    people = conform(people, "people")
    outcomes = conform(outcomes, "outcomes")
    tier = pl.col("tier")
    per_child = entries.lazy().group_by("person_id").agg(
        entered_cohort=pl.lit(1, pl.Int64),
        pre_court=(tier == "pre_court").any().cast(pl.Int64),
        court=tier.is_in(_COURT_TIERS).any().cast(pl.Int64),
        first_tier=(tier == "first_tier").any().cast(pl.Int64),
        community=(tier == "community").any().cast(pl.Int64),
        custody=(tier == "custody").any().cast(pl.Int64),
        reoffended=(pl.col("further_offences") > 0).any().cast(pl.Int64),
        further_offences=pl.col("further_offences").sum().cast(pl.Int64),
        early_reoffending=pl.col("early_reoffender").fill_null(False).any().cast(pl.Int64),
        prolific=pl.col("prolific").fill_null(False).any().cast(pl.Int64),
    )
    parts = [per_child.unpivot(index="person_id", variable_name="stage", value_name="value").collect()]
    available = ["entered_cohort"]
    notes: list[str] = []

    last_day = min(period.end, as_at)
    births = people.select("person_id", "date_of_birth")
    tiers = {t.code: t.tier for t in rules.outcome_types}
    tier_of = pl.col("outcome_type").replace_strict(tiers, default=None, return_dtype=pl.String)
    known = outcomes.lazy().filter(_known_by(as_at)).with_columns(tier=tier_of)

    # First-time entrants: the first caution or conviction in the file (never a breach).
    proven = known.filter(pl.col("tier").is_in(list(TIER_RANK)) & ~pl.col("breach").fill_null(False))
    if proven.filter(pl.col("outcome_date") < period.start).select(pl.len()).collect().item():
        first = (
            proven.group_by("person_id")
            .agg(pl.col("outcome_date").min())
            .filter(pl.col("outcome_date").is_between(period.start, last_day))
            .join(births.lazy(), on="person_id")
            .filter(_age_ok("outcome_date", rules))
            .select("person_id", stage=pl.lit("first_time_entrants"), value=pl.lit(1, pl.Int64))
            .collect()
        )
        parts.append(first)
        available.append("first_time_entrants")
    else:
        notes.append(
            "First-time entrants: not counted, because the case file holds no caution or conviction from before the period "
            "(a child's first one cannot be told from the rest)."
        )

    remand_types = [code for code, t in tiers.items() if t == "remand"]
    if remand_types:
        remanded = (
            known.filter(pl.col("outcome_type").is_in(remand_types) & pl.col("outcome_date").is_between(period.start, last_day))
            .join(births.lazy(), on="person_id")
            .filter(_age_ok("outcome_date", rules))
            .select("person_id")
            .unique()
            .select("person_id", stage=pl.lit("remanded"), value=pl.lit(1, pl.Int64))
            .collect()
        )
        parts.append(remanded)
        available.append("remanded")
    else:
        notes.append("Remands: not counted, because the case file's outcome types record no remands.")
    available += [s.code for s in STAGES if s.kind == "decision"]
    members = pl.concat(parts).filter(pl.col("value") > 0)
    return members, tuple(s.code for s in STAGES if s.code in available), tuple(notes)


def _groups_of(members: pl.DataFrame, people: pl.DataFrame) -> pl.DataFrame:
    people = conform(people, "people").select(
        "person_id",
        group=pl.col("ethnicity").fill_null(NOT_KNOWN),
        scheme=pl.col("ethnicity_scheme").fill_null(DEFAULT_ETHNICITY_SCHEME),
    )
    return members.join(people, on="person_id", how="left").with_columns(
        pl.col("group").fill_null(NOT_KNOWN), pl.col("scheme").fill_null(DEFAULT_ETHNICITY_SCHEME)
    )


def main_scheme(members: pl.DataFrame, people: pl.DataFrame) -> str:
    """The scheme most children entering the cohort were recorded under (self-defined on a tie)."""
    grouped = _groups_of(members.filter(pl.col("stage") == "entered_cohort"), people)
    counts = dict(grouped.group_by("scheme").len().iter_rows())
    return max(ETHNICITY_SCHEMES, key=lambda s: (counts.get(s, 0), s == DEFAULT_ETHNICITY_SCHEME))


# ---- The figures ---------------------------------------------------------------------------------

#: The two-sided 95% point of the normal distribution ("1.96").
Z95 = 1.959963984540054


@dataclass(frozen=True)
class _Side:
    """One group at one stage: ``count`` of ``base`` (its population, or its children at the stage
    before). For further offences, also the sum of each child's offences squared and how many
    children reoffended."""

    count: int
    base: float | None
    squares: float = 0.0
    reoffenders: int = 0

    def __add__(self, other: "_Side") -> "_Side":
        return _Side(self.count + other.count, (self.base or 0) + (other.base or 0), self.squares + other.squares, self.reoffenders + other.reoffenders)


def relative_rate_index(a: int, big_a: float, b: int, big_b: float) -> tuple[float | None, float | None, float | None]:
    """``(a/A) ÷ (b/B)`` for children (a of A against b of B) with its 95% log-scale interval,
    ``SE(ln) = √(1/a − 1/A + 1/b − 1/B)``; ``None`` where undefined (no interval when a is 0).

    ``relative_rate_index(30, 1000, 60, 6000)`` → (3.0, 1.945…, 4.626…).
    """
    if not big_a or not big_b or not b or a > big_a or b > big_b:
        return None, None, None
    rri = (a / big_a) / (b / big_b)
    if not a:
        return rri, None, None
    # Katz's log interval, as statsmodels' confint_proportions_2indep(method="log", compare="ratio")
    # computes it (the tests check the two agree); written out here because it is called for
    # every cell of every period and the library call costs milliseconds each.
    se = math.sqrt(1 / a - 1 / big_a + 1 / b - 1 / big_b)
    return rri, math.exp(math.log(rri) - Z95 * se), math.exp(math.log(rri) + Z95 * se)


def offence_rate_index(side: _Side, white: _Side) -> tuple[float | None, float | None, float | None]:
    """Further offences per child of a group ÷ White children's, with a 95% log-scale interval
    from each group's own spread of offences per child (a few prolific children commit most
    offences, so they are not Poisson): ``SE(ln) = √(Va/(A·ma²) + Vb/(B·mb²))``, ``m`` the mean
    and ``V`` the sample variance of offences per child (it is ``√(1/a + 1/b)`` were they Poisson)."""
    if not side.base or not white.base or not white.count:
        return None, None, None
    mean_a, mean_b = side.count / side.base, white.count / white.base
    rri = mean_a / mean_b
    if not side.count:
        return rri, None, None

    def term(s: _Side, mean: float) -> float:
        variance = (s.squares - s.count**2 / s.base) / (s.base - 1) if s.base > 1 else 0.0  # type: ignore[operator]
        return variance / (s.base * mean**2)  # type: ignore[operator]

    se = math.sqrt(term(side, mean_a) + term(white, mean_b))
    return rri, math.exp(math.log(rri) - Z95 * se), math.exp(math.log(rri) + Z95 * se)


def _no_white(stage: Stage, *, previous: bool = False) -> str:
    if previous:
        where = f"no White children {STAGE_WHO[stage.previous]}"  # type: ignore[index]
    elif stage.unit == "offences":
        where = "no further offences by White children"
    else:
        where = "no White children at this stage"
    return f"{where[0].upper()}{where[1:]}, so no index: each group is compared with White children."


def _too_few(stage: Stage, group: str, side: _Side, white: _Side, min_count: int) -> str | None:
    """Why there are too few children to claim anything, or ``None``. The log-scale interval
    needs ``min_count`` or more children at the stage in the group and among White children and,
    at a decision stage, as many who were not at it."""
    parts = []
    for name, s in ((group, side), (REFERENCE_GROUP, white)):
        if stage.unit == "offences":
            if s.reoffenders < min_count:
                parts.append(f"fewer than {min_count} {name} children reoffended")
        elif s.count < min_count:
            parts.append(f"fewer than {min_count} {name} children at this stage")
        elif stage.kind == "decision" and (s.base or 0) - s.count < min_count:
            parts.append(f"fewer than {min_count} of the {name} children {STAGE_WHO[stage.previous]} were not at this stage")  # type: ignore[index]
    return f"Too few to say: {' and '.join(parts)}." if parts else None


def _index(stage: Stage, group: str, side: _Side, white: _Side, min_count: int, reason_without_base: str) -> dict:
    """The index of ``side`` against ``white``: ``rri``, ``rri_low``, ``rri_high``, ``verdict``, ``reason``."""
    none = {"rri": None, "rri_low": None, "rri_high": None, "verdict": "no_index"}
    if not side.base:
        return {**none, "reason": reason_without_base.format(group=group)}
    if not white.base or not white.count:
        return {**none, "reason": _no_white(stage, previous=not white.base)}
    if stage.unit == "children" and (side.count > side.base or white.count > white.base):
        return {**none, "reason": "More children at this stage than in the population the rate is taken of: check the population figures."}
    rri, low, high = offence_rate_index(side, white) if stage.unit == "offences" else relative_rate_index(side.count, side.base, white.count, white.base)
    reason = _too_few(stage, group, side, white, min_count)
    if reason:
        # No interval from a handful of children: it would say nothing, and where a group's rate
        # is 0% or 100% (2 of 2) the log-scale interval collapses to a misleadingly narrow band.
        verdict, low, high = "too_few", None, None
    elif low is not None and low > 1:
        verdict = "over"
    elif high is not None and high < 1:
        verdict = "under"
    else:
        verdict = "no_clear_difference"
    return {"rri": rri, "rri_low": low, "rri_high": high, "verdict": verdict, "reason": reason}


def _stage_rows(
    stage: Stage,
    sides: Mapping[str, _Side],
    groups: Sequence[str],
    *,
    population: Population | None,
    min_count: int,
    reason_without_base: str,
) -> list[dict]:
    """The rows of one stage (see :class:`Disproportionality`)."""
    total = sum(sides[g].count for g in groups)
    known = total - sides[NOT_KNOWN].count
    white = sides[REFERENCE_GROUP]
    rows = []
    for group in groups:
        side = sides[group]
        population_share = None
        if population is not None and population.total and group in population.counts:
            population_share = population.counts[group] / population.total
        share_of_known = side.count / known if group != NOT_KNOWN and known else None
        row = {
            "stage": stage.code,
            "stage_label": stage.label,
            "kind": stage.kind,
            "unit": stage.unit,
            "group": group,
            "count": side.count,
            "stage_total": total,
            "share_of_stage": side.count / total if total else None,
            "share_of_known": share_of_known,
            "base": side.base,
            "rate": side.count / side.base * stage.per if side.base else None,
            "rate_per": stage.per,
            "population_share": population_share,
            "representation_ratio": share_of_known / population_share if share_of_known is not None and population_share else None,
            "small": side.count < min_count,
        }
        if group == REFERENCE_GROUP:
            row.update(rri=1.0 if row["rate"] else None, rri_low=None, rri_high=None, verdict="reference", reason="White children are the group every index compares with.")
        elif group == NOT_KNOWN:
            row.update(rri=None, rri_low=None, rri_high=None, verdict="no_index", reason="Ethnicity not known: no index (see the completeness and sensitivity figures).")
        else:
            row.update(_index(stage, group, side, white, min_count, reason_without_base))
        rows.append(row)
    return rows


TABLE_SCHEMA: dict[str, pl.DataType] = {
    "stage": pl.String(), "stage_label": pl.String(), "kind": pl.String(), "unit": pl.String(), "group": pl.String(),
    "count": pl.Int64(), "stage_total": pl.Int64(), "share_of_stage": pl.Float64(), "share_of_known": pl.Float64(),
    "base": pl.Float64(), "rate": pl.Float64(), "rate_per": pl.Int64(), "population_share": pl.Float64(),
    "representation_ratio": pl.Float64(), "rri": pl.Float64(), "rri_low": pl.Float64(), "rri_high": pl.Float64(),
    "verdict": pl.String(), "reason": pl.String(), "small": pl.Boolean(),
}


def _population_reason(population: Population | None, scheme: str) -> str:
    if population is None:
        return "No population figures given, so no rate per 1,000 and no index."
    if population.scheme != scheme:
        return (
            f"The population figures are {ETHNICITY_SCHEMES[population.scheme].lower()} and these records "
            f"{ETHNICITY_SCHEMES[scheme].lower()}: the two are never set against each other."
        )
    return "No population figure for {group} children, so no rate and no index."


def _sides(
    members: pl.DataFrame, stages: Sequence[str], groups: Sequence[str], *, scheme: str, population: Population | None
) -> tuple[dict[str, dict[str, _Side]], dict[str, str]]:
    """Each stage's :class:`_Side` per group, and the reason a group without a base has no index."""
    summed = members.group_by("stage", "group").agg(pl.col("value").sum().alias("count"), (pl.col("value") ** 2).sum().alias("squares"))
    counts = {(code, group): (int(count), float(squares)) for code, group, count, squares in summed.iter_rows()}
    comparable = population is not None and population.scheme == scheme
    sides: dict[str, dict[str, _Side]] = {}
    reasons: dict[str, str] = {}
    for code in stages:
        stage = STAGE_TABLE[code]
        sides[code] = {}
        for group in groups:
            count, squares = counts.get((code, group), (0, 0.0))
            if stage.kind == "population":
                base = population.counts.get(group) if comparable and group != NOT_KNOWN else None  # type: ignore[union-attr]
            else:
                base = sides[stage.previous][group].count  # type: ignore[index]
            reoffenders = counts.get(("reoffended", group), (0, 0.0))[0] if stage.unit == "offences" else 0
            sides[code][group] = _Side(count, base, squares, reoffenders)
        reasons[code] = (
            _population_reason(population, scheme)
            if stage.kind == "population"
            else f"No {{group}} children {STAGE_WHO[stage.previous]}, so no rate and no index."  # type: ignore[index]
        )
    return sides, reasons


def _completeness(table: pl.DataFrame, rag: tuple[float, float]) -> pl.DataFrame:
    green, amber = rag
    return (
        table.group_by("stage", maintain_order=True)
        .agg(
            stage_label=pl.col("stage_label").first(),
            unit=pl.col("unit").first(),
            total=pl.col("count").sum(),
            not_known=pl.col("count").filter(pl.col("group") == NOT_KNOWN).sum(),
        )
        .with_columns(known=pl.col("total") - pl.col("not_known"))
        .with_columns(share_known=pl.when(pl.col("total") > 0).then(pl.col("known") / pl.col("total")))
        .with_columns(
            rag=pl.when(pl.col("share_known").is_null())
            .then(None)
            .when(pl.col("share_known") >= green)
            .then(pl.lit("green"))
            .when(pl.col("share_known") >= amber)
            .then(pl.lit("amber"))
            .otherwise(pl.lit("red"))
        )
        .select("stage", "stage_label", "unit", "total", "known", "not_known", "share_known", "rag")
    )


SENSITIVITY_SCHEMA: dict[str, pl.DataType] = {
    "stage": pl.String(), "stage_label": pl.String(), "group": pl.String(), "not_known": pl.Int64(), "rri": pl.Float64(), "verdict": pl.String(),
    **{f"{k}_if_{n}": pl.Float64() for n in ("in_group", "white") for k in ("rri", "low", "high")},
    "verdict_if_in_group": pl.String(), "verdict_if_white": pl.String(), "holds": pl.Boolean(),
}


def _sensitivity(table: pl.DataFrame, sides: Mapping[str, Mapping[str, _Side]], reasons: Mapping[str, str], min_count: int) -> pl.DataFrame:
    """Each index recomputed with every child (or offence) of unknown ethnicity moved into the
    group, and into White — the two ends between which the truth lies. At a population stage
    the population stays as it is (those children are in it already)."""
    rows = []
    for row in table.filter(~pl.col("group").is_in([REFERENCE_GROUP, NOT_KNOWN])).iter_rows(named=True):
        code, group = row["stage"], row["group"]
        stage = STAGE_TABLE[code]
        side, white, unknown = sides[code][group], sides[code][REFERENCE_GROUP], sides[code][NOT_KNOWN]
        result = {"stage": code, "stage_label": stage.label, "group": group, "not_known": unknown.count, "rri": row["rri"], "verdict": row["verdict"]}
        for name, (a, b) in {"in_group": (side + unknown, white), "white": (side, white + unknown)}.items():
            moved = _index(stage, group, a, b, min_count, reasons[code])
            result.update({f"rri_if_{name}": moved["rri"], f"low_if_{name}": moved["rri_low"], f"high_if_{name}": moved["rri_high"], f"verdict_if_{name}": moved["verdict"]})
        result["holds"] = result["verdict_if_in_group"] == row["verdict"] == result["verdict_if_white"]
        rows.append(result)
    return pl.DataFrame(rows, schema=SENSITIVITY_SCHEMA)


def disproportionality(
    entries: pl.DataFrame,
    people: pl.DataFrame,
    outcomes: pl.DataFrame,
    population: Population | None,
    *,
    period: Period,
    rules: CountingRules,
    as_at: dt.date,
    scheme: str | None = None,
    min_count: int = MIN_COUNT,
    completeness_rag: tuple[float, float] = COMPLETENESS_RAG,
) -> Disproportionality:
    """Every stage and group of ``period`` (see the module's description).

    ``entries``: the entry table of ``period`` (:func:`reoffkit.engine.entry_table`); ``people``
    and ``outcomes`` the frames it was made from (for each child's scheme, first-time entrants and
    remands). ``scheme``: the classification to use (default: the one most children entering the
    cohort were recorded under); children recorded under the other are left out and counted.
    """
    members, stages, notes = stage_members(entries, people, outcomes, period=period, rules=rules, as_at=as_at)
    members = _groups_of(members, people)
    scheme = scheme or main_scheme(members, people)
    if scheme not in ETHNICITY_SCHEMES:
        raise ValueError(f"unknown ethnicity scheme {scheme!r}; expected one of {', '.join(ETHNICITY_SCHEMES)}")
    other = members.filter(pl.col("scheme") != scheme)
    other_children = other["person_id"].n_unique()
    members = members.filter(pl.col("scheme") == scheme)
    groups = (*SCHEME_GROUPS[scheme], NOT_KNOWN)
    if stray := sorted(set(members["group"].unique()) - set(groups)):
        raise ValueError(f"{ETHNICITY_SCHEMES[scheme]} has no group {', '.join(stray)}")
    sides, reasons = _sides(members, stages, groups, scheme=scheme, population=population)
    rows = [
        row
        for code in stages
        for row in _stage_rows(STAGE_TABLE[code], sides[code], groups, population=population if population is not None and population.scheme == scheme else None, min_count=min_count, reason_without_base=reasons[code])
    ]
    table = pl.DataFrame(rows, schema=TABLE_SCHEMA)
    notes = list(notes)
    if other_children:
        notes.append(
            f"{other_children} children recorded under another scheme ({', '.join(sorted(ETHNICITY_SCHEMES[s] for s in set(other['scheme'])))}) "
            "are left out: schemes are never mixed in one figure."
        )
    provisional = as_at < period.follow_up_complete_on(rules)
    if provisional:
        notes.append(
            f"Follow-up is not complete until {period.follow_up_complete_on(rules):%-d %B %Y}: the reoffending stages are provisional and may grow."
        )
    shortfalls = tuple(
        (r["group"], r["stage"], r["count"], int(r["base"]))
        for r in table.filter((pl.col("kind") == "population") & pl.col("base").is_not_null() & (pl.col("count") > pl.col("base"))).iter_rows(named=True)
    )
    return Disproportionality(
        period=period,
        as_at=as_at,
        scheme=scheme,
        population=population,
        provisional=provisional,
        table=table,
        completeness=_completeness(table, completeness_rag),
        sensitivity=_sensitivity(table, sides, reasons, min_count),
        stages=stages,
        notes=tuple(notes),
        other_scheme_children=other_children,
        population_shortfalls=shortfalls,
    )


def trend(results: Sequence[Disproportionality]) -> pl.DataFrame:
    """The index of every group at every stage across ``results`` (one per period, oldest first):
    ``period`` (its label), ``period_start``, then the table's stage, group, count and index columns."""
    frames = [
        r.table.filter(~pl.col("group").is_in([REFERENCE_GROUP, NOT_KNOWN])).select(
            pl.lit(r.period.label).alias("period"),
            pl.lit(r.period.start).alias("period_start"),
            "stage", "stage_label", "group", "count", "rate", "rri", "rri_low", "rri_high", "verdict",
        )
        for r in results
    ]
    if not frames:
        return pl.DataFrame(schema={"period": pl.String, "period_start": pl.Date, **{k: TABLE_SCHEMA[k] for k in ("stage", "stage_label", "group", "count", "rate", "rri", "rri_low", "rri_high", "verdict")}})
    return pl.concat(frames)


# ---- Findings ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """One sentence a page or a board report can print: which group, which stage, how large, how
    sure. ``kind``: a verdict key, ``too_few_stage``, ``no_white`` or ``completeness``."""

    kind: str
    stage: str
    group: str | None
    text: str
    rri: float | None = None
    rri_low: float | None = None
    rri_high: float | None = None
    holds: bool | None = None


def _n(count: int, shared: bool, min_count: int) -> str:
    return f"fewer than {min_count}" if shared and 0 < count < min_count else f"{count:,}"


def _rate(rate: float | None, per: int) -> str:
    return "–" if rate is None else f"{rate:.1f} per {per:,}"


def _index_text(rri: float, low: float | None, high: float | None) -> str:
    interval = f" (95% interval {low:.2f} to {high:.2f})" if low is not None and high is not None else ""
    return f"{rri:.2f}{interval}"


def _sure(sens: Mapping | None, shared: bool, min_count: int, hidden: bool) -> tuple[str, bool | None]:
    """How the finding moves if the children of unknown ethnicity were all in the group, or all
    White. ``hidden``: their number is withheld, so neither it nor the indices it changes are quoted."""
    if sens is None or not sens["not_known"]:
        return "", None
    offences = STAGE_TABLE[sens["stage"]].unit == "offences"
    plural = "offences" if offences else "children"
    if hidden:
        what = f"the {plural}"
    else:
        n = _n(sens["not_known"], shared, min_count)
        what = f"the {n} {('offence' if offences else 'child') if sens['not_known'] == 1 else plural}"
    if sens["holds"]:
        return f" It holds wherever {what} of unknown ethnicity belong.", True
    if hidden:
        return f" It could change with {what} of unknown ethnicity.", False
    moves = []
    for name, where in (("white", "all White"), ("in_group", f"all {sens['group']}")):
        if sens[f"verdict_if_{name}"] != sens["verdict"] and sens[f"rri_if_{name}"] is not None:
            moves.append(f"if they were {where} the index would be {_index_text(sens[f'rri_if_{name}'], sens[f'low_if_{name}'], sens[f'high_if_{name}'])}")
    return f" It could change with {what} of unknown ethnicity: {'; '.join(moves)}.", False


def findings(
    result: Disproportionality, *, shared: bool = False, withheld: frozenset | set = frozenset(), min_count: int = MIN_COUNT
) -> list[Finding]:
    """The findings of ``result`` in words, computed from its figures: every over- or
    under-representation first (stage order), then the stages with no clear difference, too few
    children or no White children, then the completeness of recording.

    ``shared``: for figures leaving the service — counts under ``min_count`` are written "fewer
    than 5", and a finding whose figures include a cell in ``withheld`` (``(stage, group)`` or
    ``(stage, "All")``, see :func:`reoffkit.disclosure.withheld_cells`) says what it found without
    the numbers that would give that cell away.
    """
    by = {(r["stage"], r["group"]): r for r in result.table.iter_rows(named=True)}
    sens = {(r["stage"], r["group"]): r for r in result.sensitivity.iter_rows(named=True)}
    if shared:  # small counts are withheld whether or not the caller listed them
        withheld = set(withheld) | {key for key, r in by.items() if 0 < r["count"] < min_count}
        withheld |= {(r["stage"], "All") for r in by.values() if 0 < r["stage_total"] < min_count}
    claims: list[Finding] = []
    others: list[Finding] = []

    def hides(code: str, *groups: str) -> bool:
        stage = STAGE_TABLE[code]
        cells = [(code, g) for g in groups] + ([(stage.previous, g) for g in groups] if stage.previous else [])
        return any(cell in withheld for cell in cells)

    for code in result.stages:
        stage = STAGE_TABLE[code]
        white = by[(code, REFERENCE_GROUP)]
        rows = [by[(code, g)] for g in SCHEME_GROUPS[result.scheme] if g != REFERENCE_GROUP]
        clear = []
        for row in rows:
            if row["verdict"] not in ("over", "under"):
                continue
            group = row["group"]
            clear.append(group)
            verdict = VERDICTS[row["verdict"]].lower()
            where = "above" if row["verdict"] == "over" else "below"
            sure, holds = _sure(sens.get((code, group)), shared, min_count, hidden=(code, NOT_KNOWN) in withheld)
            if hides(code, group, REFERENCE_GROUP):
                text = (
                    f"{stage.label}: {group} children were {verdict} against White children (the interval lies wholly {where} 1). "
                    f"The index and counts are withheld from shared figures: they would reveal a small count.{sure}"
                )
                claims.append(Finding(row["verdict"], code, group, text, holds=holds))
                continue
            size = f"{row['rri']:.2f} times"
            if stage.kind == "population":
                who = f"{group} children {stage.did} at {size} the rate of White children"
                counts = (
                    f"{_n(row['count'], shared, min_count)} of {int(row['base']):,} {group} children aged 10–17 ({_rate(row['rate'], stage.per)}) "
                    f"against {_n(white['count'], shared, min_count)} of {int(white['base']):,} White children ({_rate(white['rate'], stage.per)})"
                )
            else:
                of = STAGE_WHO[stage.previous]  # type: ignore[index]
                who = f"Of the children {of}, {group} children {stage.did} at {size} the rate of White children"
                counts = (
                    f"{_n(row['count'], shared, min_count)} {stage.unit} for {int(row['base']):,} {group} children ({_rate(row['rate'], stage.per)}) "
                    f"against {_n(white['count'], shared, min_count)} for {int(white['base']):,} White children ({_rate(white['rate'], stage.per)})"
                    if stage.unit == "offences"
                    else f"{_n(row['count'], shared, min_count)} of {int(row['base']):,} ({_rate(row['rate'], stage.per)}) "
                    f"against {_n(white['count'], shared, min_count)} of {int(white['base']):,} ({_rate(white['rate'], stage.per)})"
                )
            text = (
                f"{stage.label}: {who}, an index of {_index_text(row['rri'], row['rri_low'], row['rri_high'])}: {counts}. "
                f"{VERDICTS[row['verdict']]}: the interval lies wholly {where} 1.{sure}"
            )
            claims.append(Finding(row["verdict"], code, group, text, row["rri"], row["rri_low"], row["rri_high"], holds))
        if white["count"] == 0:
            others.append(Finding("no_white", code, None, f"{stage.label}: {_no_white(stage)}"))
            continue
        unclear = [r for r in rows if r["verdict"] == "no_clear_difference"]
        if unclear:
            listed = "; ".join(
                r["group"] if hides(code, r["group"], REFERENCE_GROUP) else f"{r['group']} {_index_text(r['rri'], r['rri_low'], r['rri_high'])}"
                for r in unclear
            )
            others.append(Finding("no_clear_difference", code, None, f"{stage.label}: no clear difference from White children for {listed} — each interval includes 1."))
        if not clear and not unclear and any(r["verdict"] == "too_few" or (r["verdict"] == "no_index" and r["base"]) for r in rows):
            others.append(
                Finding(
                    "too_few_stage", code, None,
                    f"{stage.label}: too few children to say anything — an index needs {min_count} or more children of the group and "
                    f"{min_count} or more White children at the stage (and, after the first stage, as many who were not at it). "
                    "Pool more periods to say more.",
                )
            )
    completeness = []
    for row in result.completeness.filter(pl.col("stage") == "entered_cohort").iter_rows(named=True):
        if not row["total"]:
            continue
        if not shared or not (("entered_cohort", NOT_KNOWN) in withheld or ("entered_cohort", "All") in withheld):
            text = (
                f"Ethnicity is recorded for {row['share_known']:.0%} of the children who entered the cohort "
                f"({_n(row['not_known'], shared, min_count)} not known): {row['rag']}."
            )
        elif 0 < row["not_known"] < min_count:
            text = f"Ethnicity is recorded for all but fewer than {min_count} of the children who entered the cohort: {row['rag']}."
        else:
            text = f"Ethnicity is not known for some of the children who entered the cohort (the number is withheld): {row['rag']}."
        completeness.append(Finding("completeness", row["stage"], None, text))
    return claims + others + completeness
