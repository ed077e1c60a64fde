"""Starting, running and recovering jobs.

A job's life: :func:`start` saves a :class:`~reoffkit.web.jobs.models.Job` (queued) and puts
:func:`run_job` on the django-tasks queue; a worker claims it (running), calls the handler its app
registered for the kind with :func:`handles`, and records how it ended (succeeded or failed, with a
message a person can act on). A worker that dies mid-job (a restart, a crash, out of memory) stops
its heartbeat; :func:`recover_interrupted` then marks the job failed with that reason, so no job is
ever left "running". Jobs are not retried by themselves: a person starts one again (every kind is
safe to start again: imports re-plan and change nothing that is already there).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import pickle
import socket
import threading
from pathlib import Path
from typing import Callable

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone
from django_tasks import task

from reoffkit.web.jobs.models import Job

logger = logging.getLogger(__name__)

#: The worker writes a heartbeat this often while a job runs ...
HEARTBEAT_SECONDS = 5
#: ... and a running job with no heartbeat for this long was interrupted.
INTERRUPTED_AFTER = dt.timedelta(seconds=60)
INTERRUPTED = (
    "Interrupted: the worker running this job stopped (a restart, a crash or too little memory) before it "
    "finished. Nothing it was doing was kept; start it again."
)

Handler = Callable[[Job, "Progress"], dict | None]
HANDLERS: dict[str, Handler] = {}


class JobFailed(Exception):
    """A failure to tell the person who started the job, in words that are safe to show (never a
    child's name or details): what went wrong and what to do."""


def handles(kind: str):
    """Register the function that runs jobs of ``kind``: ``handler(job, progress) -> result``.
    The result (JSON-able, no personal data) is kept on the job for its page."""

    def register(handler: Handler) -> Handler:
        if kind in HANDLERS and HANDLERS[kind] is not handler:
            raise ValueError(f"two handlers for jobs of kind {kind!r}")
        HANDLERS[kind] = handler
        return handler

    return register


class Progress:
    """What a handler reports as it goes. Saved at each new stage and by the heartbeat, never inside
    the handler's own transaction (the heartbeat writes from its own thread and connection)."""

    def __init__(self, job: Job) -> None:
        self.job_id = job.pk
        self.words, self.done, self.total = "", 0, 0
        self._lock = threading.Lock()

    def stage(self, words: str, total: int = 0) -> None:
        with self._lock:
            self.words, self.done, self.total = words[:200], 0, total
        if not _heartbeat_enabled():
            self.save()

    def advance(self, done: int, total: int | None = None) -> None:
        with self._lock:
            self.done = done
            if total is not None:
                self.total = total

    def save(self) -> None:
        with self._lock:
            values = {"stage": self.words, "done": self.done, "total": self.total}
        Job.objects.filter(pk=self.job_id, state=Job.State.RUNNING).update(heartbeat_at=timezone.now(), **values)


def _heartbeat_enabled() -> bool:
    return getattr(settings, "REOFFKIT_JOB_HEARTBEAT", True)


class _Heartbeat(threading.Thread):
    """Saves the job's progress and heartbeat every few seconds from its own database connection."""

    def __init__(self, progress: Progress) -> None:
        super().__init__(name=f"heartbeat-{progress.job_id}", daemon=True)
        self.progress = progress
        self.stopped = threading.Event()

    def run(self) -> None:
        try:
            while not self.stopped.wait(HEARTBEAT_SECONDS):
                try:
                    self.progress.save()
                except Exception:  # a busy database: the next beat tries again
                    logger.warning("job %s: heartbeat not saved", self.progress.job_id)
        finally:
            connection.close()


def start(*, kind: str, by, service=None, params: dict | None = None, upload: Path | str | None = None) -> Job:
    """Save a job and queue it. ``upload`` is a file the job owns: it is deleted when the job ends."""
    if kind not in HANDLERS:
        raise ValueError(f"no handler for jobs of kind {kind!r}")
    job = Job.objects.create(
        kind=kind, service=service, created_by=by if getattr(by, "pk", None) else None, params=params or {}, upload=str(upload or "")
    )
    run_job.enqueue(str(job.pk))
    job.refresh_from_db()
    return job


def keep(job: Job, value) -> None:
    """Keep a computed result (a report with its charts drawn) on the job for the page that shows it."""
    Job.objects.filter(pk=job.pk).update(payload=pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))


def kept(job: Job):
    """What :func:`keep` kept, or ``None``."""
    return None if job.payload is None else pickle.loads(bytes(job.payload))  # noqa: S301 — written by keep() only


def shared(*, kind: str, key: str, by, service=None, params: dict | None = None, again: bool = False) -> Job:
    """The newest job of ``kind`` for ``key`` (a description of its inputs and of the data's
    version), whoever started it; a new one when there is none, or when the last one failed and
    ``again`` is asked. Several people opening the same page share one computation."""
    # the payload (a whole report) is read only when asked for: a page whose report part is kept never needs it
    job = Job.objects.filter(kind=kind, params__key=key).defer("payload").order_by("-created_at").first()
    if job is None or (again and job.state == Job.State.FAILED):
        job = start(kind=kind, by=by, service=service, params={**(params or {}), "key": key})
    return job


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:80]


@task()
def run_job(job_id: str) -> str:
    """The task the queue holds: run one job (its state is on the job, not in the task result)."""
    execute(job_id)
    return job_id


def execute(job_id: str) -> Job | None:
    """Claim a queued job, run its handler and record how it ended. A job already claimed (or
    failed as interrupted) is left alone."""
    now = timezone.now()
    claimed = Job.objects.filter(pk=job_id, state=Job.State.QUEUED).update(
        state=Job.State.RUNNING, started_at=now, heartbeat_at=now, worker=worker_name(), stage="Starting"
    )
    if not claimed:
        return None
    job = Job.objects.get(pk=job_id)
    progress = Progress(job)
    beat = _Heartbeat(progress) if _heartbeat_enabled() else None
    if beat:
        beat.start()
    try:
        handler = HANDLERS[job.kind]
        result = handler(job, progress)
    except JobFailed as failure:
        _finish(job, progress, Job.State.FAILED, message=str(failure))
    except (KeyboardInterrupt, SystemExit):
        _finish(job, progress, Job.State.FAILED, message=INTERRUPTED)
        raise
    except BaseException as error:  # noqa: BLE001 — one bad job must never take the worker down
        # The class name only: an exception's text can quote what a file held.
        logger.error("job %s (%s) failed: %s", job.pk, job.kind, type(error).__name__)
        _finish(
            job,
            progress,
            Job.State.FAILED,
            message=f"It stopped on an unexpected error ({type(error).__name__}). Nothing it was doing was kept.",
        )
    else:
        _finish(job, progress, Job.State.SUCCEEDED, result=result)
    finally:
        if beat:
            beat.stopped.set()
            beat.join()
        remove_upload(job)
    job.refresh_from_db()
    return job


def _finish(job: Job, progress: Progress, state: str, *, message: str = "", result: dict | None = None) -> None:
    close_old_connections_if_broken()
    Job.objects.filter(pk=job.pk).update(
        state=state, message=message[:1000], result=result, finished_at=timezone.now(), heartbeat_at=timezone.now(),
        stage=progress.words, done=progress.done, total=progress.total,
    )


def close_old_connections_if_broken() -> None:
    """After a handler's failure the connection may be unusable (a broken transaction on
    PostgreSQL): start a fresh one rather than lose the job's ending."""
    if connection.connection is not None and not connection.is_usable():
        connection.close()


def remove_upload(job: Job) -> None:
    if job.upload:
        Path(job.upload).unlink(missing_ok=True)


def recover_interrupted(*, now: dt.datetime | None = None) -> int:
    """Mark failed every running job whose worker stopped beating; delete its upload. Returns how
    many were recovered."""
    now = now or timezone.now()
    stale = list(Job.objects.filter(state=Job.State.RUNNING, heartbeat_at__lt=now - INTERRUPTED_AFTER))
    for job in stale:
        updated = Job.objects.filter(pk=job.pk, state=Job.State.RUNNING, heartbeat_at=job.heartbeat_at).update(
            state=Job.State.FAILED, message=INTERRUPTED, finished_at=now
        )
        if updated:
            remove_upload(job)
            logger.warning("job %s (%s) was interrupted", job.pk, job.kind)
    return len(stale)


#: Finished jobs (and the results they keep) are deleted after this long; what they did stays in
#: the audit log.
KEEP_FINISHED = dt.timedelta(days=7)


def maintain() -> None:
    """What the worker does every minute: recover interrupted jobs, delete expired uploads and old
    finished jobs."""
    from reoffkit.web.jobs.files import sweep_uploads

    close_old_connections()
    recover_interrupted()
    sweep_uploads()
    Job.objects.filter(state__in=(Job.State.SUCCEEDED, Job.State.FAILED), finished_at__lt=timezone.now() - KEEP_FINISHED).delete()
