"""Retrospective analysis of a completed cohort for one service (or several of the user's
services): the lines of enquiry of docs/rules.md §10, each with its finding, next step, charts and tables.

The numbers are :mod:`reoffkit.reports.analysis`'s (the same as ``reoffkit analyse``). People who may not
see children's records get :func:`reoffkit.reports.analysis.for_board`: aggregates only.
"""

from __future__ import annotations

import datetime as dt

from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from reoffkit.disclosure import SUPPRESS_BELOW
from reoffkit.engine.rules import Period, quarter_label
from reoffkit.web.analysis import queries as analysis_queries
from reoffkit.web.board.queries import EDITORS
from reoffkit.web.jobs.models import Job
from reoffkit.web.jobs.runner import kept
from reoffkit.web.tracker import fragments
from reoffkit.web.tracker.params import BadParameter, parse_quarter
from reoffkit.web.tracker.permissions import PERMISSIONS, has_permission, require, role_of
from reoffkit.web.tracker.report_pages import FORMATS, chart_context, chart_download, file_stem, partnership, partnership_query

GROUPS = {"tier": "Disposal tier", "sex": "Sex", "age_group": "Age group", "ethnicity": "Ethnicity", "yot_caseload": "On the YOT caseload",
          "intervention_level": "Intervention level", "district": "District"}
PERCENT_WORDS = ("rate", "share", "ci_", "predicted", "observed", "_low", "_high")
#: Rates per child shown per 100 children, as the official statistics do — never as a percentage.
PER_100 = ("frequency_rate", "frequency_ci_low", "frequency_ci_high")
#: Plain names for the tables' columns.
COLUMN_WORDS = {
    "group": "Group", "cohort_size": "Children", "reoffenders": "Reoffenders", "reoffences": "Further offences",
    "binary_rate": "Binary rate", "binary_ci_low": "Binary rate 95% interval low", "binary_ci_high": "Binary rate 95% interval high",
    "frequency_rate": "Further offences per 100 children", "frequency_ci_low": "Per 100 children 95% interval low",
    "frequency_ci_high": "Per 100 children 95% interval high", "reoffences_per_reoffender": "Further offences per reoffender",
    "share_of_cohort": "Share of the cohort", "share_of_reoffences": "Share of all further offences",
    "small": "Under 10 children (too few to compare)", "further_offences": "Further offences", "children": "Children",
    "share_of_children": "Share of the children", "within_months": "Within months", "share_of_reoffenders": "Share of reoffenders",
    "reoffended_share": "Share who had reoffended", "day": "Day", "month": "Month of follow-up", "comparison": "Most serious further offence",
    "share": "Share", "gravity": "Gravity (YJB 1–8)", "index_offences": "Index offences", "tool": "Assessment tool",
    "auc": "AUC", "auc_ci_low": "AUC 95% interval low", "auc_ci_high": "AUC 95% interval high", "score_band": "Score band",
    "predicted": "Predicted", "observed": "Observed binary rate", "observed_ci_low": "Observed 95% interval low",
    "observed_ci_high": "Observed 95% interval high", "likelihood_band": "Likelihood band", "by": "By", "check": "Check",
    "done": "Done", "rating": "Rating",
}


def _choice(request, service, today):
    """The period chosen in the URL, or the latest four completed quarters (or fewer, if fewer)."""
    completed = analysis_queries.completed_quarters(service, as_at=today)
    quarters_text, first_text = request.GET.get("quarters", "4"), request.GET.get("period", "")
    if quarters_text not in ("1", "4"):
        raise BadParameter("quarters", quarters_text, "1 or 4")
    quarters = int(quarters_text)
    if first_text:
        period = parse_quarter(first_text, name="period", quarters=quarters)
    elif completed:
        last = completed[-1]
        period = Period(max(completed[0], last - quarters + 1), min(quarters, last - completed[0] + 1))
    else:
        period = None
    group_by = request.GET.get("by", "tier")
    if group_by not in GROUPS:
        raise BadParameter("by", group_by, "one of " + ", ".join(GROUPS))
    return completed, period, group_by


def _cell(column: str, value) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and column in PER_100:
        return f"{100 * value:.1f} per 100 children"
    if isinstance(value, float):
        return f"{100 * value:.1f}%" if any(word in column for word in PERCENT_WORDS) and "auc" not in column else f"{value:.2f}"
    if isinstance(value, dt.date):
        return f"{value:%-d %b %Y}"
    return str(value)


def _table(name: str, table) -> dict:
    columns = [c for c in table.columns if c not in ("breakdown", "suppressed", "label")]
    return {
        "name": name.replace("_", " ").capitalize(),
        "columns": [COLUMN_WORDS.get(c, c.replace("_", " ").capitalize()) for c in columns],
        "rows": [[_cell(c, row[c]) for c in columns] for row in table.iter_rows(named=True)],
    }


@require("view_aggregates")
def analysis(request, service):
    today = dt.date.today()
    services = partnership(request, service)
    completed, period, group_by = _choice(request, service, today)
    records = has_permission(request.user, "view_records")
    report_html = job = None
    if period is not None:
        job = analysis_queries.analysis_job(
            services, by=request.user, period=period, as_at=today, group_by=group_by,
            suppress_below=None if records else SUPPRESS_BELOW, again=request.GET.get("again") == "1",
        )
    if job is not None and job.state == Job.State.SUCCEEDED:
        role = role_of(request.user)
        key = fragments.key("analysis", role=role, version=job.params["key"], choices={"service": service.pk})
        part = fragments.kept_value(key, lambda report: _report_part(report, service, services, period, group_by, role), prepare=lambda: kept(job))
        if part is not None:  # None: the job kept no report
            report_html = fragments.fill(part["html"], _critical_few_parts(request, service, part["few"]))
    return render(
        request,
        "analysis/analysis.html",
        {
            "service": service,
            "services": services,
            "partnership": len(services) > 1,
            "section": "analysis",
            "period": period,
            "completed": [quarter_label(key) for key in reversed(completed)],
            "chosen": {"period": quarter_label(period.first_quarter) if period else "", "quarters": period.quarters if period else 4, "by": group_by},
            "groups": GROUPS,
            "report_html": report_html,
            "job": job,
            "again_url": f"{request.path}?{_query_for(services, period, group_by)}&again=1" if period else "",
        },
    )


def _report_part(report, service, services, period, group_by, role) -> dict | None:
    """The report part of the page for ``role`` (HTML with a slot for each section's critical
    few) and the critical few themselves (only for roles that see children's records)."""
    from django.template.loader import render_to_string

    from reoffkit.reports.board import percent

    if report is None:
        return None
    records = role in PERMISSIONS["view_records"]
    query = _query_for(services, period, group_by)
    sections, few = [], {}
    for section in report.sections:
        table = section.tables.get("critical_few")
        if table is not None and records:
            few[section.key] = list(table.iter_rows(named=True))
        sections.append(
            {
                "section": section,
                "charts": [chart_context(c.name, c, service_id=service.pk, download="analysis-chart", query=query) for c in section.charts],
                "tables": [_table(name, t) for name, t in section.tables.items() if name != "critical_few"],
                "critical_few": section.key in few,
                "see_also": reverse(section.see_also[0], args=[service.pk]) if section.see_also and role in PERMISSIONS["view_disproportionality"] else None,
                "see_also_words": section.see_also[1] if section.see_also else "",
            }
        )
    html = render_to_string(
        "analysis/report.html",
        {
            "service": service, "report": report, "period": period, "sections": sections, "quality": _table("data quality", report.data_quality),
            "records": records, "threshold": SUPPRESS_BELOW, "plan_editor": role in EDITORS,
            # to one decimal place, as the board paper, the summary and the performance pages write it
            "binary_rate": percent(report.cohort["binary_rate"]), "national_rate": percent((report.cohort.get("national") or {}).get("rate")),
        },
    )
    return {"html": fragments.check(html), "few": few}


def _critical_few_parts(request, service, few: dict) -> dict[str, str]:
    """Each section's critical few, named, for this request (audited as the record page is)."""
    from django.template.loader import render_to_string

    if not few:
        return {}
    rows = {name: _critical_few(service, table) for name, table in few.items()}
    named = [row["person"].pk for found in rows.values() for row in found if row["person"]]
    if named:  # the named "critical few" are a list of children: audited as the record page is
        from reoffkit.web.tracker.actions import record_list_view

        record_list_view(by=request.user, service=service, object_ids=named, summary="Viewed the analysis's critical few")
    return {f"critical-few:{name}": render_to_string("analysis/critical_few.html", {"rows": found}) for name, found in rows.items()}


def _query_for(services, period, group_by) -> str:
    parts = [f"period={quarter_label(period.first_quarter)}", f"quarters={period.quarters}", f"by={group_by}"]
    partners = partnership_query(services)
    return "&".join(parts + ([partners] if partners else []))


def _critical_few(service, few: list[dict]) -> list[dict]:
    from reoffkit.web.tracker.models import YoungPerson

    people = {str(p.pk): p for p in YoungPerson.objects.filter(service=service, pk__in=[int(r["person_id"]) for r in few if r["person_id"].isdigit()])}
    rows = []
    for row in few:
        person = people.get(row["person_id"])
        rows.append(
            {
                "person": person,
                "url": reverse("person", args=[service.pk, person.pk]) if person else None,
                "quarter": row["quarter"],
                "index_date": row["index_date"],
                "level": row["intervention_level"],
                "band": row["likelihood_band"],
                "further_offences": row["further_offences"],
                "reason": row["reason"],
            }
        )
    return rows


@require("view_aggregates")
def analysis_chart(request, service, name: str, fmt: str):
    today = dt.date.today()
    services = partnership(request, service)
    _, period, group_by = _choice(request, service, today)
    if period is None or fmt not in FORMATS:
        raise Http404
    suppress = None if has_permission(request.user, "view_records") else SUPPRESS_BELOW
    job = analysis_queries.analysis_job(services, by=request.user, period=period, as_at=today, group_by=group_by, suppress_below=suppress)
    if job.state != Job.State.SUCCEEDED:  # not computed yet: the page shows its progress
        return redirect(f"{reverse('analysis', args=[service.pk])}?{_query_for(services, period, group_by)}")
    report = kept(job)
    chart = next((c for s in report.sections for c in s.charts if c.name == name), None)
    return chart_download(chart, fmt, stem=file_stem([service], period.label, name))
