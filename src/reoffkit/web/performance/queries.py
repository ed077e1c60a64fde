"""Reads for the performance and reference figures pages."""

from __future__ import annotations

import datetime as dt

from reoffkit.web.tracker.models import ReferenceFigure, Service
from reoffkit.web.tracker.queries import cache_key, cached, service_frames


def performance_page(services: list[Service], *, as_at: dt.date, suppress_below: int | None):
    """The performance report (suppressed when ``suppress_below`` is given) and its charts drawn,
    cached until the next write to these services."""
    from reoffkit.charts.performance import performance_charts
    from reoffkit.reports.performance import suppressed_report

    services = sorted(services, key=lambda s: s.pk)

    def build():
        report = performance_report(services, as_at=as_at)
        if suppress_below:
            report = suppressed_report(report, suppress_below)
        charts = performance_charts(report)
        for chart in charts.values():
            chart.svg()
        return report, charts

    return cached(performance_key(services, as_at=as_at, suppress_below=suppress_below), build)


def performance_key(services: list[Service], *, as_at: dt.date, suppress_below: int | None) -> str:
    """The cache key of :func:`performance_page`: the services, the day, the suppression and the data version."""
    return cache_key("performance-page", sorted(services, key=lambda s: s.pk), as_at, suppress_below)


def performance_report(services: list[Service], *, as_at: dt.date):
    """The performance report of one service or a partnership (not cached: see ``performance_page``)."""
    from reoffkit.reports.performance import OFFICIAL_RULES, performance_report as build

    services = sorted(services, key=lambda s: s.pk)
    frames = service_frames(services)
    return build(
        frames.people,
        frames.outcomes,
        frames.assessments,
        areas=[s.name for s in services],
        as_at=as_at,
        # Every figure here is set against national or official ones, so it is counted by the
        # official rules whatever the services' settings (docs/rules.md §13; the page says so).
        rules=OFFICIAL_RULES,
        figures=reference_figures(),
    )


def reference_figures():
    """Every loaded reference figure, as :class:`reoffkit.reference.ReferenceFigure`."""
    from reoffkit.reference import COLUMNS, ReferenceFigure as Figure

    return [Figure(**row) for row in ReferenceFigure.objects.values(*COLUMNS)]


