"""A job's own page: waiting, running (refreshing itself), failed with its reason, or finished
(on to the page that shows its result)."""

from __future__ import annotations

import uuid

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_safe

from reoffkit.web.jobs.models import Job
from reoffkit.web.jobs.runner import recover_interrupted


def job_for(user, job_id) -> Job:
    """The job, if ``user`` started it; otherwise 404 (whose jobs exist is not disclosed)."""
    try:
        key = uuid.UUID(str(job_id))
    except ValueError:
        raise Http404 from None
    job = Job.objects.filter(pk=key, created_by=user).select_related("service").first()
    if job is None:
        raise Http404
    return job


@login_required
@require_safe
def job_page(request, job_id):
    job = job_for(request.user, job_id)
    if job.state == Job.State.RUNNING:
        recover_interrupted()
        job.refresh_from_db()
    if job.state == Job.State.SUCCEEDED and (job.result or {}).get("next"):
        if job.result.get("message"):
            messages.success(request, job.result["message"])
        return redirect(job.result["next"])
    again = None
    if job.state == Job.State.FAILED and job.kind in JOB_AGAIN and job.service is not None:
        name, words = JOB_AGAIN[job.kind]
        again = {"url": reverse(name, args=[job.service.pk]), "words": words}
    return render(request, "jobs/job.html", {"job": job, "service": job.service, "title": JOB_TITLES.get(job.kind, "Working"), "again": again})


#: The heading of each kind's waiting page; apps add theirs in their jobs.py.
JOB_TITLES: dict[str, str] = {}

#: Where a failed job of a kind is started afresh (a URL name taking the service's id, and the
#: link's words); apps add theirs in their jobs.py.
JOB_AGAIN: dict[str, tuple[str, str]] = {}
