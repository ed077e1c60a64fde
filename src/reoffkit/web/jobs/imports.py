"""An import running into a service, as every web process sees it: a job row (kind ``import``)
that lives while the import writes, whether it runs from the import page or ``reoffkit import``.
The service's pages show a banner while it runs (``{% import_banner service %}``)."""

from __future__ import annotations

from contextlib import contextmanager

from django.utils import timezone

from reoffkit.web.jobs.models import Job

KIND = "import"


class Marker:
    def __init__(self, job: Job) -> None:
        self.job = job

    def advance(self, done: int) -> None:
        Job.objects.filter(pk=self.job.pk).update(done=done, heartbeat_at=timezone.now())


@contextmanager
def running_import(service, by, total: int):
    """While the block runs, ``service`` has an import running (``total`` changes); it ends
    succeeded or failed with the block. A process that dies leaves it to
    :func:`reoffkit.web.jobs.runner.recover_interrupted`, which marks it failed."""
    now = timezone.now()
    job = Job.objects.create(
        kind=KIND, service=service, created_by=by if getattr(by, "pk", None) else None, state=Job.State.RUNNING,
        stage="Importing", total=total, started_at=now, heartbeat_at=now,
    )
    try:
        yield Marker(job)
    except BaseException:
        Job.objects.filter(pk=job.pk).update(state=Job.State.FAILED, finished_at=timezone.now(), message="The import stopped.")
        raise
    Job.objects.filter(pk=job.pk).update(state=Job.State.SUCCEEDED, finished_at=timezone.now(), done=total)


def import_running(service) -> Job | None:
    """The import running into ``service`` now, if any."""
    if service is None or not getattr(service, "pk", None):
        return None
    return Job.objects.filter(kind=KIND, service=service, state=Job.State.RUNNING).order_by("-created_at").first()
