"""In-year performance of one service or a partnership: the tables behind the performance page,
``reoffkit performance`` and their charts. Pure (no Django): frames and reference figures in.

Tables (one row each):

``live``
    every quarterly cohort still in follow-up (or in its waiting period) on ``as_at``, and the
    latest four complete quarters added together: the cohort's figures with 95% intervals, the
    national 12-month figure for its cohort basis, that figure at the same point of follow-up
    (``reoffkit.engine.performance``) and the cohort's projected 12-month figures. Local,
    modelled, not official.
``trend``
    every quarterly cohort of the last four years, final or provisional.
``reference_series``
    loaded quarterly-cohort figures (national and others) in the trend's years.
``official``
    the selected services' own official figures beside the locally tracked ones.
``in_follow_up``
    children in follow-up at each month end of the last two years.
``curve``
    share of 12-month reoffending reached by each month of follow-up.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from reoffkit import reference as ref
from reoffkit.disclosure import COUNTS, is_small, protect, protect_beside_official, protect_periods
from reoffkit.engine import CountingRules, Period, entry_table, wilson_interval
from reoffkit.engine.performance import (
    FollowUpCurve,
    follow_up_curve,
    mean_difference_test,
    mean_interval,
    project,
    two_proportion_test,
)
from reoffkit.engine.rules import add_months, quarter_of

#: The official counting rules: every comparison with national or official figures uses them.
OFFICIAL_RULES = CountingRules()
TREND_QUARTERS = 16
CURVE_QUARTERS = 8
MONTHS_IN_FOLLOW_UP_CHART = 24
SIGNIFICANCE = 0.05
MODELLED = "local, modelled — not official"

FIGURE_COLUMNS = (
    "cohort_size", "reoffenders", "reoffences",
    "binary_rate", "binary_ci_low", "binary_ci_high",
    "frequency_rate", "frequency_ci_low", "frequency_ci_high",
    "reoffences_per_reoffender", "per_reoffender_ci_low", "per_reoffender_ci_high",
)


def is_official(rules: CountingRules) -> bool:
    """Whether ``rules`` count as the official measure does (ages, unproven offences, breaches,
    follow-up and waiting): only then may figures be set beside national or official ones."""
    keys = ("min_age", "max_age", "include_unproven", "include_breaches", "follow_up_months", "waiting_months")
    return all(getattr(rules, key) == getattr(OFFICIAL_RULES, key) for key in keys)


def counting_words(rules: CountingRules) -> str:
    """The counting choices behind a figure, in words."""
    unproven = "charged and admitted offences as well as proven ones" if rules.include_unproven else "proven offences only"
    breaches = "breaches counted" if rules.include_breaches else "breaches not counted"
    words = f"{unproven}; {breaches}; ages {rules.min_age} to {rules.max_age} at entry"
    return ("official rules: " if is_official(rules) else "not the official rules: ") + words


def cohort_figures(entries: pl.DataFrame) -> dict:
    """Counts and rates of a cohort's entry table, each rate with its 95% interval."""
    counts = entries["further_offences"].to_numpy() if entries.height else np.zeros(0)
    n, reoffenders, reoffences = counts.size, int((counts > 0).sum()), int(counts.sum())
    low, high = wilson_interval(np.array([reoffenders]), np.array([n]))
    rate = reoffenders / n if n else None
    frequency = mean_interval(counts)
    per_reoffender = mean_interval(counts[counts > 0])
    return {
        "cohort_size": n,
        "reoffenders": reoffenders,
        "reoffences": reoffences,
        "binary_rate": rate,
        # (clamped so floating-point noise never puts the rate outside its own interval)
        "binary_ci_low": None if rate is None else min(float(low[0]), rate),
        "binary_ci_high": None if rate is None else max(float(high[0]), rate),
        "frequency_rate": reoffences / n if n else None,
        "frequency_ci_low": frequency[0],
        "frequency_ci_high": frequency[1],
        "reoffences_per_reoffender": reoffences / reoffenders if reoffenders else None,
        "per_reoffender_ci_low": per_reoffender[0],
        "per_reoffender_ci_high": per_reoffender[1],
    }


@dataclass(frozen=True)
class PerformanceReport:
    areas: tuple[str, ...]
    as_at: dt.date
    rules: CountingRules
    curve: FollowUpCurve
    live: pl.DataFrame
    trend: pl.DataFrame
    reference_series: pl.DataFrame
    official: pl.DataFrame
    in_follow_up: pl.DataFrame
    findings: dict[str, str] = field(default_factory=dict)
    #: the national figures for quarterly cohorts: each quarter's own where published, else the newest
    national_quarters: tuple = ()
    #: the (cohort, count) cells withheld from people who may not see children's records, and of
    #: those the ones withheld because they are small ("fewer than 5"; the others would give one away)
    withheld: frozenset = frozenset()
    small: frozenset = frozenset()
    #: the follow-up curve as shown (coarsened for people who may not see children's records)
    shown_curve: pl.DataFrame | None = None

    def curve_table(self) -> pl.DataFrame:
        return self.curve.table() if self.shown_curve is None else self.shown_curve
    #: Whether the report's rules are the official ones (else no national or official comparison).
    comparable: bool = True
    counting: str = ""

    @property
    def area_label(self) -> str:
        if len(self.areas) == 1:
            return self.areas[0]
        return f"the partnership of {', '.join(self.areas[:-1])} and {self.areas[-1]}"

    def tables(self) -> dict[str, pl.DataFrame]:
        return {
            "live": self.live,
            "trend": self.trend,
            "reference_series": self.reference_series,
            "official": self.official,
            "in_follow_up": self.in_follow_up,
            "curve": self.curve_table(),
        }


def four_quarters(row: dict) -> str:
    """The aggregate of the latest four complete quarters, named by its dates (one name everywhere)."""
    return f"the four quarters {row['months']} ({row['cohort']}) added together"


def _period_row(period: Period, basis: str, entries: pl.DataFrame, rules: CountingRules, as_at: dt.date) -> dict:
    complete_on = period.follow_up_complete_on(rules)
    return {
        "cohort": period.label,
        "months": period.dates,
        "cohort_basis": basis,
        "period_start": period.start,
        "period_end": period.end,
        "status": "provisional" if as_at < complete_on else "final",
        "months_elapsed": period.follow_up_months_elapsed(as_at, rules),
        "final_on": complete_on,
        **cohort_figures(entries),
    }


def _in_quarters(entries: pl.DataFrame, period: Period) -> pl.DataFrame:
    return entries.filter(pl.col("entry_quarter").is_between(period.first_quarter, period.last_quarter))


def _national_columns(figures: list[ref.ReferenceFigure], basis: str, binary_share: float, frequency_share: float) -> dict:
    binary = ref.national(figures, basis, "binary_rate")
    frequency = ref.national(figures, basis, "reoffences_per_reoffender")
    binary_now = binary.binary_rate * binary_share if binary else None
    frequency_12m = frequency.frequency_rate if frequency else None
    frequency_now = frequency_12m * frequency_share if frequency_12m is not None else None
    per_reoffender_now = None
    if frequency is not None and frequency.binary_rate:
        # The national per-reoffender figure at the same point, from one published row.
        national_binary_now = frequency.binary_rate * binary_share
        per_reoffender_now = frequency_now / national_binary_now if national_binary_now else None
    return {
        "national_binary_12m": binary.binary_rate if binary else None,
        "national_binary_basis": f"{binary.area} {binary.period_label} ({binary.source})" if binary else None,
        "national_binary_period": binary.period_label if binary else None,
        "national_binary_source": binary.source if binary else None,
        "national_binary_now": binary_now,
        "national_frequency_12m": frequency_12m,
        "national_frequency_basis": f"{frequency.area} {frequency.period_label} ({frequency.source})" if frequency else None,
        "national_frequency_period": frequency.period_label if frequency else None,
        "national_frequency_source": frequency.source if frequency else None,
        "national_frequency_now": frequency_now,
        "national_per_reoffender_now": per_reoffender_now,
    }


def _live_row(period: Period, basis: str, entries: pl.DataFrame, curve: FollowUpCurve, figures, rules, as_at) -> dict:
    row = _period_row(period, basis, entries, rules, as_at)
    projection = project(
        entries,
        curve,
        binary_interval=(row["binary_ci_low"], row["binary_ci_high"]),
        frequency_interval=(row["frequency_ci_low"], row["frequency_ci_high"]),
    )
    row["mean_follow_up_days"] = float(entries["follow_up_days_elapsed"].mean()) if entries.height else 0.0
    row["binary_share_expected"] = projection.binary_share
    row["frequency_share_expected"] = projection.frequency_share
    row.update(_national_columns(figures, basis, projection.binary_share, projection.frequency_share))
    row.update(
        projected_binary_12m=projection.projected_binary,
        projected_binary_low=projection.projected_binary_low,
        projected_binary_high=projection.projected_binary_high,
        projected_frequency_12m=projection.projected_frequency,
        projected_frequency_low=projection.projected_frequency_low,
        projected_frequency_high=projection.projected_frequency_high,
    )
    return row


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.1f}%"


def _frame(rows: list[dict], columns: list[str]) -> pl.DataFrame:
    if not rows:
        return pl.DataFrame({name: [] for name in columns})
    return pl.DataFrame(rows, infer_schema_length=None).select(columns)


LIVE_COLUMNS = [
    "cohort", "months", "cohort_basis", "period_start", "period_end", "status", "months_elapsed", "final_on", *FIGURE_COLUMNS,
    "mean_follow_up_days", "binary_share_expected", "frequency_share_expected",
    "national_binary_12m", "national_binary_basis", "national_binary_period", "national_binary_source", "national_binary_now",
    "national_frequency_12m", "national_frequency_basis", "national_frequency_period", "national_frequency_source",
    "national_frequency_now", "national_per_reoffender_now",
    "projected_binary_12m", "projected_binary_low", "projected_binary_high",
    "projected_frequency_12m", "projected_frequency_low", "projected_frequency_high",
]
TREND_COLUMNS = ["cohort", "months", "cohort_basis", "period_start", "period_end", "status", "months_elapsed", "final_on", *FIGURE_COLUMNS]
OFFICIAL_COLUMNS = [
    "area", "cohort_basis", "period_start", "period_end", "source",
    "official_cohort_size", "official_reoffenders", "official_reoffences", "official_binary_rate", "official_per_reoffender",
    "local_cohort_size", "local_reoffenders", "local_reoffences", "local_binary_rate", "local_per_reoffender",
    "binary_difference", "cohort_size_difference", "local_status",
]


def performance_report(
    people: pl.DataFrame,
    outcomes: pl.DataFrame,
    assessments: pl.DataFrame | None,
    *,
    areas: list[str],
    as_at: dt.date,
    rules: CountingRules = CountingRules(),
    figures: list[ref.ReferenceFigure] | None = None,
) -> PerformanceReport:
    """Everything on the performance page for the services named ``areas`` (their frames joined)."""
    figures = ref.default_reference() if figures is None else figures
    comparable = is_official(rules)
    if not comparable:
        # Set beside national or official figures only when counted as they are (docs/rules.md §13).
        figures = []
    current = quarter_of(as_at)
    earliest = _earliest_quarter(outcomes)
    first = current - TREND_QUARTERS + 1 if earliest is None else max(earliest, current - TREND_QUARTERS + 1)
    span = Period(first, current - first + 1)
    entries = entry_table(people, outcomes, assessments, period=span, rules=rules, as_at=as_at)
    quarters = [Period(key) for key in span.quarter_keys]

    completed = [q for q in quarters if q.follow_up_complete_on(rules) <= as_at][-CURVE_QUARTERS:]
    area_words = areas[0] if len(areas) == 1 else f"{len(areas)} services"
    # The cohorts the curve comes from, named: only those with children in them.
    with_children = [q for q in completed if _in_quarters(entries, q).height]
    if with_children:
        names = ", ".join(q.label for q in with_children)
        described = f"{len(with_children)} completed quarterly cohort{'s' if len(with_children) > 1 else ''} of {area_words} with children ({names})"
        completed_entries = _in_quarters(entries, Period(completed[0].first_quarter, len(completed)))
    else:
        described, completed_entries = f"no completed quarterly cohorts of {area_words} with children", entries.clear()
    curve = follow_up_curve(completed_entries, described_as=described)

    live_rows = [
        _live_row(q, "quarter", _in_quarters(entries, q), curve, figures, rules, as_at)
        for q in quarters
        if q.follow_up_complete_on(rules) > as_at
    ]
    latest_complete = current - 1
    aggregate = Period(latest_complete - 3, 4)
    if aggregate.first_quarter >= first and aggregate.follow_up_complete_on(rules) > as_at:
        live_rows.append(_live_row(aggregate, "aggregated_quarters", _in_quarters(entries, aggregate), curve, figures, rules, as_at))
    live = _frame([row for row in live_rows if row["cohort_size"]], LIVE_COLUMNS)

    trend_rows = [_period_row(q, "quarter", _in_quarters(entries, q), rules, as_at) for q in quarters]
    trend = _frame([row for row in trend_rows if row["cohort_size"]], TREND_COLUMNS)

    series = [
        f for f in figures
        if f.cohort_basis == "quarter" and f.binary_rate is not None and span.start <= f.period_start <= span.end
    ]
    reference_series = ref.frame(series).with_columns(
        official=pl.col("area").str.to_lowercase().is_in([a.casefold() for a in areas])
    )
    official = _official(people, outcomes, assessments, areas=areas, figures=figures, rules=rules, as_at=as_at)
    in_follow_up = _in_follow_up(entries, as_at)
    national_quarters = tuple(
        f for f in figures if f.area_type == "country" and f.area in ref.NATIONAL_AREAS and f.cohort_basis == "quarter" and f.binary_rate is not None
    )
    report = PerformanceReport(
        tuple(areas), as_at, rules, curve, live, trend, reference_series, official, in_follow_up, national_quarters=national_quarters,
        comparable=comparable, counting=counting_words(rules),
    )
    report.findings.update(findings(report, entries))
    return report


def _earliest_quarter(outcomes: pl.DataFrame) -> int | None:
    if outcomes.is_empty():
        return None
    earliest = outcomes.select(pl.min_horizontal("outcome_date", "release_date").min()).item()
    return None if earliest is None else quarter_of(earliest)


def _official(people, outcomes, assessments, *, areas, figures, rules, as_at) -> pl.DataFrame:
    rows = []
    for figure in sorted(ref.for_areas(figures, areas), key=lambda f: (f.cohort_basis, f.period_start)):
        quarters = ref.BASES[figure.cohort_basis] // 3
        method = "annual_12m_old_method" if figure.cohort_basis == "annual_12m_old_method" else "aggregated_quarters"
        period = Period(quarter_of(figure.period_start), quarters, method)
        # The area's own children: one service of a partnership, or all of them for a single service.
        own_people = people if len(areas) == 1 else people.filter(pl.col("service").str.to_lowercase() == figure.area.casefold())
        local = entry_table(own_people, outcomes, assessments, period=period, rules=rules, as_at=as_at)
        own = cohort_figures(local)
        official_binary = figure.reoffenders / figure.cohort_size if figure.cohort_size and figure.reoffenders is not None else figure.binary_rate
        rows.append(
            {
                "area": figure.area,
                "cohort_basis": figure.cohort_basis,
                "period_start": figure.period_start,
                "period_end": figure.period_end,
                "source": figure.source,
                "official_cohort_size": figure.cohort_size,
                "official_reoffenders": figure.reoffenders,
                "official_reoffences": figure.reoffences,
                "official_binary_rate": official_binary,
                "official_per_reoffender": figure.reoffences_per_reoffender,
                "local_cohort_size": own["cohort_size"],
                "local_reoffenders": own["reoffenders"],
                "local_reoffences": own["reoffences"],
                "local_binary_rate": own["binary_rate"],
                "local_per_reoffender": own["reoffences_per_reoffender"],
                "binary_difference": None if own["binary_rate"] is None else own["binary_rate"] - official_binary,
                "cohort_size_difference": None if figure.cohort_size is None else own["cohort_size"] - figure.cohort_size,
                "local_status": "provisional" if as_at < period.follow_up_complete_on(rules) else "final",
            }
        )
    return _frame(rows, OFFICIAL_COLUMNS)


def _in_follow_up(entries: pl.DataFrame, as_at: dt.date) -> pl.DataFrame:
    """Children in follow-up at each month end (the last one is ``as_at`` itself)."""
    month_ends = []
    for back in range(MONTHS_IN_FOLLOW_UP_CHART - 1, 0, -1):
        first_of_month = add_months(as_at.replace(day=1), -back + 1)
        month_ends.append(first_of_month - dt.timedelta(days=1))
    month_ends.append(as_at)
    index = entries["index_date"].to_numpy()
    end = entries["follow_up_end"].to_numpy()
    counts = [int(((index <= np.datetime64(day)) & (end >= np.datetime64(day))).sum()) for day in month_ends]
    return pl.DataFrame({"month_end": month_ends, "children_in_follow_up": counts})


def _significance(p_value: float | None) -> str:
    if p_value is None:
        return "too few to test"
    if p_value < SIGNIFICANCE:
        return f"a significant change (p = {p_value:.3f})"
    return f"not a significant change (p = {p_value:.2f})"


def findings(report: PerformanceReport, entries: pl.DataFrame) -> dict[str, str]:
    """One sentence per chart, computed from the tables; a change is significant only by a test."""
    found: dict[str, str] = {}
    if report.live.height:
        row = report.live.row(report.live.height - 1, named=True)
        label = four_quarters(row) if row["cohort_basis"] == "aggregated_quarters" else f"the {row['cohort']} cohort ({row['months']})"
        if row["national_binary_now"] is None or row["binary_rate"] is None:
            unset = "" if report.comparable else f"; not set against national figures, as it is counted by {report.counting}"
            found["live"] = f"Binary rate so far for {label}: {_percent(row['binary_rate'])} ({MODELLED}{unset})"
        else:
            low, high, national_now = row["binary_ci_low"], row["binary_ci_high"], row["national_binary_now"]
            if national_now < low:
                comparison = "above"
            elif national_now > high:
                comparison = "below"
            else:
                comparison = "not significantly different from"
            found["live"] = (
                f"Binary rate so far for {label} is {_percent(row['binary_rate'])}, {comparison} the projected "
                f"national {_percent(national_now)} at the same point (from {row['national_binary_basis']}; {MODELLED})"
            )
    final = report.trend.filter(pl.col("status") == "final")
    if final.height:
        latest = final.row(final.height - 1, named=True)
        year_before = report.trend.filter(pl.col("period_start") == add_months(latest["period_start"], -12))
        if year_before.height:
            before = year_before.row(0, named=True)
            p_binary = two_proportion_test(latest["reoffenders"], latest["cohort_size"], before["reoffenders"], before["cohort_size"])
            found["trend_binary"] = (
                f"Binary rate {_percent(latest['binary_rate'])} for the {latest['cohort']} cohort ({latest['months']}, final) against "
                f"{_percent(before['binary_rate'])} a year earlier: {_significance(p_binary)}"
            )
            counts = {
                key: entries.filter(pl.col("quarter") == key, pl.col("further_offences") > 0)["further_offences"].to_numpy()
                for key in (latest["cohort"], before["cohort"])
            }
            p_frequency = mean_difference_test(counts[latest["cohort"]], counts[before["cohort"]])

            def per(row):
                value = row["reoffences_per_reoffender"]
                return "–" if value is None else f"{value:.2f}"

            found["trend_per_reoffender"] = (
                f"{per(latest)} further offences per reoffender for the {latest['cohort']} cohort against {per(before)} "
                f"a year earlier: {_significance(p_frequency)}"
            )
        else:
            found["trend_binary"] = f"Binary rate {_percent(latest['binary_rate'])} for the {latest['cohort']} cohort; no cohort a year earlier to compare"
            found["trend_per_reoffender"] = found["trend_binary"].replace("Binary rate", "Latest final cohort:")
    else:
        found["trend_binary"] = found["trend_per_reoffender"] = "No quarterly cohort has completed its follow-up yet"
    months = report.in_follow_up
    if months.height:
        now, year_ago = months["children_in_follow_up"][-1], months["children_in_follow_up"][-13] if months.height >= 13 else None
        found["in_follow_up"] = f"{now} children in follow-up on {report.as_at:%-d %B %Y}" + (
            f", against {year_ago} a year earlier" if year_ago is not None else ""
        )
    curve = report.curve.table()
    three = curve.filter(pl.col("month") == 3).row(0, named=True)
    found["curve"] = (
        f"By 3 months of follow-up, {_percent(three['binary_share'])} of 12-month reoffenders had reoffended and "
        f"{_percent(three['frequency_share'])} of further offences were committed"
        + ("" if report.curve.modelled_from_data else " (straight-line assumption)")
    )
    return found


def _quarter_labels(start: dt.date, end: dt.date) -> list[str]:
    first, last = quarter_of(start), quarter_of(end)
    return [Period(key).label for key in range(first, last + 1)]


def withheld_periods(report: PerformanceReport, threshold: int) -> set[tuple[str, str]]:
    """The ``(cohort, count)`` cells to withhold from every table of the report (and the summary for
    boards, :func:`board_summary`): small counts, and whatever would give one away across quarters
    and the aggregates made of them (:func:`reoffkit.disclosure.protect_periods`)."""
    periods: dict[str, dict] = {}
    aggregates: dict[str, list[str]] = {}
    for table in (report.trend, report.live):
        for row in table.iter_rows(named=True):
            periods[row["cohort"]] = {c: row[c] for c in COUNTS}
            quarters = _quarter_labels(row["period_start"], row["period_end"])
            if len(quarters) > 1:
                aggregates[row["cohort"]] = quarters
    for row in report.official.iter_rows(named=True):
        if row["cohort_basis"] == "aggregated_quarters" or row["cohort_basis"] == "quarter":
            label = _official_label(row)
            periods[label] = {c: row[f"local_{c}"] for c in COUNTS}
            aggregates[label] = _quarter_labels(row["period_start"], row["period_end"])
    # a quarter with no entries is a published zero
    for quarters in aggregates.values():
        for quarter in quarters:
            periods.setdefault(quarter, dict.fromkeys(COUNTS, 0))
    return protect_periods(periods, aggregates, threshold)


def _official_label(row: dict) -> str:
    labels = _quarter_labels(row["period_start"], row["period_end"])
    return labels[0] if len(labels) == 1 else f"{labels[0]}–{labels[-1]}"


def suppressed_report(report: PerformanceReport, threshold: int) -> PerformanceReport:
    """The report as shown to people who may not see children's records: small counts, the cells
    that would give them away across quarters and aggregates, and every rate made from them blanked
    (the same cells in every table); any finding that quotes a blanked row withheld."""
    from dataclasses import replace

    cells = withheld_periods(report, threshold)
    live = protect(report.live, key="cohort", also=cells, threshold=threshold)
    trend = protect(report.trend, key="cohort", also=cells, threshold=threshold)
    withheld = f"Not shown: it would rest on a count under {threshold}"
    found = dict(report.findings)
    if live.height and live["suppressed"][-1]:
        found["live"] = withheld
    final = trend.filter(pl.col("status") == "final")
    if final.height:
        latest = final.row(final.height - 1, named=True)
        before = trend.filter(pl.col("period_start") == add_months(latest["period_start"], -12))
        if latest["suppressed"] or (before.height and before["suppressed"][0]):
            found["trend_binary"] = found["trend_per_reoffender"] = withheld
    official = report.official
    if official.height:
        official = protect_beside_official(
            official.with_columns(official_label=pl.Series([_official_label(r) for r in official.iter_rows(named=True)], dtype=pl.String)),
            cells, label="official_label",
        ).drop("official_label", "suppressed")
    in_follow_up = protect(report.in_follow_up, counts=["children_in_follow_up"], threshold=threshold).drop("suppressed")
    months = in_follow_up["children_in_follow_up"]
    if months.len() and (months[-1] is None or (months.len() >= 13 and months[-13] is None)):
        found["in_follow_up"] = withheld
    small = frozenset(
        (row["cohort"], c) for table in (report.live, report.trend) for row in table.iter_rows(named=True) for c in COUNTS if is_small(row[c], threshold)
    )
    curve = coarse_curve(report.curve, threshold)
    if report.curve.modelled_from_data and 3 not in curve["month"].to_list():
        found["curve"] = withheld
    return replace(
        report, live=live, trend=trend, official=official, in_follow_up=in_follow_up, findings=found, withheld=frozenset(cells), small=small,
        shown_curve=curve,
    )


def coarse_curve(curve: FollowUpCurve, threshold: int) -> pl.DataFrame:
    """The follow-up curve's monthly table with only the months at which at least ``threshold``
    more reoffenders and further offences have been reached since the month before it shown (the
    last such month joined with the rest of the year), so that no month's few children can be worked
    out from the shares and the completed cohorts' counts. A straight-line assumption is shown whole."""
    table = curve.table()
    if not curve.modelled_from_data:
        return table
    rows = table.to_dicts()
    kept, last = [rows[0]], rows[0]

    def enough(row, before) -> bool:
        return (round((row["binary_share"] - before["binary_share"]) * curve.reoffenders) >= threshold
                and round((row["frequency_share"] - before["frequency_share"]) * curve.reoffences) >= threshold)

    for row in rows[1:]:
        if enough(row, last):
            kept.append(row)
            last = row
    if kept[-1]["month"] != rows[-1]["month"]:
        if len(kept) > 1:
            kept[-1] = rows[-1]
        else:
            kept.append(rows[-1])
    return pl.DataFrame(kept, schema=table.schema)


#: Final quarters the summary for boards shows (the newest).
SUMMARY_FINAL_QUARTERS = 4


@dataclass(frozen=True)
class BoardSummary:
    """The summary of quarterly cohorts for boards: the newest final quarters, each beside the
    national figure for quarterly cohorts (its period and publication named), and the provisional
    quarters, said to be provisional. Rows are the trend's (so suppressed as the report is)."""

    final: list[dict]
    provisional: list[dict]


def board_summary(report: PerformanceReport, final_quarters: int = SUMMARY_FINAL_QUARTERS) -> BoardSummary:
    national = sorted(report.national_quarters, key=lambda f: f.period_end)
    newest = national[-1] if national else None
    rows = [{**row, "quarter": row["cohort"]} for row in report.trend.iter_rows(named=True)]
    final = [row for row in rows if row["status"] == "final"][-final_quarters:]
    for row in final:
        same = [f for f in national if f.period_start == row["period_start"]]
        figure = same[-1] if same else newest
        row["national"] = None if figure is None else {
            "binary_rate": figure.binary_rate,
            "reoffences_per_reoffender": figure.reoffences_per_reoffender,
            "frequency_rate": figure.frequency_rate,
            "area": figure.area,
            "period": figure.period_label,
            "source": figure.source,
            "same_quarter": bool(same),
        }
    provisional = [row for row in rows if row["status"] == "provisional"]
    return BoardSummary(final, provisional)
