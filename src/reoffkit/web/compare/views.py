"""The national comparison for every role that may see aggregates: the service against comparators
of the user's choosing, funnel plots with their table twins, ranks with intervals, the expected
rate (modelled, not an official statistic) and the data summary indicators; and the page on which
performance officers and administrators load published area figures (all or nothing).

The numbers are :mod:`reoffkit.reports.comparison`'s (the same as ``reoffkit compare``). Board
viewers get the report made fit to leave the service; so does every download, which is audited as
an export. Real and SYNTHETIC figures are never shown together; synthetic ones say so everywhere.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from reoffkit.casefile import CaseFileError
from reoffkit.disclosure import SUPPRESS_BELOW
from reoffkit.reference.areas import AREA_TYPES
from reoffkit.reports.comparison import COMPARATOR_KINDS, MODELLED, RAG_LABELS, SYNTHETIC_NOTE, period_label
from reoffkit.web.compare import actions
from reoffkit.web.compare.models import FigureLoad, ServiceComparison
from reoffkit.web.tracker import fragments
from reoffkit.web.tracker.actions import record_export
from reoffkit.web.tracker.models import Role
from reoffkit.web.tracker.permissions import has_permission, require, role_of
from reoffkit.web.tracker.queries import cache_key, service_frames
from reoffkit.web.tracker.report_pages import FORMATS, chart_context, chart_download, file_stem

TABLES = ("cohorts", "funnel_binary", "funnel_frequency", "ranks", "plan", "indicators", "expected", "districts")
GROUPS = ("family", "region", "pcc", "country:England and Wales", "country:England", "country:Wales")
GROUP_LABELS = {
    "family": "Its family of similar services", "region": "Its region", "pcc": "Its police and crime commissioner area",
    "country:England and Wales": "England and Wales", "country:England": "England", "country:Wales": "Wales",
}
DEFAULT = ("family", "region", "country:England and Wales")
MAX_UPLOAD_BYTES = 20_000_000
#: Rows of a chart's table twin shown on the page when the chart has more (every row: its own page and CSV).
TWIN_ROWS = 25


# ---- Computed once, kept in the shared cache and in this process -------------------------------------

def _kept(key: str, build):
    """Kept in the cache every web process shares, with a copy in this process
    (:func:`reoffkit.web.tracker.fragments.kept_value`). Every key here names what its value was
    made from (the loads of figures, the newest data-changing audit event of the service, the
    choices), so a value under a key never changes."""
    return fragments.kept_value(key, build)


def _signature(loads: list[tuple[int, bool]]) -> str:
    """A digest of :func:`actions.loads_signature` from ``loads`` (every load of figures as
    ``(pk, synthetic)``, in the model's order)."""
    return hashlib.sha256(actions.loads_signature(figures=[pk for pk, _ in loads]).encode()).hexdigest()[:32]


# ---- Choosing what to show ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Shown:
    """What a comparison of one service shows: the figure set (SYNTHETIC or published), the loads'
    signature (part of every key), the set's areas, the service's comparison setting (``None``
    when not set) and its area among them (``focus_code``; ``None`` when it is none of them)."""

    synthetic: bool
    signature: str
    data: object
    setting: ServiceComparison | None
    focus_code: str | None
    has_synthetic: bool
    has_published: bool

    @property
    def rag_against(self) -> str:
        return self.setting.rag_against if self.setting else "country:England and Wales"


def _shown(request, service) -> Shown:
    """:class:`Shown` for ``service``. The loads of figures and of stratum rates and the service's
    setting are kept under the service's data version: a load of either is audited as a load of
    national figures, and a change of the setting as a write to the service, so each gives a new
    version (``tracker.queries.NATIONAL_LOADS``)."""

    def read():
        loads = list(FigureLoad.objects.values_list("pk", "synthetic"))  # the signature and the sets, in one query
        return loads, _signature(loads), ServiceComparison.objects.filter(service=service).first()

    loads, signature, setting = _kept(cache_key("compare:shown", [service]), read)
    synthetic = _figure_set(request, service, setting=setting, loads=loads, signature=signature)
    data = _areas(synthetic, signature)
    sets = {synthetic for _, synthetic in loads}
    return Shown(synthetic, signature, data, setting, _focus(data, service, setting), True in sets, False in sets)


def _figure_set(request, service, *, setting, loads: list[tuple[int, bool]], signature: str) -> bool:
    """Whether the page shows the SYNTHETIC figures: as asked (``?figures=synthetic|published``),
    else the set the service is an area of (the published one first), else the SYNTHETIC set if
    loaded. Kept under what it is made from: the loads (``signature``; only their areas are read),
    the setting's area and the service's name."""
    asked = request.GET.get("figures")
    if asked in ("synthetic", "published"):
        return asked == "synthetic"

    def which() -> bool:
        for synthetic in (False, True):
            codes = actions.AreaRecord.objects.filter(load__in=[pk for pk, _ in loads], load__synthetic=synthetic)
            if setting and codes.filter(area_code=setting.area_code).exists():
                return synthetic
            if codes.filter(area_name__iexact=service.name).exists():
                return synthetic
        return any(synthetic for _, synthetic in loads)

    made_from = hashlib.sha256(f"{setting.area_code if setting else ''}|{service.name}".encode()).hexdigest()[:32]
    return _kept(f"compare:set:{signature}:{made_from}", which)


def _data(synthetic: bool, signature: str):
    return _kept(f"compare:data:{synthetic}:{signature}", lambda: actions.all_data(synthetic=synthetic))


def _areas(synthetic: bool, signature: str):
    """The areas of the set alone (no figures): what the page needs before its cached report."""
    from reoffkit.reference.areas import AreaData

    data = _data(synthetic, signature)  # before the areas' own lock (see _report); kept in this process
    return _kept(f"compare:areas:{synthetic}:{signature}", lambda: AreaData((), data.areas))


def _focus(data, service, setting) -> str | None:
    """The service's area in ``data``: the one its setting (its :class:`ServiceComparison`, or
    ``None``) names, else the area of its name."""
    for wanted in ([setting.area_code] if setting else []) + [service.name]:
        area = data.area(wanted)
        if area is not None:
            return area.area_code
    return None


def _choices(request, data, focus_code: str) -> dict:
    groups = [g for g in request.GET.getlist("group") if g in GROUPS] if "shown" in request.GET else list(DEFAULT)
    named = [code for code in request.GET.getlist("area") if data.area(code) is not None and code != focus_code][:8]
    basis = request.GET.get("basis") if request.GET.get("basis") in ("aggregated_quarters", "quarter") else "aggregated_quarters"
    try:
        cohorts = min(12, max(3, int(request.GET.get("cohorts", "3"))))
    except ValueError:
        cohorts = 3
    return {"groups": groups, "areas": named, "basis": basis, "cohorts": cohorts}


def _query(chosen: dict, synthetic: bool) -> str:
    from urllib.parse import urlencode

    pairs = [("shown", "1"), ("figures", "synthetic" if synthetic else "published"), ("basis", chosen["basis"]), ("cohorts", chosen["cohorts"])]
    pairs += [("group", g) for g in chosen["groups"]] + [("area", a) for a in chosen["areas"]]
    return urlencode(pairs)


def _report_key(service, *, synthetic: bool, chosen: dict, focus_code: str, rag_against: str | None, shared: bool, signature: str) -> str:
    """What the report is made from: the service's data (its newest data-changing audit event), the
    loads of figures, the figure set, the focus, the choices, the RAG comparator, shared or not."""
    choice = hashlib.sha256(f"{synthetic}|{focus_code}|{rag_against}|{shared}|{_query(chosen, synthetic)}|{signature}".encode()).hexdigest()[:32]
    return cache_key("compare", [service], choice)


def _report(service, *, synthetic: bool, chosen: dict, focus_code: str, rag_against: str | None, shared: bool, signature: str):
    """The report (shared or not), cached until the next write to the service or the next load."""
    from reoffkit.reports.comparison import cohort_periods, comparison_report, for_sharing, service_inputs

    # the area figures are read (and cached) before the report's own lock is taken: cached() locks
    # are not re-entrant, and a report built while holding one must not wait for another
    data = _data(synthetic, signature)

    def compute():
        frames = service_frames([service])
        if synthetic:
            from reoffkit.reference.synthetic_national import synthetic_stratum_rates

            strata = synthetic_stratum_rates()
        else:
            strata = actions.stratum_rates()  # the newest load (National figures page), if any
        own, expected, districts = service_inputs(
            frames.people, frames.outcomes, frames.assessments, periods=cohort_periods(data, focus_code, chosen["basis"]),
            as_at=dt.date.today(), rules=service.counting_rules(), strata=strata,
        )
        comparators = [*chosen["groups"], *(f"area:{code}" for code in chosen["areas"])]
        keys = [c for c in comparators]
        rag_key = rag_against if rag_against in keys else None
        report = comparison_report(
            data, focus_code, comparators=keys, rag_against=rag_key, basis=chosen["basis"], cohorts=chosen["cohorts"],
            own=own if own.height else None, expected=expected, districts=districts, strict=False,
        )
        return for_sharing(report) if shared else report

    key = _report_key(service, synthetic=synthetic, chosen=chosen, focus_code=focus_code, rag_against=rag_against, shared=shared, signature=signature)
    return _kept(key, compute), key


def _charts(report, key: str):
    from reoffkit.charts.comparison import CHARTS

    def drawn(draw):
        chart = draw(report)
        chart.svg()  # drawn once, cached with the chart
        return chart

    return [_kept(f"{key}:chart:{name}", lambda draw=draw: drawn(draw)) for name, draw in CHARTS.items()]


def _count(value) -> str:
    return "–" if value is None else f"{value:,}"


def _pct(value) -> str:
    return "–" if value is None else f"{100 * value:.1f}%"


def _num(value, digits: int = 2) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def _ordinal(number) -> str:
    if number is None:
        return "–"
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def _cohort_rows(report) -> list[dict]:
    rows = []
    for r in report.tables["cohorts"].iter_rows(named=True):
        rows.append({
            **r,
            "cohort_text": _count(r["cohort_size"]), "reoffenders_text": _count(r["reoffenders"]),
            "binary": _pct(r["binary_rate"]),
            "binary_interval": f"{_pct(r['binary_ci_low'])} to {_pct(r['binary_ci_high'])}" if r["binary_ci_low"] is not None else "–",
            "frequency": _num(r["frequency_rate"]),
            "frequency_interval": f"{_num(r['frequency_ci_low'])} to {_num(r['frequency_ci_high'])}" if r["frequency_ci_low"] is not None else "–",
            "change": "–" if r["change_from_previous"] is None else f"{100 * r['change_from_previous']:+.1f} pts" + (f" (p = {r['change_p']:.2f})" if r["change_p"] is not None else ""),
            "baseline": "–" if r["change_from_baseline"] is None else f"{100 * r['change_from_baseline']:+.1f} pts" + (f" (p = {r['baseline_p']:.2f})" if r["baseline_p"] is not None else ""),
            "rank_text": "–" if r["rank"] is None else f"{_ordinal(r['rank'])} of {r['of']}",
            "rank_interval": "–" if r["rank"] is None else f"{_ordinal(r['rank_low'])} to {_ordinal(r['rank_high'])}",
            "small": r["reoffenders"] is not None and 0 < r["reoffenders"] < SUPPRESS_BELOW,
        })
    return rows


def _any_small(report) -> bool:
    """Whether the indicators or the expected rate's strata hold a count from 1 to 4 (the cohorts
    table's own rows say so themselves): the page then says they are withheld from every download."""
    import polars as pl

    checks = [("indicators", ("count",)), ("expected", ("cohort_size", "reoffenders", "reoffences"))]
    return any(
        not report.tables[name].filter(pl.any_horizontal(pl.col(c).is_between(1, SUPPRESS_BELOW - 1) for c in columns if c in report.tables[name].columns)).is_empty()
        for name, columns in checks if name in report.tables and any(c in report.tables[name].columns for c in columns)
    )


def _plan(report) -> dict | None:
    """The plan table for the page: the areas' names as column groups (rate, change), a row per
    indicator; figures as the youth justice plan prints them."""
    table = report.tables.get("plan")
    if table is None or table.is_empty():
        return None
    areas = [c for c in table.columns[2:-2] if not c.endswith(": change from a year earlier")]
    rows = []
    for r in table.iter_rows(named=True):
        digits = 1 if r["Indicator"].startswith(("First-time", "Binary")) else 2
        unit = " pts" if r["Indicator"].startswith("Binary") else ""
        cells = []
        for area in areas:
            value, step = r[area], r[f"{area}: change from a year earlier"]
            cells.append(("–" if value is None else f"{value:,.{digits}f}", "–" if step is None else f"{step:+.{digits}f}{unit}"))
        rows.append({"indicator": r["Indicator"], "period": r["Period"], "cells": cells, "rag": (r["RAG"] or "").lower() or None, "rank": r["National rank"] or "–"})
    return {"areas": areas, "rows": rows}


def _indicator_rows(report) -> list[dict]:
    table = report.tables["indicators"]
    return [
        {**r, "rate_text": _num(r["rate"], 1 if "100,000" in r["indicator"] else 2),
         "change_text": "–" if r["change_from_year_before"] is None else f"{r['change_from_year_before']:+.2f}",
         "rank_text": "–" if r["rank"] is None else f"{_ordinal(r['rank'])} of {r['of']}"}
        for r in table.iter_rows(named=True)
    ]


# ---- Pages -------------------------------------------------------------------------------------------


_OPTION_PARTS: dict[tuple, list[tuple[str, str, str]]] = {}


def _options(areas, *, selected, leave_out: str | None = None):
    """``<option>`` elements of the areas (155 of them: made here, not by a template loop; each
    area's escaped parts made once for the list of areas, which is kept in this process)."""
    from django.utils.html import escape
    from django.utils.safestring import mark_safe

    key = tuple((a.area_code, a.area_name) for a in areas)
    parts = _OPTION_PARTS.get(key)
    if parts is None:
        parts = [(code, f'<option value="{escape(code)}"', f">{escape(name)}</option>") for code, name in key]
        if len(_OPTION_PARTS) > 16:
            _OPTION_PARTS.clear()
        _OPTION_PARTS[key] = parts
    return mark_safe("".join(f"{head}{' selected' if code in selected else ''}{tail}" for code, head, tail in parts if code != leave_out))


def _chart_items(report, charts, *, service, query: str, data) -> list[dict]:
    """The charts for the page. A table twin of more than :data:`TWIN_ROWS` rows (the funnel plots'
    and the ranks': every area) shows the areas named on the chart — the service, its chosen
    comparators, its family — and links to every row on its own page; the CSV has them all too."""
    named = {report.focus.area_name, *(c.label for c in report.comparators if c.kind == "area")}
    named |= {area.area_name for code in report.focus.family if (area := data.area(code)) is not None}
    items = []
    for chart in charts:
        item = chart_context(chart.name, chart, service_id=service.pk, download="compare-download", query=query)
        total = len(item["rows"])
        if total > TWIN_ROWS and "Area" in item["columns"]:
            column = item["columns"].index("Area")
            item["rows"] = [row for row in item["rows"] if row[column] in named]
        item.update(total=total, shown=len(item["rows"]), all_url=reverse("compare-download", args=[service.pk, chart.name, "html"]) + f"?{query}")
        items.append(item)
    return items


def _report_html(service, *, data, synthetic: bool, chosen: dict, focus_code: str, rag_against: str, shared: bool, signature: str, role: str | None) -> str:
    """The report part of the page, rendered once per report and kept (shared cache and this
    process): a warm page is then a few small queries and one string. Raises ``ValueError`` as
    :func:`comparison_report` does."""
    from django.template.loader import render_to_string

    version = _report_key(service, synthetic=synthetic, chosen=chosen, focus_code=focus_code, rag_against=rag_against, shared=shared, signature=signature)
    key = fragments.key("compare", role=role, version=version)

    def prepare():
        # the report and charts are read (and cached) before the page's own lock (see _report)
        report, report_key = _report(service, synthetic=synthetic, chosen=chosen, focus_code=focus_code, rag_against=rag_against, shared=shared, signature=signature)
        return report, _charts(report, report_key)

    def render(prepared) -> str:
        report, charts = prepared
        query = _query(chosen, synthetic)
        rows = _cohort_rows(report)
        context = {
            "service": service, "synthetic": synthetic, "modelled": MODELLED, "shared": shared, "threshold": SUPPRESS_BELOW,
            "report": report, "focus": report.focus, "findings": report.findings,
            "charts": _chart_items(report, charts, service=service, query=query, data=data),
            "cohorts": rows, "indicators": _indicator_rows(report), "plan": _plan(report),
            "expected": report.expected,
            "strata_label": ", ".join({"age_at_index": "age at the index offence", "sex": "sex", "tier": "disposal tier"}.get(s, s) for s in (report.expected.strata if report.expected else ())),
            "districts": [{**r, "binary": _pct(r["binary_rate"]), "interval": f"{_pct(r['binary_ci_low'])} to {_pct(r['binary_ci_high'])}" if r["binary_ci_low"] is not None else "–"}
                          for r in report.tables["districts"].iter_rows(named=True)] if "districts" in report.tables else [],
            "downloads": {name: {fmt: reverse("compare-download", args=[service.pk, name, fmt]) + f"?{query}" for fmt in ("csv", "xlsx")} for name in TABLES if name in report.tables},
            "workbook": reverse("compare-download", args=[service.pk, "all", "xlsx"]) + f"?{query}",
            "rag_label": next((c.label for c in report.comparators if c.key == report.rag_against), GROUP_LABELS.get(report.rag_against, report.rag_against)),
            "area_type_label": AREA_TYPES.get(report.focus.area_type, report.focus.area_type),
            "any_small": not shared and (any(r["small"] for r in rows) or _any_small(report)),
        }
        return render_to_string("compare/report.html", context)

    return fragments.kept(key, render, prepare=prepare)


@require("view_aggregates")
def compare(request, service):
    shown = _shown(request, service)
    synthetic, data, setting, focus_code = shown.synthetic, shown.data, shown.setting, shown.focus_code
    shared = role_of(request.user) == Role.BOARD
    can_set = has_permission(request.user, "change_settings") or has_permission(request.user, "reference_figures")
    problems: list[str] = []
    if request.method == "POST" and can_set:
        code = (request.POST.get("area_code") or "").strip()
        rag_against = (request.POST.get("rag_against") or "").strip()
        if data.area(code) is None:
            problems.append(f"Choose the area in the {'synthetic' if synthetic else 'published'} figures that is {service.name}")
        elif rag_against not in [*GROUPS, *(f"area:{a.area_code}" for a in data.areas)]:
            problems.append("Choose the comparator the red/amber/green rating is set against")
        else:
            actions.set_service_comparison(by=request.user, service=service, area_code=data.area(code).area_code, rag_against=rag_against)
            messages.success(request, f"{service.name} is now {data.area(code).area_name} in the national figures; RAG against {GROUP_LABELS.get(rag_against, rag_against)}.")
            return redirect(reverse("compare", args=[service.pk]) + f"?figures={'synthetic' if synthetic else 'published'}")
    services = [a for a in data.areas if a.area_type != "country"]
    context = {
        "service": service, "section": "compare", "synthetic": synthetic, "synthetic_note": SYNTHETIC_NOTE, "modelled": MODELLED,
        "has_synthetic": shown.has_synthetic, "has_published": shown.has_published,
        "shared": shared, "threshold": SUPPRESS_BELOW, "can_set": can_set, "setting": setting, "problems": problems,
        "areas": sorted(services, key=lambda a: a.area_name), "group_labels": GROUP_LABELS, "rag_labels": RAG_LABELS,
        "focus_code": focus_code, "kinds": COMPARATOR_KINDS,
    }
    if focus_code is not None:
        chosen = _choices(request, data, focus_code)
        try:
            report_html = _report_html(service, data=data, synthetic=synthetic, chosen=chosen, focus_code=focus_code, rag_against=shown.rag_against, shared=shared,
                                       signature=shown.signature, role=role_of(request.user))
        except ValueError as error:
            context.update(chosen=chosen, error=str(error))
        else:
            context.update(chosen=chosen, report_html=report_html)
        context["comparator_options"] = _options(context["areas"], selected=set(chosen["areas"]), leave_out=focus_code)
    context["area_options"] = _options(context["areas"], selected={focus_code})
    return render(request, "compare/compare.html", context, status=400 if problems else 200)


@require("view_aggregates")
def compare_download(request, service, name: str, fmt: str):
    """A chart (SVG, PNG, its data as CSV) or a table (CSV, .xlsx; ``all.xlsx`` every table) —
    always from the report made fit to leave the service, labelled SYNTHETIC where it is, and
    audited as an export. ``<chart>.html``: the chart's table twin with every area, as a page (seen
    as the compare page is: made fit to share for board viewers; not an export)."""
    from reoffkit.cells import workbook_bytes
    from reoffkit.reports.comparison import labelled

    shown = _shown(request, service)
    synthetic, focus_code = shown.synthetic, shown.focus_code
    if focus_code is None:
        raise Http404
    chosen = _choices(request, shown.data, focus_code)
    if fmt == "html":
        return _chart_table(request, service, name, shown=shown, chosen=chosen)
    try:
        report, key = _report(service, synthetic=synthetic, chosen=chosen, focus_code=focus_code, rag_against=shown.rag_against, shared=True,
                              signature=shown.signature)
    except ValueError:
        raise Http404 from None
    stem = file_stem([service], "comparison", "synthetic" if synthetic else "published", name)
    notes = [f"National comparison: {report.focus.area_name}", *( [SYNTHETIC_NOTE] if synthetic else []),
             f"Counts under {SUPPRESS_BELOW} and the rates made from them are withheld.", f"The expected rate is {MODELLED.lower()}.",
             *(f"Source: {s}" for s in report.sources)]
    if name == "all" and fmt == "xlsx":
        body = workbook_bytes({n: labelled(t, report) for n, t in report.tables.items()}, notes)
        response = HttpResponse(body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = f'attachment; filename="{stem[:120]}.xlsx"'
    elif name in TABLES and fmt in ("csv", "xlsx"):
        if name not in report.tables:
            raise Http404
        table = labelled(report.tables[name], report)
        if fmt == "csv":
            from reoffkit.cells import write_csv

            response = HttpResponse(write_csv(table), content_type=FORMATS["csv"])
        else:
            response = HttpResponse(workbook_bytes({name: table}, notes), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = f'attachment; filename="{stem[:120]}.{fmt}"'
    else:
        chart = next((c for c in _charts(report, key) if c.name == name), None)
        if chart is not None and fmt == "csv":
            from reoffkit.cells import write_csv

            response = HttpResponse(write_csv(labelled(chart.table, report)), content_type=FORMATS["csv"])
            response["Content-Disposition"] = f'attachment; filename="{stem[:120]}.csv"'
        else:
            response = chart_download(chart, fmt, stem=stem)
    record_export(
        by=request.user, service=service, purpose="national comparison, small counts withheld", object_type="comparison", object_ids=[],
        summary=f"Downloaded comparison {name}.{fmt} ({'SYNTHETIC' if synthetic else 'published'} figures; aggregates, suppressed)",
    )
    return response


def _chart_table(request, service, name: str, *, shown: Shown, chosen: dict):
    shared = role_of(request.user) == Role.BOARD
    synthetic = shown.synthetic
    try:
        report, key = _report(service, synthetic=synthetic, chosen=chosen, focus_code=shown.focus_code, rag_against=shown.rag_against, shared=shared,
                              signature=shown.signature)
    except ValueError:
        raise Http404 from None
    chart = next((c for c in _charts(report, key) if c.name == name), None)
    if chart is None:
        raise Http404
    query = _query(chosen, synthetic)
    item = chart_context(chart.name, chart, service_id=service.pk, download="compare-download", query=query)
    return render(request, "compare/chart_table.html", {
        "service": service, "section": "compare", "chart": chart, "columns": item["columns"], "rows": item["rows"],
        "synthetic": synthetic, "synthetic_note": SYNTHETIC_NOTE, "shared": shared, "threshold": SUPPRESS_BELOW,
        "back": reverse("compare", args=[service.pk]) + f"?{query}#chart-{chart.name}-title", "csv": item["urls"]["csv"],
    })


@require("load_national_figures")
def figure_loads(request):
    """The loads of area figures with their sources and revisions, and a form to check and load
    another file (all or nothing: any problem and nothing is saved)."""
    from reoffkit.web.spreadsheets.uploads import read_area_upload, stored_upload

    problems: list[str] = []
    strata_problems: list[str] = []
    if request.method == "POST" and request.POST.get("kind") == "strata":
        strata_problems = _load_strata(request)
        if not strata_problems:
            return redirect(f"{request.path}#strata")
    elif request.method == "POST":
        problems, source, upload = _source_and_upload(
            request, "figures", (".csv", ".xlsx"), "a CSV file or an .xlsx workbook", "of area figures", "the figures come from"
        )
        if not problems:
            known = actions.all_data(synthetic=False).areas
            with tempfile.TemporaryDirectory() as folder:
                path = stored_upload(folder, upload)
                try:
                    data = read_area_upload(path, name=upload.name, known_areas=known)
                except CaseFileError as error:
                    problems = [str(p) for p in error.problems]
            if not problems:
                if data.synthetic:
                    problems = ["This file's sources say SYNTHETIC: synthetic figures are loaded only by the demo"]
                else:
                    load = actions.load_figures(by=request.user, data=data, **source, file_name=upload.name)
                    messages.success(request, f"Loaded {upload.name}: {len(data.figures)} figures and {len(data.areas)} areas, kept beside the earlier loads.")
                    return redirect(f"{request.path}#load-{load.pk}")
    loads = []
    for load in FigureLoad.objects.all():
        loads.append({"load": load, "figures": load.figures.count(), "areas": load.areas.count()})
    revisions = []
    for synthetic in (False, True):
        combined = actions.all_data(synthetic=synthetic)
        revisions += [
            {"area": r.key[0], "basis": r.key[1], "period": period_label((r.key[2], r.key[3])), "column": r.column, "before": r.before, "after": r.after,
             "before_source": r.before_source, "after_source": r.after_source}
            for r in combined.revisions
        ]
    from reoffkit.web.compare.models import StratumRateLoad

    return render(
        request, "compare/figure_loads.html",
        {"section": "national-figures", "loads": loads, "revisions": revisions, "problems": problems, "form": request.POST if problems else {},
         "strata_problems": strata_problems, "strata_form": request.POST if strata_problems else {},
         "strata_loads": [{"load": load, "strata": len(load.rates)} for load in StratumRateLoad.objects.all()]},
        status=400 if problems or strata_problems else 200,
    )


def _source_and_upload(request, field: str, suffixes: tuple[str, ...], kind: str, of_what: str, where_from: str):
    """The source (title, publisher, publication date, address) and the file of a load form, with
    every problem found in them: (problems, source, upload)."""
    problems: list[str] = []
    upload = request.FILES.get(field)
    source = {name: (request.POST.get(name) or "").strip() for name in ("title", "publisher", "address")}
    source["published"] = None
    if request.POST.get("published"):
        try:
            source["published"] = dt.date.fromisoformat(request.POST["published"])
        except ValueError:
            problems.append("The publication date must be a date like 2025-04-24")
    if not source["title"]:
        problems.append(f"Give the title of the publication {where_from}")
    if upload is None:
        problems.append(f"Choose {kind} {of_what} to load")
    elif upload.size > MAX_UPLOAD_BYTES:
        problems.append(f"{upload.name} is larger than {MAX_UPLOAD_BYTES // 1_000_000} MB")
    elif Path(upload.name).suffix.lower() not in suffixes:
        problems.append(f"{upload.name} is not {kind}")
    return problems, source, upload


def _load_strata(request) -> list[str]:
    """Check and load national rates by stratum from the form (all or nothing); the problems, if any."""
    from reoffkit.web.spreadsheets.uploads import read_stratum_upload, stored_upload

    problems, source, upload = _source_and_upload(
        request, "strata", (".csv",), "a CSV file", "of national rates by stratum", "the rates come from"
    )
    if problems:
        return problems
    with tempfile.TemporaryDirectory() as folder:
        path = stored_upload(folder, upload)
        try:
            rates = read_stratum_upload(path, name=upload.name)
        except CaseFileError as error:
            return [str(p) for p in error.problems]
    if rates.is_empty():
        return [f"{upload.name} has no rows: expected one row per age, sex and disposal tier"]
    load = actions.load_stratum_rates(by=request.user, rates=rates, **source, file_name=upload.name)
    messages.success(request, f"Loaded {upload.name}: national rates for {rates.height} strata, used from now on for the expected rate (load {load.pk}).")
    return []
