"""Making a board paper is a job: the worker computes every section, writes the .docx (kept
owner-only under the data folder) and records the paper, audited."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.urls import reverse

from reoffkit.engine import Period
from reoffkit.web.jobs.runner import handles
from reoffkit.web.jobs.views import JOB_TITLES
from reoffkit.web.tracker.models import Service

JOB_TITLES["board_paper"] = "Making the board paper"


@handles("board_paper")
def make_board_paper(job, progress) -> dict:
    from reoffkit.reports.board import to_html
    from reoffkit.reports.board_docx import to_docx
    from reoffkit.web.board import actions
    from reoffkit.web.board.queries import build_paper
    from reoffkit.web.tracker.queries import data_version

    params = job.params
    services = sorted(Service.objects.filter(pk__in=params["services"]), key=lambda s: s.pk)
    period = Period(params["first_quarter"], params["quarters"]) if params.get("first_quarter") is not None else None
    as_at = dt.date.fromisoformat(params["as_at"])
    version = data_version(services)
    report = build_paper(services, period=period, as_at=as_at, progress=progress)
    progress.stage("Drawing the charts and writing the Word document", 4)
    progress.advance(3)
    content = to_docx(report)
    by = get_user_model().objects.get(pk=params["by"])
    paper = actions.keep_paper(
        by=by, services=services, period=report.period, as_at=as_at, data_version=version, sources="\n".join(report.sources), content=content,
        page=to_html(report),
    )
    progress.advance(4)
    return {"paper": paper.pk, "next": reverse("board-paper", args=[services[0].pk, paper.pk])}
