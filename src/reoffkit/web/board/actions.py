"""The only writes of the action plan and the board papers: each atomic, validated, by a named user
(``by=``) and audited with the tracker's audit helpers (summaries name record types and ids, never
a child)."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import secrets
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F

from reoffkit.web.board.models import BoardPaper, PlanItem, ProgressNote
from reoffkit.web.tracker.actions import StaleEdit, _changes, audit, audit_many

#: Fields a plan item's editor may change.
ITEM_FIELDS = (
    "issue", "source_kind", "source_ref", "actions", "owner", "partner_agency", "partner_person", "due_on", "status", "dropped_reason", "partnership",
)


@transaction.atomic
def add_item(*, by, service, **values: Any) -> PlanItem:
    unknown = set(values) - set(ITEM_FIELDS) - {"raised_on"}
    if unknown:
        raise ValueError(f"cannot set {', '.join(sorted(unknown))} of an action plan item")
    item = PlanItem(service=service, created_by=by, **values)
    if item.status == "done":
        item.completed_on = dt.date.today()
    item.full_clean()
    item.save()
    audit(
        by=by, verb="create", service=service, object_type="action_plan_item", object_ids=[item.pk],
        summary=f"Added action plan item {item.pk}" + (f" from a finding ({item.get_source_kind_display().lower()})" if item.source_kind else ""),
    )
    return item


@transaction.atomic
def update_item(*, by, item: PlanItem, expected_version: int, **values: Any) -> PlanItem:
    """Change an item, unless someone changed it since ``expected_version`` was read."""
    unknown = set(values) - set(ITEM_FIELDS)
    if unknown:
        raise ValueError(f"cannot change {', '.join(sorted(unknown))} of an action plan item")
    current = PlanItem.objects.select_for_update().get(pk=item.pk)
    if current.version != expected_version:
        raise StaleEdit(f"This item was changed by someone else (now: {current.get_status_display()}). Check it and try again.")
    if values.get("status", current.status) != "dropped":
        values.setdefault("dropped_reason", "")
    changes = _changes(current, values.keys(), values)
    for field, value in values.items():
        setattr(current, field, value)
    current.completed_on = (current.completed_on or dt.date.today()) if current.status == "done" else None
    current.full_clean()
    current.version = F("version") + 1
    current.save()
    current.refresh_from_db()
    audit(
        by=by, verb="update", service=current.service, object_type="action_plan_item", object_ids=[current.pk],
        summary=f"Changed action plan item {current.pk}: {', '.join(changes) or 'no change'}", changes=changes,
    )
    return current


@transaction.atomic
def add_note(*, by, item: PlanItem, text: str, written_on: dt.date | None = None) -> ProgressNote:
    note = ProgressNote(item=item, author=by, text=text.strip(), written_on=written_on or dt.date.today())
    if not note.text:
        raise ValidationError({"text": "Write the progress made."})
    note.full_clean()
    note.save()
    audit(by=by, verb="create", service=item.service, object_type="action_plan_note", object_ids=[note.pk],
          summary=f"Added progress note {note.pk} to action plan item {item.pk}")
    return note


@transaction.atomic
def import_items(*, by, service, items: list[dict], file_name: str) -> list[PlanItem]:
    """Add every item of an imported plan (already read and checked), or none: the owner of each is
    a partner agency or person as written (the template's "by whom"), unless it names a user of the
    service exactly; a user who may not own an item (a board viewer, an account no longer active)
    is refused with the row."""
    from reoffkit.web.board.queries import owners
    from reoffkit.web.tracker.models import StaffProfile

    staff = {p.user.get_username().casefold(): p for p in StaffProfile.objects.filter(services=service).select_related("user")}
    allowed = set(owners(service).values_list("pk", flat=True))
    made = []
    for row in items:
        profile = staff.get(row["by_whom"].casefold())
        if profile is not None and profile.user.pk not in allowed:
            who = profile.get_role_display().lower() if profile.user.is_active else "an account no longer active"
            raise ValidationError(
                f"Row {row['row']}: 'By whom' names {profile.user.get_username()}, {'a ' + who if profile.user.is_active else who}, who cannot own an action "
                f"— name a practitioner, manager or performance officer of {service.name}, or a partner agency"
            )
        owner = profile.user if profile is not None else None
        item = PlanItem(
            service=service, created_by=by, issue=row["issue"], actions=row["actions"], due_on=row["due_on"],
            owner=owner, partner_agency="" if owner else row["by_whom"][:120], raised_on=min(dt.date.today(), row["due_on"]),
        )
        try:
            item.full_clean()
        except ValidationError as error:
            raise ValidationError(f"Row {row['row']}: " + "; ".join(m for ms in error.message_dict.values() for m in ms)) from None
        made.append(item)
    for item in made:  # one by one: their ids for the audit event, on every database
        item.save()
    audit_many(
        by=by,
        events=[{"verb": "import", "service": service, "object_type": "action_plan_item", "object_ids": [i.pk for i in made],
                 "summary": f"Imported {len(made)} action plan items from {file_name[:120]}"}],
    )
    return made


# ---- Board papers ------------------------------------------------------------------------------


def paper_folder() -> Path:
    folder = Path(settings.DATA_DIR) / "board-papers"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(folder, 0o700)
    return folder


@transaction.atomic
def keep_paper(*, by, services: list, period: str, as_at: dt.date, data_version: int, sources: str, content: bytes, page: str) -> BoardPaper:
    """Write the .docx and its HTML page owner-only under the data folder and record who made it,
    when, from which data."""
    path = paper_folder() / f"{secrets.token_urlsafe(18)}.docx"
    for target_path, data in ((path, content), (path.with_suffix(".html"), page.encode("utf-8"))):
        descriptor = os.open(target_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as target:
            target.write(data)
    try:
        paper = BoardPaper.objects.create(
            service=services[0], services=[s.pk for s in services], period=period, as_at=as_at, made_by=by if getattr(by, "pk", None) else None,
            data_version=data_version, sources=sources[:2000], file=str(path), sha256=hashlib.sha256(content).hexdigest(),
        )
        audit(by=by, verb="create", service=services[0], object_type="board_paper", object_ids=[paper.pk],
              summary=f"Made board paper {paper.pk} ({period}, data as at {as_at.isoformat()}, data version {data_version})")
    except BaseException:
        path.unlink(missing_ok=True)
        path.with_suffix(".html").unlink(missing_ok=True)
        raise
    return paper


def record_download(*, by, paper: BoardPaper, fmt: str) -> None:
    audit(by=by, verb="export", service=paper.service, object_type="board_paper", object_ids=[paper.pk],
          summary=f"Downloaded board paper {paper.pk} ({fmt})", purpose="Board paper")


def record_plan_export(*, by, service, count: int) -> None:
    audit(by=by, verb="export", service=service, object_type="action_plan_item", object_ids=[],
          summary=f"Exported the action plan ({count} items) to .xlsx", purpose="Action plan register")
