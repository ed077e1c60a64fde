"""Reads for the retrospective analysis page."""

from __future__ import annotations

import datetime as dt

from reoffkit.engine import Period
from reoffkit.web.performance.queries import reference_figures
from reoffkit.web.tracker.models import Service
from reoffkit.web.tracker.queries import cache_key, cohort_quarters, resettlement_frame, service_frames


def analysis_report(services: list[Service], *, period: Period, as_at: dt.date, group_by: str, suppress_below: int | None = None):
    """The retrospective analysis of ``period`` for one service or several (for board viewers when
    ``suppress_below`` is given), its charts drawn. Pages get it from a job (:func:`analysis_job`)."""
    from reoffkit.reports.analysis import analysis_report as build, for_board

    services = sorted(services, key=lambda s: s.pk)
    frames = service_frames(services)
    report = build(
        frames.people, frames.outcomes, frames.assessments, areas=[s.name for s in services], period=period, as_at=as_at,
        rules=services[0].counting_rules(), group_by=group_by, resettlement=resettlement_frame(services),
        police_check=(services[0].police_check_green / 100, services[0].police_check_amber / 100),
        figures=reference_figures(),
    )
    if suppress_below:
        report = for_board(report, suppress_below)
    for section in report.sections:
        for chart in section.charts:
            chart.svg()
    return report


def analysis_job(services: list[Service], *, by, period: Period, as_at: dt.date, group_by: str, suppress_below: int | None, again: bool = False):
    """The job that computes (or computed) this analysis on the data as it is now; shared by
    everyone who asks for the same one until the next write to these services."""
    from reoffkit.web.jobs.runner import shared

    services = sorted(services, key=lambda s: s.pk)
    params = {
        "services": [s.pk for s in services], "first_quarter": period.first_quarter, "quarters": period.quarters, "method": period.method,
        "group_by": group_by, "as_at": as_at.isoformat(), "suppress_below": suppress_below,
    }
    key = cache_key("analysis", services, period.first_quarter, period.quarters, period.method, group_by, as_at, suppress_below)
    return shared(kind="analysis", key=key, by=by, service=services[0], params=params, again=again)


def completed_quarters(service: Service, *, as_at: dt.date) -> list[int]:
    """Quarters with cohort entries whose follow-up is complete on ``as_at``, oldest first."""
    rules = service.counting_rules()
    keys = sorted(Period.parse(label).first_quarter for label in cohort_quarters(service, as_at=as_at, count=40))
    return [key for key in keys if Period(key).follow_up_complete_on(rules) <= as_at]


