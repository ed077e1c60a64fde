"""Uploaded files: stored owner-only under the data folder while a job needs them, deleted when it
ends, and swept when abandoned (a preview that was never imported, a mapping sample never saved).

How long an upload is kept: until its job ends, or at most ``REOFFKIT_UPLOAD_HOURS`` (default 24)
after it was uploaded, whichever comes first (docs/case-file.md, "How long an upload is kept").
"""

from __future__ import annotations

import os
import secrets
import time
from pathlib import Path

from django.conf import settings

from reoffkit.web.jobs.models import Job


class UploadTooLarge(Exception):
    pass


def upload_folder() -> Path:
    folder = Path(settings.DATA_DIR) / "uploads"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(folder, 0o700)
    return folder


def store_upload(uploaded, *, suffix: str, max_bytes: int, prefix: str = "") -> Path:
    """Write an uploaded file (a Django ``UploadedFile``) under a random name (after ``prefix``),
    owner-only, reading no more than ``max_bytes``. Nothing is left behind when it is too large."""
    path = upload_folder() / f"{prefix}{secrets.token_urlsafe(24)}{suffix}"
    written = 0
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as target:
            for chunk in uploaded.chunks():
                written += len(chunk)
                if written > max_bytes:
                    raise UploadTooLarge(f"larger than {max_bytes // 1_000_000} MB")
                target.write(chunk)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path


def upload_hours() -> float:
    return float(getattr(settings, "REOFFKIT_UPLOAD_HOURS", 24))


def sweep_uploads(*, now: float | None = None) -> list[Path]:
    """Delete uploads older than the keeping time that no waiting or running job owns."""
    now = time.time() if now is None else now
    limit = now - upload_hours() * 3600
    busy = set(Job.objects.filter(state__in=(Job.State.QUEUED, Job.State.RUNNING)).exclude(upload="").values_list("upload", flat=True))
    removed = []
    legacy = Path(settings.DATA_DIR) / "imports"  # where uploads were kept before this folder
    for folder in (upload_folder(), *([legacy] if legacy.is_dir() else [])):
        for path in folder.iterdir():
            if path.is_file() and str(path) not in busy and path.stat().st_mtime < limit:
                path.unlink(missing_ok=True)
                removed.append(path)
    return removed
