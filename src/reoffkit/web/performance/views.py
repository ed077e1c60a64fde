"""In-year performance against projected national averages, for one service or a partnership, and
the reference figures it compares with.

The numbers are :mod:`reoffkit.reports.performance`'s (the same as ``reoffkit performance`` on a case
file); this module words them. People who may not see children's records (board viewers) get the
suppressed report: counts under ``SUPPRESS_BELOW`` and the rates made from them blanked.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods

from reoffkit import reference as ref
from reoffkit.casefile import CaseFileError
from reoffkit.disclosure import SUPPRESS_BELOW
from reoffkit.reports.performance import MODELLED, is_official
from reoffkit.web.performance import queries as performance_queries
from reoffkit.web.tracker import actions, fragments
from reoffkit.web.tracker.permissions import PERMISSIONS, has_permission, require, role_of, services_of_request
from reoffkit.web.tracker.report_pages import chart_context, chart_download, file_stem, partnership, partnership_query

MAX_REFERENCE_BYTES = 2_000_000


def _page(request, services, as_at: dt.date):
    """The report and its drawn charts, as this user may see them; and whether suppressed."""
    suppress = not has_permission(request.user, "view_records")
    report, charts = performance_queries.performance_page(services, as_at=as_at, suppress_below=SUPPRESS_BELOW if suppress else None)
    return report, charts, suppress


def percent(value) -> str:
    return "–" if value is None else f"{100 * value:.1f}%"


def number(value, places: int = 2) -> str:
    return "–" if value is None else f"{value:.{places}f}"


def count(value, small: bool = True) -> str:
    """A count; a withheld one is "fewer than 5" if small, else "withheld" (it would give one away)."""
    if value is None:
        return f"fewer than {SUPPRESS_BELOW}" if small else "withheld"
    return f"{value:,}"


def interval(low, high, words=percent) -> str:
    return "" if low is None or high is None else f"{words(low)} to {words(high)}"


def _national_from(period, source) -> str:
    """The cell's label: the period (the publication is listed once under the tables)."""
    return "" if period is None else period


def _live_rows(report) -> list[dict]:
    rows = []
    for row in report.live.iter_rows(named=True):
        small = {c: (row["cohort"], c) in report.small or not report.withheld for c in ("cohort_size", "reoffenders", "reoffences")}
        rows.append(
            {
                "cohort": f"Four quarters {row['months']} ({row['cohort']}) added together" if row["cohort_basis"] == "aggregated_quarters" else row["cohort"],
                "months_named": row["months"],
                "aggregate": row["cohort_basis"] == "aggregated_quarters",
                "months": row["months_elapsed"],
                "waiting": row["months_elapsed"] >= report.rules.follow_up_months,
                "final_on": row["final_on"],
                "cohort_size": count(row["cohort_size"], small["cohort_size"]),
                "reoffenders": count(row["reoffenders"], small["reoffenders"]),
                "reoffences": count(row["reoffences"], small["reoffences"]),
                "binary": percent(row["binary_rate"]),
                "binary_interval": interval(row["binary_ci_low"], row["binary_ci_high"]),
                "national_binary": percent(row["national_binary_now"]),
                "national_binary_from": _national_from(row["national_binary_period"], row["national_binary_source"]),
                "national_frequency_from": _national_from(row["national_frequency_period"], row["national_frequency_source"]),
                "national_periods_differ": row["national_binary_period"] != row["national_frequency_period"],
                "projected_binary": percent(row["projected_binary_12m"]),
                "projected_binary_interval": interval(row["projected_binary_low"], row["projected_binary_high"]),
                "national_binary_12m": percent(row["national_binary_12m"]),
                "frequency": number(row["frequency_rate"]),
                "frequency_interval": interval(row["frequency_ci_low"], row["frequency_ci_high"], number),
                "national_frequency": number(row["national_frequency_now"]),
                "per_reoffender": number(row["reoffences_per_reoffender"]),
                "per_reoffender_interval": interval(row["per_reoffender_ci_low"], row["per_reoffender_ci_high"], number),
                "national_per_reoffender": number(row["national_per_reoffender_now"]),
                "projected_frequency": number(row["projected_frequency_12m"]),
                "projected_frequency_interval": interval(row["projected_frequency_low"], row["projected_frequency_high"], number),
                "suppressed": row.get("suppressed", False),
            }
        )
    return rows


def _official_rows(report) -> list[dict]:
    return [
        {
            "area": row["area"],
            "basis": ref.BASIS_LABELS[row["cohort_basis"]],
            "period": f"{row['period_start']:%b %Y}–{row['period_end']:%b %Y}",
            "source": row["source"],
            "official": (count(row["official_cohort_size"]) if row["official_cohort_size"] is not None else "not published",
                         count(row["official_reoffenders"]) if row["official_reoffenders"] is not None else "not published",
                         percent(row["official_binary_rate"]), number(row["official_per_reoffender"])),
            "local": (count(row["local_cohort_size"]), count(row["local_reoffenders"]), percent(row["local_binary_rate"]), number(row["local_per_reoffender"])),
            "difference": "–" if row["binary_difference"] is None else f"{100 * row['binary_difference']:+.1f} points",
            "size_difference": "–" if row["cohort_size_difference"] is None else f"{row['cohort_size_difference']:+d} children",
            "status": row["local_status"],
        }
        for row in report.official.iter_rows(named=True)
    ]


def _national_bases(report) -> list[dict]:
    seen = {}
    for row in report.live.iter_rows(named=True):
        seen.setdefault(
            row["cohort_basis"],
            {"label": ref.BASIS_LABELS[row["cohort_basis"]].capitalize(), "binary": row["national_binary_basis"], "frequency": row["national_frequency_basis"]},
        )
    return list(seen.values())


@require("view_aggregates")
def performance(request, service):
    today = dt.date.today()
    services = partnership(request, service)
    suppress = not has_permission(request.user, "view_records")
    suppress_below = SUPPRESS_BELOW if suppress else None
    role = role_of(request.user)
    key = fragments.key("performance", role=role, version=performance_queries.performance_key(services, as_at=today, suppress_below=suppress_below),
                        choices={"service": service.pk})
    rules = [s.counting_rules() for s in services]
    part = fragments.kept_value(
        key, lambda page: _report_part(page, service, services, role),
        prepare=lambda: performance_queries.performance_page(services, as_at=today, suppress_below=suppress_below),
    )
    return render(
        request,
        "performance/performance.html",
        {
            "service": service,
            "services": services,
            "others": [s for s in services_of_request(request) if s != service],
            "partnership": len(services) > 1,
            "section": "performance",
            "today": today,
            "modelled": MODELLED,
            "curve_basis": part["curve_basis"],
            "report_html": mark_safe(part["html"]),  # noqa: S308 — rendered by a template
            "suppress": suppress,
            "threshold": SUPPRESS_BELOW,
            "rules": rules[0],
            "settings_apply": [s for s, r in zip(services, rules) if not is_official(r)],
        },
    )


def _report_part(page, service, services, role) -> dict:
    """The report part of the page, as ``role`` sees it, and the curve's basis (named above it)."""
    from django.template.loader import render_to_string

    report, charts = page
    live_rows = _live_rows(report)
    query = partnership_query(services)
    html = render_to_string(
        "performance/report.html",
        {
            "service": service,
            "services": services,
            "partnership": len(services) > 1,
            "report": report,
            "modelled": MODELLED,
            "live_rows": live_rows,
            "periods_differ": any(row["national_periods_differ"] for row in live_rows),
            "official_rows": _official_rows(report),
            "charts": {name.replace("-", "_"): chart_context(name, chart, service_id=service.pk, download="performance-chart", query=query) for name, chart in charts.items()},
            "national_bases": _national_bases(report),
            "can_load_reference": role in PERMISSIONS["view_reference"],
        },
    )
    return {"html": fragments.check(html), "curve_basis": report.curve.basis}


@require("view_aggregates")
def performance_chart(request, service, name: str, fmt: str):
    """A chart of the performance page as SVG or PNG, or its data as CSV."""
    services = partnership(request, service)
    _, charts, _ = _page(request, services, dt.date.today())
    return chart_download(charts.get(name), fmt, stem=file_stem(services, name, f"{dt.date.today():%Y-%m-%d}"))


@require("view_reference")
@require_http_methods(["GET", "POST"])
def reference_figures(request):
    problems = []
    can_load = has_permission(request.user, "reference_figures")
    if request.method == "POST" and not can_load:
        raise PermissionDenied
    if request.method == "POST":
        upload = request.FILES.get("figures")
        if upload is None:
            problems = ["Choose a CSV file of reference figures to load"]
        elif upload.size > MAX_REFERENCE_BYTES:
            problems = [f"{upload.name} is larger than {MAX_REFERENCE_BYTES // 1_000_000} MB: a reference file is a short table of figures"]
        elif not upload.name.lower().endswith(".csv"):
            problems = [f"{upload.name} is not a CSV file: save the table as CSV (comma separated) and load that"]
        else:
            raw = upload.read()
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                text = raw.decode("cp1252", errors="replace")
            try:
                figures = ref.parse_reference_csv(text)
            except CaseFileError as error:
                problems = [str(p) for p in error.problems]
            else:
                counts = actions.load_reference_figures(by=request.user, figures=figures, file_name=upload.name)
                messages.success(
                    request,
                    f"Loaded {upload.name}: {counts['added']} figures added, {counts['replaced']} replaced, {counts['unchanged']} already loaded.",
                )
                return redirect("reference")
    figures = sorted(performance_queries.reference_figures(), key=lambda f: (list(ref.BASES).index(f.cohort_basis), f.area_type != "country", f.area, f.period_start))
    groups = []
    for basis, label in ref.BASIS_LABELS.items():
        rows = [
            {**f.as_dict(), "binary": percent(f.binary_rate), "per_reoffender": number(f.reoffences_per_reoffender), "area_type": f.area_type.replace("_", " ")}
            for f in figures
            if f.cohort_basis == basis
        ]
        if rows:
            groups.append({"basis": basis, "label": label, "figures": rows})
    return render(
        request,
        "performance/reference.html",
        {"section": "reference", "can_load": can_load, "groups": groups, "problems": problems, "columns": ref.COLUMNS, "area_types": ref.AREA_TYPES, "bases": ref.BASES},
        status=400 if problems else 200,
    )
