"""The board paper: every section written from the figures of the report builders the pages use —
:mod:`reoffkit.reports.performance`, :mod:`reoffkit.reports.analysis` and
:mod:`reoffkit.reports.disproportionality` — never typed by hand (docs/rules.md §16).

A board paper leaves the service, so everything in it is the shared form of those reports: counts
from 1 to 4, and what is made from them, are withheld (:mod:`reoffkit.disclosure`); no child is
named. A section whose figures are missing (no completed cohort, no national figures, no
population table) still appears and says what is missing and how to supply it.

Pure (no Django): frames, reference figures, a population and the action plan's rows in; a
:class:`BoardReport` of sections out, rendered by :func:`to_html` and
:func:`reoffkit.reports.board_docx.to_docx`. The action plan's workbook (export and import, the
template's four columns) is here too, so the web application and the command line share it.
"""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Iterable

import polars as pl

from reoffkit import reference as ref
from reoffkit.charts import Chart
from reoffkit.disclosure import SUPPRESS_BELOW, is_small
from reoffkit.engine import CountingRules, Period
from reoffkit.engine import action_plan
from reoffkit.engine.rules import quarter_of

WITHHELD = "withheld"
#: An outcome recorded more than this many days after it happened is a late entry.
LATE_DAYS = 30
SYNTHETIC = "Synthetic data: every child, offence and figure in this paper is made up for the demonstration."
NO_COMPARISON = (
    "National comparison figures not loaded: region, statistical family and rank, and first-time entrants and custody, "
    "come from the national comparison of the published youth justice statistics. Load them with the national comparison "
    "tool, then make the paper again. England's reoffending rates here are the national figures shipped with reoffkit."
)


# ---- The paper's parts ---------------------------------------------------------------------------


@dataclass
class Table:
    title: str
    columns: list[str]
    rows: list[list[str]]
    note: str = ""


@dataclass
class Figure:
    """A chart as an image, its alternative text, and the table it was drawn from."""

    chart: Chart
    alt: str
    table: Table
    _png: bytes | None = field(default=None, repr=False)

    def png(self) -> bytes:
        if self._png is None:
            self._png = self.chart.png(scale=1.5)
        return self._png


@dataclass
class Section:
    key: str
    title: str
    paragraphs: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    #: What is missing for this section, and how to supply it.
    missing: list[str] = field(default_factory=list)


@dataclass
class BoardReport:
    title: str
    areas: tuple[str, ...]
    period: str
    as_at: dt.date
    made_on: dt.date
    sources: list[str]
    synthetic: bool
    sections: list[Section]
    numbers: dict = field(default_factory=dict)  # the figures the sections quote, for tests and the job's result

    def section(self, key: str) -> Section:
        return next(s for s in self.sections if s.key == key)

    @property
    def area_label(self) -> str:
        return self.areas[0] if len(self.areas) == 1 else f"the partnership of {', '.join(self.areas[:-1])} and {self.areas[-1]}"


@dataclass(frozen=True)
class PlanRow:
    """An action plan item as the paper and the workbook show it (no child is ever in one)."""

    issue: str
    actions: str
    by_whom: str
    due_on: dt.date
    status: str = "not_started"
    raised_on: dt.date | None = None
    source: str = ""
    dropped_reason: str = ""
    notes: tuple[tuple[dt.date, str, str], ...] = ()  # (date, author, text)
    partnership: bool = False


@dataclass(frozen=True)
class ComparisonRow:
    """One measure of the data summary table as the national comparison tool gives it (the hook:
    ``board_report(..., comparison={measure: ComparisonRow})``)."""

    local: float | None = None
    region: float | None = None
    family: float | None = None
    england: float | None = None
    baseline: float | None = None
    rag: str = ""
    rank: int | None = None
    rank_low: int | None = None
    rank_high: int | None = None
    of: int | None = None
    source: str = ""


SUMMARY_MEASURES = {
    "binary": ("Reoffending: binary rate", "percent"),
    "frequency": ("Reoffending: further offences per child", "number"),
    "first_time_entrants": ("First-time entrants per 100,000 aged 10–17", "number"),
    "custody": ("Use of custody per 1,000 aged 10–17", "number"),
}


# ---- Words and numbers ---------------------------------------------------------------------------


def percent(value: float | None, places: int = 1) -> str:
    return WITHHELD if value is None else f"{100 * value:.{places}f}%"


def number(value, places: int = 2) -> str:
    if value is None:
        return WITHHELD
    return f"{value:,}" if isinstance(value, int) else f"{value:.{places}f}"


def count(value: int | None) -> str:
    """A count as a board paper may print it: 1 to 4 withheld (docs/rules.md §11)."""
    if value is None or is_small(value):
        return f"fewer than {SUPPRESS_BELOW}" if value else WITHHELD if value is None else "0"
    return f"{value:,}"


def _cell(column: str, value) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if any(w in column for w in ("rate", "share", "ci_", "projected_binary", "national_binary", "_low", "_high")) and "frequency" not in column:
            return f"{100 * value:.1f}%"
        return f"{value:.2f}"
    if isinstance(value, dt.date):
        return f"{value:%-d %b %Y}"
    return str(value)


def frame_table(title: str, frame: pl.DataFrame, columns: dict[str, str], note: str = "", *, plain: bool = False) -> Table:
    """A table of ``frame``'s ``columns`` (name → heading), cells in words (``plain``: numbers as they are, no percentages)."""
    present = [c for c in columns if c in frame.columns]
    cell = (lambda c, v: _cell("", v)) if plain else _cell
    return Table(title, [columns[c] for c in present], [[cell(c, row[c]) for c in present] for row in frame.iter_rows(named=True)], note)


PERCENT_HEADINGS = ("rate", "interval", "national", "share", "projected")


def _chart_cell(column: str, value) -> str:
    words = column.lower()
    if isinstance(value, float) and any(w in words for w in PERCENT_HEADINGS) and "per " not in words and "offences" not in words:
        return f"{100 * value:.1f}%"
    return _cell("", value)


def chart_figure(chart: Chart) -> Figure:
    table = chart.table
    columns = list(table.columns)
    rows = [[_chart_cell(str(c), row[c]) for c in columns] for row in table.iter_rows(named=True)]
    return Figure(chart, f"Chart: {chart.title}. The table below it holds the same figures.", Table(f"Data for the chart: {chart.title}", columns, rows))


# ---- Building the paper ------------------------------------------------------------------------


def latest_completed(people: pl.DataFrame, outcomes: pl.DataFrame, rules: CountingRules, as_at: dt.date, quarters: int = 4) -> Period | None:
    """The latest ``quarters`` consecutive calendar quarters whose follow-up is complete on ``as_at``
    (the default period of the paper), or ``None`` when they hold no cohort entry."""
    from reoffkit.engine import entry_table

    last = quarter_of(as_at)
    while Period(last).follow_up_complete_on(rules) > as_at:
        last -= 1
    period = Period(last - quarters + 1, quarters)
    if outcomes.is_empty() or entry_table(people, outcomes, None, period=period, rules=rules, as_at=as_at).is_empty():
        return None
    return period


def board_report(
    people: pl.DataFrame,
    outcomes: pl.DataFrame,
    assessments: pl.DataFrame | None,
    *,
    areas: list[str],
    as_at: dt.date,
    period: Period | None = None,
    rules: CountingRules = CountingRules(),
    figures: list | None = None,
    resettlement: pl.DataFrame | None = None,
    population=None,
    population_missing: str = "",
    plan: list[PlanRow] | None = None,
    last_paper_on: dt.date | None = None,
    comparison: dict[str, ComparisonRow] | None = None,
    national=None,
    synthetic: bool = False,
    sources: Iterable[str] = (),
    made_on: dt.date | None = None,
    police_check: tuple[float, float] | None = None,
    threshold: int = SUPPRESS_BELOW,
) -> BoardReport:
    """The board paper of ``areas`` for ``period`` (default: the latest four completed quarters).

    ``figures`` are the published reference figures (default: the shipped ones; an empty list when
    none are loaded); ``population`` the 10–17 population for disproportionality (``None``:
    missing, ``population_missing`` says why); ``plan`` the action plan (``None``: not supplied);
    ``comparison`` the national comparison tool's figures per measure, ``national`` its summary
    table (a :class:`reoffkit.reports.comparison.ComparisonSummary`, made fit to share); ``None``:
    not loaded.
    """
    from reoffkit.charts.performance import performance_charts
    from reoffkit.reports.analysis import analysis_report, for_board
    from reoffkit.reports.performance import performance_report, suppressed_report

    figures = ref.default_reference() if figures is None else figures
    made_on = made_on or as_at
    period = period or latest_completed(people, outcomes, rules, as_at)
    numbers: dict = {}

    performance = suppressed_report(
        performance_report(people, outcomes, assessments, areas=list(areas), as_at=as_at, rules=rules, figures=figures), threshold
    )
    analysis = None
    if period is not None:
        extra = {"police_check": police_check} if police_check else {}
        analysis = for_board(
            analysis_report(
                people, outcomes, assessments, areas=list(areas), period=period, as_at=as_at, rules=rules,
                resettlement=resettlement, figures=figures, **extra,
            ),
            threshold,
        )
    dispro = None
    if period is not None and population is not None:
        from reoffkit.reports.disproportionality import disproportionality_report, for_sharing

        dispro = for_sharing(
            disproportionality_report(people, outcomes, population, areas=list(areas), period=period, as_at=as_at, rules=rules, assessments=assessments),
            threshold,
        )

    sections = [
        _data_summary(analysis, performance, figures, comparison if comparison is not None or national is None else {}, numbers, in_national=national is not None),
        *([_national(national)] if national is not None else []),
        _live(performance, performance_charts(performance), numbers, bool(figures)),
        _analysis(analysis, period, as_at, rules, numbers),
        _disproportionality(dispro, period, population_missing, numbers),
        _plan(plan, as_at, last_paper_on, numbers),
        _quality(analysis, outcomes, people, period, as_at, rules, numbers, threshold),
    ]
    sections.insert(0, _headline(analysis, performance, dispro, numbers, period))
    area_words = areas[0] if len(areas) == 1 else f"{len(areas)} services"
    quoted = [ref.national(figures, basis, measure) for basis in ("aggregated_quarters", "quarter") for measure in ("binary_rate", "reoffences_per_reoffender")] if figures else []
    listed_sources = list(sources) + sorted({f"{f.area} {f.period_label}: {f.source}" for f in quoted if f is not None})
    if population is not None:
        listed_sources.append(f"Population aged 10–17: {population.label}")
    if national is not None:
        listed_sources.extend(f"National comparison: {source}" for source in national.sources)
    return BoardReport(
        title=f"Reoffending: board report for {area_words}",
        areas=tuple(areas),
        period=period.label if period else "no completed cohort",
        as_at=as_at,
        made_on=made_on,
        sources=listed_sources,
        synthetic=synthetic,
        sections=sections,
        numbers=numbers,
    )


def _headline(analysis, performance, dispro, numbers: dict, period) -> Section:
    section = Section("headline", "Headline summary")
    sentences = []
    cohort = analysis.cohort if analysis else None
    if cohort and cohort["cohort_size"]:
        if cohort["binary_rate"] is not None and not is_small(cohort["reoffenders"]):
            sentences.append(
                f"Of the {count(cohort['cohort_size'])} children in the {period.label} cohort, {count(cohort['reoffenders'])} reoffended "
                f"within 12 months: a binary rate of {percent(cohort['binary_rate'])}"
                + (f" (95% interval {percent(numbers.get('binary_low'))} to {percent(numbers.get('binary_high'))})" if numbers.get("binary_low") is not None else "")
                + "."
            )
        else:
            sentences.append(f"The {period.label} cohort is too small to quote its reoffending rate (counts under {SUPPRESS_BELOW} are withheld).")
        if numbers.get("england") is not None and numbers.get("binary_low") is not None:
            sentences.append(
                f"That is {numbers['against_england']} {'from' if numbers['against_england'].startswith('not') else 'than'} the national "
                f"{percent(numbers['england'])} ({numbers['england_label']}): the 95% interval "
                + ("includes it." if numbers["against_england"].startswith("not") else "lies wholly " + ("above" if "higher" in numbers["against_england"] else "below") + " it.")
            )
    else:
        sentences.append("No quarterly cohort has completed its 12-month follow-up yet, so there is no final reoffending rate to report.")
    live = performance.findings.get("live")
    if live:
        sentences.append(live.rstrip(".") + ".")
    trend = performance.findings.get("trend_binary")
    if trend and not trend.startswith("No quarterly"):
        sentences.append("What changed: " + trend[0].lower() + trend[1:].rstrip(".") + ".")
    if numbers.get("plan_items"):
        sentences.append(
            f"Of {numbers['plan_items']} open action plan item{'s' if numbers['plan_items'] != 1 else ''}, {numbers['plan_overdue']} "
            f"{'is' if numbers['plan_overdue'] == 1 else 'are'} overdue and {numbers['plan_due_soon']} due soon."
        )
    elif dispro is not None and numbers.get("dispro_over") is not None:
        sentences.append(f"Disproportionality: {numbers['dispro_over']} stage-and-group result{'s' if numbers['dispro_over'] != 1 else ''} show clear over-representation.")
    section.paragraphs = sentences[:5]
    return section


def _data_summary(analysis, performance, figures, comparison, numbers: dict, *, in_national: bool = False) -> Section:
    """The data summary table. ``in_national``: the paper has the national comparison's section,
    which holds the region and family for the reoffending measures (this table's cells point to it;
    first-time entrants and custody are on the Compare page, not in the paper)."""
    from reoffkit.engine import wilson_interval
    import numpy as np

    section = Section("summary", "Data summary")
    local: dict[str, float | None] = {}
    if analysis is not None and analysis.cohort["cohort_size"]:
        cohort = analysis.cohort
        small = is_small(cohort["reoffenders"]) or is_small(cohort["cohort_size"])
        local["binary"] = None if small else cohort["binary_rate"]
        local["frequency"] = None if small or is_small(cohort["reoffences"]) else cohort["reoffences"] / cohort["cohort_size"]
        if not small:
            low, high = wilson_interval(np.array([cohort["reoffenders"]]), np.array([cohort["cohort_size"]]))
            numbers["binary_low"], numbers["binary_high"] = float(low[0]), float(high[0])
        numbers["cohort_size"], numbers["reoffenders"], numbers["reoffences"] = (
            None if is_small(cohort[k]) else cohort[k] for k in ("cohort_size", "reoffenders", "reoffences")
        )
        numbers["binary_rate"], numbers["frequency_rate"] = local["binary"], local["frequency"]
    basis = "aggregated_quarters" if analysis is None or analysis.period.quarters == 4 else "quarter"
    national = ref.national(figures, basis, "binary_rate") if figures else None
    national_frequency = ref.national(figures, basis, "reoffences_per_reoffender") if figures else None
    england = {"binary": national.binary_rate if national else None, "frequency": national_frequency.frequency_rate if national_frequency else None}
    numbers["england"] = england["binary"]
    numbers["england_label"] = f"{national.area}, {national.period_label}" if national else ""
    if england["binary"] is not None and numbers.get("binary_low") is not None:
        low, high = numbers["binary_low"], numbers["binary_high"]
        numbers["against_england"] = (
            "significantly higher" if low > england["binary"] else "significantly lower" if high < england["binary"] else "not significantly different"
        )
        numbers["rag"] = {"significantly higher": "red", "significantly lower": "green"}.get(numbers["against_england"], "amber")
    # change from baseline: the same period a year earlier, from the performance page's trend
    baseline = _baseline(performance, analysis)
    # each national figure is the newest that publishes its measure: where they come from different
    # periods, the one not named in the table's note says its own
    own_period = {"frequency": national_frequency.period_label} if national_frequency and national and national_frequency.period_label != national.period_label else {}
    elsewhere = "see National comparison" if in_national else "not loaded"
    not_here = "on the Compare page, not in this paper" if in_national else "not loaded"
    rows = []
    for key, (label, kind) in SUMMARY_MEASURES.items():
        given = (comparison or {}).get(key)
        show = percent if kind == "percent" else (lambda v: number(v))
        value = given.local if given and given.local is not None else local.get(key)
        eng = given.england if given and given.england is not None else england.get(key)
        base = given.baseline if given and given.baseline is not None else baseline.get(key)
        rag = given.rag if given and given.rag else (numbers.get("rag", "") if key == "binary" else "")
        change = "–" if value is None or base is None else (f"{100 * (value - base):+.1f} points" if kind == "percent" else f"{value - base:+.2f}")
        rank = "–"
        if given and given.rank is not None:
            rank = f"{given.rank} of {given.of}" + (f" ({given.rank_low} to {given.rank_high})" if given.rank_low is not None else "")
        rows.append(
            [
                label,
                not_here if value is None and key in ("first_time_entrants", "custody") else show(value) if value is not None or key in local else "–",
                show(given.region) if given and given.region is not None else elsewhere if key in local else not_here,
                show(given.family) if given and given.family is not None else elsewhere if key in local else not_here,
                (show(eng) + (f" ({own_period[key]})" if key in own_period and not (given and given.england is not None) else "")) if eng is not None
                else not_here if key in ("first_time_entrants", "custody") else "not loaded",
                change,
                rag or "–",
                rank,
            ]
        )
    section.tables.append(
        Table(
            f"Data summary: {analysis.period.label if analysis else 'no completed cohort'}",
            ["Measure", "This service", "Region", "Family", national.area if national else "England", "Change from a year earlier", "RAG", "Rank (interval)"],
            rows,
            "Reoffending: children cautioned or sentenced in the period, followed for 12 months (local, from the case records). "
            f"National figures: {numbers['england_label'] or 'not loaded'}. RAG: red when the rate is significantly above the national rate, "
            "green when significantly below, amber otherwise (docs/rules.md §16).",
        )
    )
    if comparison is None:
        section.missing.append(NO_COMPARISON)
    if not figures:
        section.missing.append(
            "No national figures are loaded: England's rates are missing. A performance officer loads the published figures on the "
            "Reference figures page (or give `--reference FILE.csv`)."
        )
    if analysis is None:
        section.missing.append(
            "No cohort has completed its follow-up: reoffending needs 12 months of follow-up and 6 more for the courts. "
            "Choose an earlier period, or wait until the first cohort completes."
        )
    return section


NATIONAL_COLUMNS = ("Area", "Cohort", "Binary rate (95% interval)", "Change from previous cohort", "Rank (95% interval)", "RAG")


def _national(national) -> Section:
    """The national comparison tool's summary, as it gives it for sharing: the service against its
    comparators in the latest cohorts, with ranks and their intervals (docs/rules.md §17)."""
    section = Section("national", "National comparison")
    section.paragraphs.extend(national.findings)
    # the columns a board reads on an A4 page; the compare page and its downloads have the rest
    keep = [i for i, c in enumerate(national.columns) if c in NATIONAL_COLUMNS] or list(range(len(national.columns)))
    section.tables.append(
        Table(
            "The service against its comparators",
            [national.columns[i] for i in keep],
            [[row[i] for i in keep] for row in national.rows],
            "Rank: 1st is the lowest rate, with its 95% interval; RAG against the comparator the service chose (docs/rules.md §17).",
        )
    )
    return section


def _baseline(performance, analysis) -> dict:
    if analysis is None:
        return {}
    from reoffkit.engine.rules import add_months

    start = add_months(analysis.period.start, -12)
    trend = performance.trend
    rows = trend.filter((pl.col("period_start") >= start) & (pl.col("period_start") < analysis.period.start) & (pl.col("status") == "final"))
    if rows.height != analysis.period.quarters or rows["cohort_size"].null_count() or rows["reoffenders"].null_count():
        return {}
    size, reoffenders, reoffences = int(rows["cohort_size"].sum()), int(rows["reoffenders"].sum()), rows["reoffences"]
    if not size or is_small(reoffenders) or reoffences.null_count():
        return {}
    return {"binary": reoffenders / size, "frequency": int(reoffences.sum()) / size}


LIVE_COLUMNS = {
    "cohort": "Cohort", "status": "Status", "months_elapsed": "Months", "cohort_size": "Children",
    "reoffenders": "Reoffended", "binary_rate": "Rate so far", "national_binary_now": "National now",
    "projected_binary_12m": "Projected", "projected_binary_low": "Low", "projected_binary_high": "High",
}


def _live(performance, charts: dict, numbers: dict, national_loaded: bool) -> Section:
    section = Section("live", "Live cohorts against projected national averages")
    live = performance.live
    if live.height:
        section.paragraphs.append(performance.findings.get("live", "").rstrip(".") + ".")
        section.paragraphs.append(
            "Live figures are local and modelled, not official: a cohort still in follow-up is set against the national rate "
            "at the same point of follow-up (docs/rules.md §9)."
        )
        table = frame_table(
            "Cohorts in follow-up", live, LIVE_COLUMNS,
            "Months: of follow-up so far. Rate so far: children who reoffended so far. National now: the national 12-month rate scaled to the "
            "same point of follow-up. Projected: the cohort's projected 12-month rate, with its 95% interval (low, high). Counts under 5 and "
            "the rates made from them are withheld.",
        )
        numbers["live"] = [{k: row[k] for k in ("cohort", "cohort_size", "reoffenders", "binary_rate", "national_binary_now")} for row in live.iter_rows(named=True)]
        if "live" in charts:  # the chart's table is the cohorts' table, with their projections
            figure = chart_figure(charts["live"])
            section.figures.append(Figure(figure.chart, figure.alt, replace(table, title=f"Data for the chart: {figure.chart.title}")))
        else:
            section.tables.append(table)
    else:
        section.missing.append("No cohort is in follow-up on the as-at date: nothing to set against the national averages.")
    if not national_loaded:
        section.missing.append("No national figures are loaded, so there is no projected national average to compare with.")
    for name in ("trend-binary",):
        if name in charts and performance.trend.filter(pl.col("status") == "final").height:
            section.figures.append(chart_figure(charts[name]))
    return section


def _coverage(section) -> tuple[bool, str]:
    """Whether a line of enquiry's analysis found something to say, and if not, why."""
    finding = section.finding
    if finding.startswith("Not shown"):
        return False, f"too few children: the finding rests on a count under {SUPPRESS_BELOW}"
    words = finding.lower()
    if "no group can be compared" in words or "too few" in words:
        return False, "too few children in any group to compare"
    if words.startswith("no ") or "not recorded" in words or "no data" in words:
        return False, "no data: " + finding[0].lower() + finding[1:]
    return True, ""


def _analysis(analysis, period, as_at, rules, numbers: dict) -> Section:
    from reoffkit.reports.analysis import ENQUIRIES

    section = Section("analysis", "Retrospective analysis: findings by line of enquiry")
    if analysis is None:
        section.missing.append(
            "No quarterly cohort has completed its follow-up by "
            f"{as_at:%-d %B %Y}: the retrospective analysis needs a cohort followed for 12 months and 6 more for the courts. "
            "Choose a completed period, or wait for the first cohort to complete."
        )
        section.tables.append(Table("Lines of enquiry covered", ["Line of enquiry", "Covered", "Why not"], [[f"{n}. {t}", "no", "no completed cohort"] for n, t in ENQUIRIES.items()]))
        return section
    if not analysis.complete:
        section.paragraphs.append(f"Provisional: the {period.label} cohort's follow-up completes on {period.follow_up_complete_on(rules):%-d %B %Y}.")
    covered: dict[int, list[tuple[bool, str]]] = {n: [] for n in ENQUIRIES}
    rows = []
    for item in analysis.sections:
        ok, why = _coverage(item) if analysis.cohort["cohort_size"] else (False, "no data: nobody in the cohort")
        covered[item.enquiry].append((ok, why))
        rows.append([f"{item.enquiry}. {item.title}", item.finding.rstrip(".") + ".", item.next_step])
    section.tables.append(Table(f"Findings for the {period.label} cohort", ["Line of enquiry", "Finding", "What the service could do next"], rows))
    checklist = []
    for n, title in ENQUIRIES.items():
        results = covered[n]
        done = any(ok for ok, _ in results)
        why = "" if done else "; ".join(w for _, w in results) or "no data"
        checklist.append([f"{n}. {title}", "yes" if done else "no", why])
    numbers["enquiries_covered"] = sum(row[1] == "yes" for row in checklist)
    section.tables.append(Table("Lines of enquiry covered", ["Line of enquiry", "Covered", "Why not"], checklist))
    numbers["findings"] = [item.finding for item in analysis.sections]
    for item in analysis.sections:
        for chart in item.charts[:1]:
            if item.key in ("demographics", "disposals"):
                section.figures.append(chart_figure(chart))
    return section


def _disproportionality(dispro, period, population_missing: str, numbers: dict) -> Section:
    section = Section("disproportionality", "Ethnic disproportionality")
    if period is None:
        section.missing.append("No completed cohort: disproportionality is reported for the same period as the analysis.")
        return section
    if dispro is None:
        section.missing.append(
            (population_missing or "No 10–17 population table is chosen for this service.")
            + " A performance officer chooses the service's population on the Population tables page (or give "
            "`reoffkit board-report --population FILE`); the shipped 2021 Census figures can be used."
        )
        return section
    findings = dispro.findings()
    numbers["dispro_over"] = sum(f.kind == "over" for f in findings)
    numbers["dispro_findings"] = [f.text for f in findings]
    section.paragraphs.append(
        f"{dispro.period.label}, ethnicity recorded as {dispro.result.scheme_label}, against {dispro.population.label}. "
        f"Counts under {SUPPRESS_BELOW} and the cells that would give them away are withheld."
    )
    section.paragraphs.extend(f.text.rstrip(".") + "." for f in findings if f.kind in ("over", "under", "completeness"))
    too_few = [f.stage_label if hasattr(f, "stage_label") else f.text.split(":")[0] for f in findings if f.kind == "too_few_stage"]
    if too_few:
        section.paragraphs.append(
            f"Too few children to say anything at: {', '.join(too_few)} (an index needs {SUPPRESS_BELOW} or more children of the group "
            f"and {SUPPRESS_BELOW} or more White children at the stage)."
        )
    stages = dispro.tables.get("stages")
    if stages is not None and stages.height:
        shown = stages.filter((pl.col("group") != "White") & pl.col("rri").is_not_null())
        section.tables.append(
            frame_table(
                "Relative rate index at each stage where one can be given (against White children)",
                shown,
                {"stage_label": "Stage", "group": "Group", "count": "Children", "rate": "Rate", "rri": "Index", "rri_low": "Low", "rri_high": "High", "verdict_label": "Verdict"},
                "Rates: entering the cohort and first-time entrants per 1,000 of the group's population aged 10–17; later stages per 100 at the "
                "stage before. Groups withheld (counts under 5) or without an index are left out; the disproportionality page lists them.",
                plain=True,
            )
        )
    return section


def _plan(plan, as_at: dt.date, last_paper_on: dt.date | None, numbers: dict) -> Section:
    section = Section("plan", "Improvement action plan")
    if plan is None:
        section.missing.append(
            "No action plan supplied. In the web application it is the service's Action plan page; from the command line give "
            "`--plan FILE.xlsx` (the template's four columns: issue, actions, by whom, by when)."
        )
        return section
    ratings = [action_plan.rating(row.status, row.due_on, as_at, raised_on=row.raised_on) for row in plan]
    counts = action_plan.summary(ratings)
    open_items = sum(row.status in action_plan.OPEN for row in plan)
    numbers.update(plan_items=open_items, plan_overdue=counts["overdue"], plan_due_soon=counts["due_soon"], plan_ratings=counts)
    since = f"since the last paper ({last_paper_on:%-d %B %Y})" if last_paper_on else "(the first paper: all progress)"
    section.paragraphs.append(
        f"{len(plan)} item{'s' if len(plan) != 1 else ''}: {counts['red']} red, {counts['amber']} amber, {counts['green']} green"
        + (f", {counts['none']} dropped" if counts["none"] else "")
        + f". Ratings follow from status and dates (docs/rules.md §16): overdue is red. Progress {since} is listed with each item."
    )
    rows = []
    for row, rating in zip(plan, ratings):
        notes = [f"{day:%-d %b %Y} ({author}): {text}" for day, author, text in row.notes if last_paper_on is None or day > last_paper_on]
        status = action_plan.STATUSES[row.status] + (f": {row.dropped_reason}" if row.status == "dropped" else "")
        rows.append(
            [
                row.issue + (f" (from {row.source})" if row.source else ""),
                row.actions,
                row.by_whom,
                f"{row.due_on:%-d %b %Y}",
                status,
                f"{rating.rag.upper() if rating.rag != 'none' else '–'}: {rating.words}",
                "\n".join(notes) or "No new progress recorded",
            ]
        )
    if rows:
        section.tables.append(Table("Action plan", ["Issue", "Actions", "By whom", "By when", "Status", "RAG", "Progress " + since], rows))
    else:
        section.paragraphs.append("The action plan has no items yet.")
    return section


def _quality(analysis, outcomes: pl.DataFrame, people: pl.DataFrame, period, as_at, rules, numbers: dict, threshold: int) -> Section:
    section = Section("quality", "Data quality")
    rows = []
    if analysis is not None:
        quality = analysis.data_quality
        turned = quality.row(0, named=True)
        unknown = quality.row(1, named=True)
        numbers["turned_18"], numbers["checked_18"], numbers["unknown_ethnicity"] = turned["children"], turned["done"], unknown["children"]
        rows.append(["17+ outcomes: adult offending checked with the police for children who turned 18 in follow-up",
                     f"{count(turned['done'])} of {count(turned['children'])}", percent(turned["share"], 0) if turned["done"] is not None else WITHHELD, turned["rating"] or "–"])
        size = analysis.cohort["cohort_size"]
        share = None if unknown["children"] is None or not size else unknown["children"] / size
        rows.append(["Ethnicity not known", f"{count(unknown['children'])} of {count(size)}", percent(share, 1) if share is not None else WITHHELD,
                     "green" if share is not None and share <= 0.05 else "amber" if share is not None and share <= 0.10 else "red" if share is not None else "–"])
        section.paragraphs.append(analysis.data_quality_finding.rstrip(".") + "." if not any(is_small(v) for v in (turned["children"], turned["done"])) else
                                  f"Some data quality counts are under {SUPPRESS_BELOW} and withheld.")
    else:
        section.missing.append("No completed cohort: completeness of 17+ outcomes and ethnicity is measured on a completed cohort.")
    late, recorded = _late_entries(outcomes, period, as_at)
    numbers["late_entries"], numbers["recorded_entries"] = late, recorded
    if recorded:
        share = late / recorded
        rows.append([f"Late entries: outcomes recorded more than {LATE_DAYS} days after the outcome", f"{count(late)} of {count(recorded)}",
                     percent(share, 1) if not is_small(late, threshold) else WITHHELD, "green" if share <= 0.05 else "amber" if share <= 0.10 else "red"])
    else:
        section.missing.append("The case records have no recording dates, so late entries cannot be counted (the case file's recorded_on column).")
    if rows:
        section.tables.append(Table("Completeness and timeliness", ["Check", "Children or records", "Share", "Rating"], rows,
                                    "Ratings: ethnicity not known green at 5% or less, amber to 10%; late entries the same; police checks by the service's settings."))
    return section


def _late_entries(outcomes: pl.DataFrame, period: Period | None, as_at: dt.date) -> tuple[int, int]:
    if "recorded_on" not in outcomes.columns or outcomes.is_empty():
        return 0, 0
    start = period.start if period else dt.date(as_at.year - 1, as_at.month, 1)
    rows = outcomes.filter(pl.col("recorded_on").is_not_null() & (pl.col("outcome_date") >= start) & (pl.col("outcome_date") <= as_at))
    late = rows.filter((pl.col("recorded_on") - pl.col("outcome_date")).dt.total_days() > LATE_DAYS).height
    return late, rows.height


# ---- HTML ----------------------------------------------------------------------------------------


def _html_table(table: Table) -> str:
    head = "".join(f"<th scope='col'>{html.escape(c)}</th>" for c in table.columns)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(v)).replace(chr(10), '<br>')}</td>" for v in row) + "</tr>" for row in table.rows)
    note = f"<p class='note'>{html.escape(table.note)}</p>" if table.note else ""
    return f"<table><caption>{html.escape(table.title)}</caption><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{note}"


PRINT_CSS = """
body{font-family:Arial,"Liberation Sans",sans-serif;font-size:11pt;line-height:1.4;max-width:60em;margin:1.5em auto;color:#0b0c0c}
h1{font-size:20pt}h2{font-size:15pt;border-bottom:2px solid #1d70b8;padding-bottom:.2em;margin-top:1.6em}
table{border-collapse:collapse;width:100%;margin:.8em 0;font-size:9.5pt;page-break-inside:auto}
caption{text-align:left;font-weight:bold;padding:.3em 0}th,td{border:1px solid #b1b4b6;padding:.25em .4em;text-align:left;vertical-align:top}
th{background:#f3f2f1}tr{page-break-inside:avoid}.note{font-size:9pt;color:#505a5f}.missing{border-left:5px solid #f47738;padding:.3em .8em;background:#fff7f0}
.synthetic{background:#fff2cc;border:1px solid #f47738;padding:.3em .6em;font-weight:bold}figure{margin:1em 0;page-break-inside:avoid}
img{max-width:100%;height:auto}.cover{page-break-after:always}
@media print{body{margin:0;max-width:none}h2{page-break-after:avoid}a{color:inherit}}
"""


def to_html(report: BoardReport, *, image_src=None) -> str:
    """The paper as one HTML page that prints cleanly. ``image_src(figure) -> str`` gives each
    chart's image address (default: embedded PNG)."""
    import base64

    def src(figure: Figure) -> str:
        if image_src is not None:
            return image_src(figure)
        return "data:image/png;base64," + base64.b64encode(figure.png()).decode()

    esc = html.escape
    banner = f"<p class='synthetic'>{esc(SYNTHETIC)}</p>" if report.synthetic else ""
    # Printed, every page carries the mark in its bottom margin (CSS page margin boxes).
    marked = f"@page{{margin:1.6cm 1.5cm 2cm;@bottom-center{{content:'{SYNTHETIC}';font:bold 8pt Arial,sans-serif;color:#b53a00}}}}" if report.synthetic else ""
    parts = [
        "<!DOCTYPE html><html lang='en-GB'><head><meta charset='utf-8'>",
        f"<title>{esc(report.title)}</title><style>{PRINT_CSS}{marked}</style></head><body>",
        banner,
        "<section class='cover'>",
        f"<h1>{esc(report.title)}</h1>",
        f"<p><strong>Area:</strong> {esc(report.area_label)}<br><strong>Period:</strong> {esc(report.period)}<br>"
        f"<strong>Data as at:</strong> {report.as_at:%-d %B %Y}<br><strong>Made on:</strong> {report.made_on:%-d %B %Y}</p>",
        "<p><strong>Sources</strong></p><ul>" + "".join(f"<li>{esc(s)}</li>" for s in report.sources) + "</ul>",
        f"<p class='note'>Every figure is computed by reoffkit from the case records; counts under {SUPPRESS_BELOW} are withheld and no child is named.</p>",
        "<h2>Contents</h2><ol>" + "".join(f"<li>{esc(s.title)}</li>" for s in report.sections) + "</ol>",
        "</section>",
    ]
    for number, section in enumerate(report.sections, start=1):
        parts.append(f"<section id='{section.key}'><h2>{number}. {esc(section.title)}</h2>")
        parts.extend(f"<p>{esc(p)}</p>" for p in section.paragraphs)
        parts.extend(f"<p class='missing'><strong>Missing:</strong> {esc(m)}</p>" for m in section.missing)
        parts.extend(_html_table(t) for t in section.tables)
        for figure in section.figures:
            parts.append(f"<figure><img src='{esc(src(figure))}' alt='{esc(figure.alt)}'></figure>")
            parts.append(_html_table(figure.table))
        parts.append("</section>")
    parts.append(banner + "</body></html>")
    return "\n".join(parts)


# ---- The action plan's workbook ----------------------------------------------------------------

#: The toolkit template's four columns, in order (the import reads them by heading).
TEMPLATE_COLUMNS = ("Issue", "Actions", "By whom", "By when")
#: The register's columns (the export).
REGISTER_COLUMNS = (
    "Issue", "From finding", "Actions", "By whom", "By when", "Status", "Reason dropped", "RAG", "Why", "Raised on", "Latest progress",
)


def plan_workbook(rows: list[PlanRow], *, as_at: dt.date, title: str):
    """The action plan as an openpyxl workbook with the register's columns (user text never a formula)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    from reoffkit.cells import xlsx_row

    book = Workbook()
    sheet = book.active
    sheet.title = "Action plan"
    sheet.append(xlsx_row(sheet, [title]))
    sheet.append(xlsx_row(sheet, [f"As at {as_at:%-d %B %Y}. RAG follows from status and dates: overdue is red."]))
    sheet.append(xlsx_row(sheet, list(REGISTER_COLUMNS)))
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    for row in rows:
        rating = action_plan.rating(row.status, row.due_on, as_at, raised_on=row.raised_on)
        latest = row.notes[-1] if row.notes else None
        sheet.append(xlsx_row(
            sheet,
            [
                row.issue, row.source, row.actions, row.by_whom, row.due_on, action_plan.STATUSES[row.status], row.dropped_reason,
                rating.rag if rating.rag != "none" else "", rating.words, row.raised_on,
                f"{latest[0]:%-d %b %Y} ({latest[1]}): {latest[2]}" if latest else "",
            ],
        ))
    for column, width in zip("ABCDEFGHIJK", (40, 24, 40, 20, 12, 12, 20, 8, 24, 12, 40)):
        sheet.column_dimensions[column].width = width
    for line in sheet.iter_rows(min_row=4):
        for cell in line:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if isinstance(cell.value, dt.date):
                cell.number_format = "d mmm yyyy"
    return book


@dataclass(frozen=True)
class PlanProblem:
    row: int
    column: str
    value: str
    expected: str

    def __str__(self) -> str:
        where = f"row {self.row}" + (f", column {self.column!r}" if self.column else "")
        return f"{where}: {self.value!r} — {self.expected}" if self.value else f"{where}: {self.expected}"


def read_plan(path) -> tuple[list[dict], list[PlanProblem]]:
    """The items of an action plan workbook with the template's four columns (found by heading on
    the first sheet), or every problem with its row and column. Nothing is returned when any row has
    a problem (all or nothing). An upload is read through
    :func:`reoffkit.web.spreadsheets.uploads.read_plan_upload`, within the upload limits."""
    from openpyxl import load_workbook

    problems: list[PlanProblem] = []
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 — any unreadable file is the same problem to the person
        return [], [PlanProblem(0, "", "", "the file is not an Excel workbook (.xlsx); save it as an Excel Workbook and try again")]
    sheet = book.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    book.close()
    wanted = [c.casefold() for c in TEMPLATE_COLUMNS]
    header_at, positions = None, {}
    for number, row in enumerate(rows[:20], start=1):
        names = [str(v).strip().casefold() if v is not None else "" for v in row]
        if all(w in names for w in wanted):
            header_at, positions = number, {w: names.index(w) for w in wanted}
            break
    if header_at is None:
        return [], [PlanProblem(0, "", "", f"no heading row with the columns {', '.join(TEMPLATE_COLUMNS)} in the first 20 rows of the first sheet")]
    items = []
    for number, row in enumerate(rows[header_at:], start=header_at + 1):
        values = {w: (row[i] if i < len(row) else None) for w, i in positions.items()}
        if all(v is None or str(v).strip() == "" for v in values.values()):
            continue
        texts = {w: "" if v is None else str(v).strip() if not isinstance(v, (dt.date, dt.datetime)) else v for w, v in values.items()}
        for column in ("Issue", "Actions", "By whom"):
            if not texts[column.casefold()]:
                problems.append(PlanProblem(number, column, "", "is empty; every item needs an issue, its actions and who will do them"))
        due = values["by when"]
        if isinstance(due, dt.datetime):
            due = due.date()
        elif isinstance(due, str):
            try:
                due = dt.date.fromisoformat(due.strip())
            except ValueError:
                problems.append(PlanProblem(number, "By when", due, "expected a date such as 2027-03-31"))
                due = None
        elif not isinstance(due, dt.date):
            problems.append(PlanProblem(number, "By when", "" if due is None else str(due), "expected a date such as 2027-03-31"))
            due = None
        items.append({"issue": texts["issue"], "actions": texts["actions"], "by_whom": texts["by whom"], "due_on": due, "row": number})
    if not items and not problems:
        problems.append(PlanProblem(header_at, "", "", "no items under the heading row"))
    empty = next((p.row for p in problems if p.expected.startswith("is empty")), None)
    if empty is not None:  # perhaps formulas Excel never calculated, which read as blank cells
        from reoffkit.casefile.xlsx import formula_counts

        try:
            formulas = formula_counts(Path(path), lambda name: name == sheet.title).get(sheet.title, 0)
        except Exception:  # noqa: BLE001 — the workbook was read; only the explanation is lost
            formulas = 0
        if formulas:
            problems.append(
                PlanProblem(
                    empty, "", "",
                    f"the first sheet holds {formulas} formula{'s' if formulas > 1 else ''} without calculated results (a workbook written "
                    "by a program and never saved by Excel), which read as empty cells: open the workbook in Excel or LibreOffice and save "
                    "it (or copy the cells and paste them as values), then import it again",
                )
            )
    return ([] if problems else items), problems
