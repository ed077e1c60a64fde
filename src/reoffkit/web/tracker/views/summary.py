"""A service's reoffending by quarterly cohort: aggregates only, never a child's name, id or link.

The numbers are the engine's (``queries.summary_quarters`` → ``CohortMeasures``); this module only
words them and, for anyone who may not see children's records (board viewers), suppresses counts
under 5 and every rate calculated from a suppressed count (docs/rules.md §11).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.shortcuts import render

from reoffkit.disclosure import FEWER, SUPPRESSED, SUPPRESS_BELOW, withheld
from reoffkit.engine import CohortMeasures
from reoffkit.web.tracker import queries
from reoffkit.web.tracker.permissions import has_permission, require

QUARTERS_SHOWN = 6


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


def _percent(value: float) -> str:
    return f"{100 * value:.1f}%"


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
    if measures.provisional:
        status = f"Provisional — {measures.follow_up_months_elapsed} of {follow_up_months} months of follow-up"
        status_detail = f"final on {measures.follow_up_complete_on:%-d %b %Y}"
    else:
        status, status_detail = "Final", f"follow-up and waiting period complete on {measures.follow_up_complete_on:%-d %b %Y}"
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


@require("view_aggregates")
def service_summary(request, service):
    today = dt.date.today()
    suppress = not has_permission(request.user, "view_records")
    rules = service.counting_rules()
    quarters = [
        quarter_figures(m, suppress=suppress, follow_up_months=rules.follow_up_months)
        for m in queries.summary_quarters(service, as_at=today, count=QUARTERS_SHOWN)
    ]
    return render(
        request,
        "tracker/summary/summary.html",
        {
            "service": service,
            "section": "summary",
            "today": today,
            "quarters": quarters,
            "suppress": suppress,
            "any_suppressed": any(q.suppressed for q in quarters),
            "threshold": SUPPRESS_BELOW,
            "quarters_shown": QUARTERS_SHOWN,
            "rules": rules,
        },
    )
