"""The analysis of a completed cohort, computed by a worker (it reads every record of the services)."""

from __future__ import annotations

import datetime as dt

from reoffkit.engine import Period
from reoffkit.web.analysis.queries import analysis_report
from reoffkit.web.jobs.runner import handles, keep
from reoffkit.web.jobs.views import JOB_TITLES
from reoffkit.web.tracker.models import Service

JOB_TITLES["analysis"] = "Analysing the cohort"


@handles("analysis")
def compute_analysis(job, progress) -> dict:
    params = job.params
    progress.stage("Counting the cohort and its further offending, then each line of enquiry")
    services = sorted(Service.objects.filter(pk__in=params["services"]), key=lambda s: s.pk)
    report = analysis_report(
        services,
        period=Period(params["first_quarter"], params["quarters"], params["method"]),
        as_at=dt.date.fromisoformat(params["as_at"]),
        group_by=params["group_by"],
        suppress_below=params["suppress_below"],
    )
    keep(job, report)
    return {"sections": len(report.sections)}
