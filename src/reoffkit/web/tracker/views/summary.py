"""A service's reoffending by quarterly cohort for boards: aggregates only, never a child's name,
id or link.

The numbers are the performance report's (:func:`reoffkit.reports.performance.board_summary`, the
same rows as the performance page's trend): the newest final quarters, each beside the national
figure for quarterly cohorts with its period and publication, then the provisional quarters, said
to be provisional. For anyone who may not see children's records (board viewers) the report is
suppressed as the performance page's is (:func:`reoffkit.reports.performance.suppressed_report`):
the same quarter cells are withheld on both pages, so that no quarter can be worked back from
one page's aggregate and the other's quarters (docs/rules.md §11).

:func:`quarter_figures` words one quarter's engine measures the same way for the tracker workbook.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.shortcuts import render

from reoffkit.disclosure import FEWER, SUPPRESSED, SUPPRESS_BELOW, withheld
from reoffkit.engine import CohortMeasures
from reoffkit.web.tracker import queries
from reoffkit.web.tracker.permissions import has_permission, require

#: How many quarters the tracker workbook's measures sheet shows.
QUARTERS_SHOWN = 6
WITHHELD = "withheld"


@dataclass(frozen=True)
class QuarterFigures:
    """One quarter's measures as words for the page (suppressed where the viewer needs it)."""

    quarter: str
    months: str
    cohort_size: str
    reoffenders: str
    reoffences: str
    binary_rate: str
    binary_interval: str
    frequency_rate: str
    reoffences_per_reoffender: str
    provisional: bool
    status: str
    status_detail: str
    suppressed: bool
    national: dict | None = None


def _percent(value: float) -> str:
    return f"{100 * value:.1f}%"


def _status(provisional: bool, months: int, final_on: dt.date, follow_up_months: int) -> tuple[str, str]:
    if provisional:
        return f"Provisional — {months} of {follow_up_months} months of follow-up", f"final on {final_on:%-d %b %Y}"
    return "Final", f"follow-up and waiting period complete on {final_on:%-d %b %Y}"


def quarter_figures(measures: CohortMeasures, *, suppress: bool, follow_up_months: int = 12) -> QuarterFigures:
    hidden = withheld(measures) if suppress else set()

    def count(name: str) -> str:
        return FEWER if name in hidden else str(getattr(measures, name))

    def rate(name: str, *, words, none: str) -> str:
        if name in hidden:
            return SUPPRESSED
        value = getattr(measures, name)
        return none if value is None else words(value)

    binary = rate("binary_rate", words=_percent, none="–")
    interval = ""
    if binary not in (SUPPRESSED, "–") and measures.binary_ci_low is not None:
        interval = f"{_percent(measures.binary_ci_low)} to {_percent(measures.binary_ci_high)}"
    status, status_detail = _status(measures.provisional, measures.follow_up_months_elapsed, measures.follow_up_complete_on, follow_up_months)
    start, end = measures.period_start, measures.period_end
    return QuarterFigures(
        quarter=f"{start.year}Q{(start.month - 1) // 3 + 1}",
        months=f"{start:%b}–{end:%b %Y}",
        cohort_size=count("cohort_size"),
        reoffenders=count("reoffenders"),
        reoffences=count("reoffences"),
        binary_rate=binary,
        binary_interval=interval,
        frequency_rate=rate("frequency_rate", words=lambda v: f"{v:.2f}", none="–"),
        reoffences_per_reoffender=rate("reoffences_per_reoffender", words=lambda v: f"{v:.2f}", none="no reoffenders"),
        provisional=measures.provisional,
        status=status,
        status_detail=status_detail,
        suppressed=bool(hidden),
    )


def row_figures(row: dict, *, small: frozenset, follow_up_months: int) -> QuarterFigures:
    """One quarter of :func:`reoffkit.reports.performance.board_summary` as words: a withheld count
    is "fewer than 5" when it is small and "withheld" when it would give a small one away; a rate
    made from a withheld count is "suppressed"."""

    def count(name: str) -> str:
        value = row[name]
        if value is None:
            return FEWER if (row["cohort"], name) in small else WITHHELD
        return str(value)

    def rate(name: str, words, none: str, sources: tuple[str, ...]) -> str:
        if any(row[s] is None for s in sources):
            return SUPPRESSED
        return none if row[name] is None else words(row[name])

    binary = rate("binary_rate", _percent, "–", ("cohort_size", "reoffenders"))
    interval = f"{_percent(row['binary_ci_low'])} to {_percent(row['binary_ci_high'])}" if binary not in (SUPPRESSED, "–") and row["binary_ci_low"] is not None else ""
    provisional = row["status"] == "provisional"
    status, status_detail = _status(provisional, row["months_elapsed"], row["final_on"], follow_up_months)
    national = row.get("national")
    if national is not None:
        national = {
            **national,
            "binary": "–" if national["binary_rate"] is None else _percent(national["binary_rate"]),
            "per_reoffender": "–" if national["reoffences_per_reoffender"] is None else f"{national['reoffences_per_reoffender']:.2f}",
            "frequency": "–" if national["frequency_rate"] is None else f"{national['frequency_rate']:.2f}",
        }
    start, end = row["period_start"], row["period_end"]
    return QuarterFigures(
        quarter=row["cohort"],
        months=f"{start:%b}–{end:%b %Y}",
        cohort_size=count("cohort_size"),
        reoffenders=count("reoffenders"),
        reoffences=count("reoffences"),
        binary_rate=binary,
        binary_interval=interval,
        frequency_rate=rate("frequency_rate", lambda v: f"{v:.2f}", "–", ("cohort_size", "reoffences")),
        reoffences_per_reoffender=rate("reoffences_per_reoffender", lambda v: f"{v:.2f}", "no reoffenders", ("reoffenders", "reoffences")),
        provisional=provisional,
        status=status,
        status_detail=status_detail,
        suppressed=bool(row.get("suppressed")),
        national=national,
    )


def summary_report(service, *, as_at: dt.date, suppress: bool):
    """The service's performance report (suppressed for people who may not see records), cached
    until the next write to the service."""
    from reoffkit.reference import COLUMNS, ReferenceFigure as Figure
    from reoffkit.reports.performance import performance_report, suppressed_report
    from reoffkit.web.tracker.models import ReferenceFigure

    def build():
        frames = queries.service_frames([service])
        figures = [Figure(**row) for row in ReferenceFigure.objects.values(*COLUMNS)]
        report = performance_report(
            frames.people, frames.outcomes, frames.assessments, areas=[service.name], as_at=as_at, rules=service.counting_rules(), figures=figures
        )
        return suppressed_report(report, SUPPRESS_BELOW) if suppress else report

    return queries.cached(queries.cache_key("summary", [service], as_at, suppress), build)


@require("view_aggregates")
def service_summary(request, service):
    from reoffkit.reports.performance import board_summary

    today = dt.date.today()
    suppress = not has_permission(request.user, "view_records")
    rules = service.counting_rules()
    report = summary_report(service, as_at=today, suppress=suppress)
    summary = board_summary(report)
    final = [row_figures(row, small=report.small, follow_up_months=rules.follow_up_months) for row in summary.final]
    provisional = [row_figures(row, small=report.small, follow_up_months=rules.follow_up_months) for row in summary.provisional]
    return render(
        request,
        "tracker/summary/summary.html",
        {
            "service": service,
            "section": "summary",
            "today": today,
            "final": final,
            "provisional": provisional,
            "suppress": suppress,
            "any_suppressed": any(q.suppressed for q in final + provisional),
            "threshold": SUPPRESS_BELOW,
            "rules": rules,
            "official_rules": not (rules.include_unproven or rules.include_breaches),
            "national_figures": list({(q.national["area"], q.national["period"], q.national["source"]): q.national for q in final if q.national}.values()),
        },
    )
