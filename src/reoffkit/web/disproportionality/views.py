"""Ethnic disproportionality for managers, performance officers and board viewers: each ethnic group
at every stage against the 10–17 population and White children (aggregates only).

The numbers are :mod:`reoffkit.reports.disproportionality`'s (the same as ``reoffkit
disproportionality``). Board viewers and the partnership view get the report made fit to leave the
service (:func:`~reoffkit.reports.disproportionality.for_sharing`); so does every download, which
is audited as an export. Inside the service, small counts are shown with a warning.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import tempfile
from pathlib import Path

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from reoffkit.casefile import CaseFileError
from reoffkit.disclosure import SUPPRESS_BELOW
from reoffkit.engine import Period
from reoffkit.engine.codes import ETHNICITY_SCHEMES
from reoffkit.engine.disproportionality import NOT_KNOWN, STAGE_TABLE, Population
from reoffkit.engine.rules import quarter_label
from reoffkit.web.board.queries import EDITORS
from reoffkit.web.disproportionality import actions
from reoffkit.web.disproportionality.models import PopulationTable, ServicePopulation
from reoffkit.web.tracker import fragments
from reoffkit.web.tracker.params import BadParameter, parse_quarter
from reoffkit.web.tracker.actions import record_export
from reoffkit.web.tracker.models import Role
from reoffkit.web.tracker.permissions import PERMISSIONS, has_permission, require, role_of
from reoffkit.web.tracker.queries import cache_key, cached, cohort_quarters, service_frames
from reoffkit.web.tracker.report_pages import FORMATS, chart_context, chart_download, file_stem, partnership, partnership_query

QUARTERS = {"1": "One quarter", "4": "Four quarters (12 months)", "8": "Eight quarters pooled (small areas)"}
TABLES = ("stages", "completeness", "sensitivity", "trend", "population")
MAX_UPLOAD_BYTES = 20_000_000


# ---- Choosing what to show ---------------------------------------------------------------------------


def _period(request, services, today: dt.date) -> tuple[Period | None, list[str]]:
    """The period in the URL, or the latest four quarters whose follow-up is complete (else the
    latest four quarters), and the quarters with cohort entries to choose from."""
    quarters_text = request.GET.get("quarters", "4")
    if quarters_text not in QUARTERS:
        raise BadParameter("quarters", quarters_text, "one of " + ", ".join(QUARTERS))
    quarters = int(quarters_text)
    available = cohort_quarters(services[0], as_at=today, count=40)
    first_text = request.GET.get("period", "")
    if first_text:
        return parse_quarter(first_text, name="period", quarters=quarters), available
    if not available:
        return None, available
    keys = sorted(Period.parse(label).first_quarter for label in available)
    rules = services[0].counting_rules()
    complete = [k for k in keys if Period(k).follow_up_complete_on(rules) <= today]
    last = complete[-1] if complete else keys[-1]
    return Period(last - quarters + 1, quarters), available


def population_for(services) -> tuple[Population | None, list[str]]:
    """The 10–17 population of the services' areas added up (each area once), and the services
    with none chosen yet; kept until the next write to these services (choosing a service's
    population is one, and a loaded table never changes), so a page does not read it again."""
    services = sorted(services, key=lambda s: s.pk)
    return fragments.kept_value(cache_key("population", services), lambda: _population_for(services))


def _population_for(services) -> tuple[Population | None, list[str]]:
    chosen = {s.pk: ServicePopulation.objects.filter(service=s).select_related("table").first() for s in services}
    missing = [s.name for s in services if chosen[s.pk] is None]
    if missing or not chosen:
        return None, missing
    tables = {}
    for choice in chosen.values():
        tables.setdefault(choice.table_id, (choice.table, set()))[1].update(choice.areas)
    populations = [actions.table_of(table).population(sorted(areas)) for table, areas in tables.values()]
    schemes = {p.scheme for p in populations}
    if len(schemes) > 1:
        return None, []
    counts: dict[str, int] = {}
    for population in populations:
        for group, count in population.counts.items():
            counts[group] = counts.get(group, 0) + count
    return Population(counts, scheme=populations[0].scheme, label="; ".join(p.label for p in populations)), []


def _shared(request, services) -> bool:
    """Figures leave the service for board viewers and in the partnership view."""
    return role_of(request.user) == Role.BOARD or len(services) > 1


def _report(services, *, period: Period, as_at: dt.date, scheme: str | None, population: Population | None, shared: bool):
    """The report (shared or not), cached until the next write to these services (choosing a
    service's population is one)."""
    from reoffkit.reports.disproportionality import disproportionality_report, for_sharing

    services = sorted(services, key=lambda s: s.pk)

    def compute():
        frames = service_frames(services)
        report = disproportionality_report(
            frames.people, frames.outcomes, population, areas=[s.name for s in services], period=period, as_at=as_at,
            rules=services[0].counting_rules(), assessments=frames.assessments, scheme=scheme,
        )
        return for_sharing(report) if shared else report

    key = _report_key(services, period=period, as_at=as_at, scheme=scheme, population=population, shared=shared)
    return cached(key, compute), key


def _report_key(services, *, period: Period, as_at: dt.date, scheme: str | None, population: Population | None, shared: bool) -> str:
    figures = hashlib.sha256(repr(population).encode()).hexdigest()[:16]  # the population's label and counts
    return cache_key("disproportionality", sorted(services, key=lambda s: s.pk), period.first_quarter, period.quarters, as_at, scheme, shared, figures)


def _charts(report, key: str, *, pies: bool):
    """The report's charts in page order, each drawn once and cached with the report."""
    from reoffkit.charts.disproportionality import CHARTS, chart_names

    def draw(name: str):
        chart = CHARTS[name](report)
        chart.svg()
        return chart

    return [cached(f"{key}:chart:{name}", lambda name=name: draw(name)) for name in chart_names(pies=pies)]


def _query(services, period: Period, scheme: str | None, pies: bool) -> str:
    parts = [f"period={quarter_label(period.first_quarter)}", f"quarters={period.quarters}"]
    if scheme:
        parts.append(f"scheme={scheme}")
    if pies:
        parts.append("pies=1")
    partners = partnership_query(services)
    return "&".join(parts + ([partners] if partners else []))


def _options(request) -> tuple[str | None, bool]:
    scheme = request.GET.get("scheme") or None
    if scheme is not None and scheme not in ETHNICITY_SCHEMES:
        raise BadParameter("scheme", scheme, "one of " + ", ".join(ETHNICITY_SCHEMES))
    return scheme, request.GET.get("pies") == "1"


# ---- Formatting --------------------------------------------------------------------------------------


def _number(value, digits: int = 1) -> str:
    return "–" if value is None else f"{value:,.{digits}f}"


def _percent(value) -> str:
    return "–" if value is None else f"{100 * value:.1f}%"


def _index(row: dict) -> str:
    if row["rri"] is None:
        return "–"
    if row["group"] == "White":
        return "1 (reference)"
    interval = f" ({row['rri_low']:.2f} to {row['rri_high']:.2f})" if row["rri_low"] is not None and row["rri_high"] is not None else ""
    return f"{row['rri']:.2f}{interval}"


def _stage_rows(report, *, shared: bool) -> list[dict]:
    """The stages table for the page, one block per stage."""
    blocks: dict[str, dict] = {}
    for row in report.tables["stages"].iter_rows(named=True):
        block = blocks.setdefault(row["stage"], {"label": row["stage_label"], "kind": row["kind"], "unit": row["unit"], "per_label": f"{row['rate_per']:,}", "total": row["stage_total"], "rows": []})
        small = not shared and row["count"] is not None and 0 < row["count"] < SUPPRESS_BELOW
        block["rows"].append(
            {
                "group": row["group"],
                "count": "withheld" if row["count"] is None else f"{row['count']:,}",
                "small": small,
                "share": _percent(row["share_of_stage"]),
                "base": _number(row["base"], 0),
                "rate": _number(row["rate"]),
                "ratio": _number(row["representation_ratio"], 2),
                "index": _index(row),
                "verdict": row["verdict"],
                "verdict_label": row["verdict_label"],
                "reason": row["reason"] or "",
                "not_known": row["group"] == NOT_KNOWN,
            }
        )
    return list(blocks.values())


# ---- Pages -------------------------------------------------------------------------------------------


@require("view_disproportionality")
def disproportionality(request, service):
    today = dt.date.today()
    services = partnership(request, service)
    period, available = _period(request, services, today)
    scheme, pies = _options(request)
    population, missing = population_for(services)
    shared = _shared(request, services)
    context = {
        "service": service,
        "services": services,
        "partnership": len(services) > 1,
        "section": "disproportionality",
        "period": period,
        "available": available,
        "quarters": QUARTERS,
        "schemes": ETHNICITY_SCHEMES,
        "chosen": {"period": quarter_label(period.first_quarter) if period else "", "quarters": str(period.quarters) if period else "4", "scheme": scheme or "", "pies": pies},
        "population": population,
        "missing_population": missing,
        "shared": shared,
        "threshold": SUPPRESS_BELOW,
        "partners": partnership_query(services),
        "can_choose_population": has_permission(request.user, "load_population"),
    }
    if period is not None:
        role = role_of(request.user)
        version = _report_key(services, period=period, as_at=today, scheme=scheme, population=population, shared=shared)
        key = fragments.key("disproportionality", role=role, version=version, choices={"service": service.pk, "pies": pies})

        def prepare():
            report, report_key = _report(services, period=period, as_at=today, scheme=scheme, population=population, shared=shared)
            return report, _charts(report, report_key, pies=pies)

        context["report_html"] = fragments.kept(
            key, lambda page: _report_part(page, service, services, period=period, scheme=scheme, pies=pies, population=population, shared=shared, role=role),
            prepare=prepare,
        )
    return render(request, "disproportionality/disproportionality.html", context)


def _report_part(page, service, services, *, period, scheme, pies, population, shared, role) -> str:
    """The report part of the page (everything under the choices), as ``role`` sees it."""
    from django.template.loader import render_to_string

    report, charts = page
    query = _query(services, period, scheme, pies)
    stages = _stage_rows(report, shared=shared)
    return render_to_string(
        "disproportionality/report.html",
        {
            "service": service, "partnership": len(services) > 1, "period": period, "population": population, "shared": shared,
            "threshold": SUPPRESS_BELOW, "can_choose_population": role in PERMISSIONS["load_population"], "plan_editor": role in EDITORS,
            "report": report,
            "findings": report.findings(),
            "charts": [chart_context(c.name, c, service_id=service.pk, download="disproportionality-download", query=query) for c in charts],
            "stages": stages,
            "completeness": [{**row, "share": _percent(row["share_known"])} for row in report.tables["completeness"].iter_rows(named=True)],
            "sensitivity": [
                {**row, "index": _index({"group": row["group"], "rri": row["rri"], "rri_low": None, "rri_high": None}),
                 "if_group": _index({"group": row["group"], "rri": row["rri_if_in_group"], "rri_low": row["low_if_in_group"], "rri_high": row["high_if_in_group"]}),
                 "if_white": _index({"group": row["group"], "rri": row["rri_if_white"], "rri_low": row["low_if_white"], "rri_high": row["high_if_white"]})}
                for row in report.tables["sensitivity"].filter(~report.tables["sensitivity"]["verdict"].is_in(["no_index"])).iter_rows(named=True)
            ],
            "downloads": {name: f"{_download_url(service, name, 'csv')}?{query}" for name in TABLES},
            "any_small": any(r["small"] for block in stages for r in block["rows"]),
            "shortfalls": [
                f"{group}: {count:,} children counted ({STAGE_TABLE[stage].label.lower()}) but a population of {population_count:,}"
                for group, stage, count, population_count in report.result.population_shortfalls
            ],
        },
    )


def _download_url(service, name: str, fmt: str) -> str:
    from django.urls import reverse

    return reverse("disproportionality-download", args=[service.pk, name, fmt])


@require("view_disproportionality")
def disproportionality_download(request, service, name: str, fmt: str):
    """A chart (SVG, PNG, its data as CSV) or a table (CSV) — always from the report made fit to
    leave the service, and audited as an export."""
    today = dt.date.today()
    services = partnership(request, service)
    period, _ = _period(request, services, today)
    scheme, pies = _options(request)
    if period is None or fmt not in FORMATS:
        raise Http404
    population, _ = population_for(services)
    report, key = _report(services, period=period, as_at=today, scheme=scheme, population=population, shared=True)
    stem = file_stem(services, "disproportionality", period.label.replace("–", "-"), name)  # ASCII: browsers refuse other names
    if name in TABLES and fmt == "csv":  # "trend" and "population" are charts too: their drawings below
        from reoffkit.cells import write_csv

        response = HttpResponse(write_csv(report.tables[name]), content_type=FORMATS["csv"])
        response["Content-Disposition"] = f'attachment; filename="{stem[:120]}.csv"'
    else:
        charts = _charts(report, key, pies=pies or name == "pies")
        response = chart_download(next((c for c in charts if c.name == name), None), fmt, stem=stem)
    for each in services:
        record_export(
            by=request.user, service=each, purpose="disproportionality figures, small counts withheld",
            object_type="disproportionality", object_ids=[], summary=f"Downloaded disproportionality {name}.{fmt} for {period.label} (aggregates, suppressed)",
        )
    return response


@require("load_population")
def population_tables(request):
    """The population tables loaded, and a form to check and load another (all or nothing)."""
    problems: list[str] = []
    if request.method == "POST":
        upload = request.FILES.get("table")
        name = (request.POST.get("name") or "").strip()
        if upload is None:
            problems = ["Choose a CSV file or an .xlsx workbook of population figures to load"]
        elif upload.size > MAX_UPLOAD_BYTES:
            problems = [f"{upload.name} is larger than {MAX_UPLOAD_BYTES // 1_000_000} MB"]
        elif Path(upload.name).suffix.lower() not in (".csv", ".xlsx"):
            problems = [f"{upload.name} is not a CSV file or an .xlsx workbook"]
        else:
            from reoffkit.web.spreadsheets.uploads import read_population_upload, stored_upload

            with tempfile.TemporaryDirectory() as folder:
                path = stored_upload(folder, upload)
                try:
                    table = read_population_upload(path, name=upload.name)
                except CaseFileError as error:
                    problems = [str(p) for p in error.problems]
            if not problems:
                record = actions.load_population_table(by=request.user, table=table, name=name or upload.name, file_name=upload.name)
                messages.success(request, f"Loaded {upload.name}: {len(table.rows)} figures for {len(table.areas)} areas.")
                return redirect(f"{request.path}#table-{record.pk}")
    tables = []
    for record in PopulationTable.objects.all():
        table = actions.table_of(record)
        tables.append({"record": record, "areas": [{"area": a, "population": table.population([a.code or a.name])} for a in table.areas]})
    return render(
        request,
        "disproportionality/population_tables.html",
        {"section": "population", "tables": tables, "problems": problems, "schemes": ETHNICITY_SCHEMES},
        status=400 if problems else 200,
    )


@require("load_population")
def service_population(request, service):
    """Which table and areas make up ``service``'s 10–17 population (several areas add up)."""
    current = ServicePopulation.objects.filter(service=service).first()
    table_id = request.POST.get("table") or request.GET.get("table") or (current.table_id if current else None)
    if table_id is not None and not str(table_id).isdigit():  # a crafted address: no such table
        raise Http404
    records = list(PopulationTable.objects.all())
    record = get_object_or_404(PopulationTable, pk=table_id) if table_id else (records[0] if records else None)
    problems = []
    if request.method == "POST" and record is not None and "save" in request.POST:
        areas = request.POST.getlist("areas")
        if not areas:
            problems = ["Choose at least one area"]
        else:
            try:
                actions.set_service_population(by=request.user, service=service, table=record, areas=areas)
            except CaseFileError as error:
                problems = [p.expected for p in error.problems]
            else:
                messages.success(request, f"{service.name}'s population is now {', '.join(areas)} ({record.name}).")
                return redirect("disproportionality", service.pk)
    chosen = set(current.areas) if current and record and current.table_id == record.pk else set()
    areas = [{"code": a.code or a.name, "label": a.label, "checked": (a.code or a.name) in chosen} for a in actions.table_of(record).areas] if record else []
    return render(
        request,
        "disproportionality/service_population.html",
        {"service": service, "section": "disproportionality", "records": records, "record": record, "areas": areas, "current": current, "problems": problems},
        status=400 if problems else 200,
    )
