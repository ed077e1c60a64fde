"""The improvement action plan (items and their progress notes) and the board papers made from
the figures. Persistence only: every write goes through :mod:`reoffkit.web.board.actions`, audited.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from reoffkit.engine import action_plan


class PlanItem(models.Model):
    """An issue affecting reoffending performance, the actions to address it, by whom, by when."""

    class Source(models.TextChoices):
        NONE = "", "Not from a finding"
        ANALYSIS = "analysis", "Retrospective analysis"
        COMPARISON = "comparison", "National comparison"
        DISPROPORTIONALITY = "disproportionality", "Disproportionality"
        ALERT = "alert", "Alert pattern"

    service = models.ForeignKey("tracker.Service", on_delete=models.PROTECT, related_name="plan_items")
    partnership = models.BooleanField(default=False, help_text="The partnership's item rather than the service's own.")
    issue = models.TextField()
    source_kind = models.CharField(max_length=20, choices=Source.choices, blank=True, default="")
    source_ref = models.CharField(max_length=300, blank=True, help_text="Which finding: the line of enquiry, stage or alert.")
    actions = models.TextField(help_text="One action a line.")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="plan_items_owned")
    partner_agency = models.CharField(max_length=120, blank=True)
    partner_person = models.CharField(max_length=120, blank=True)
    raised_on = models.DateField(default=dt.date.today)
    due_on = models.DateField()
    status = models.CharField(max_length=12, choices=list(action_plan.STATUSES.items()), default="not_started")
    dropped_reason = models.TextField(blank=True)
    completed_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="plan_items_raised")
    version = models.PositiveIntegerField(default=1, help_text="Raised by one on every change, to detect edits made meanwhile.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return f"Action plan item {self.pk}"

    def rating(self, today: dt.date) -> action_plan.Rating:
        return action_plan.rating(self.status, self.due_on, today, raised_on=self.raised_on)

    @property
    def action_lines(self) -> list[str]:
        return [line.strip() for line in self.actions.splitlines() if line.strip()]

    @property
    def by_whom(self) -> str:
        if self.owner_id:
            return self.owner.get_full_name() or self.owner.get_username()
        return ", ".join(part for part in (self.partner_person, self.partner_agency) if part)

    def clean(self) -> None:
        errors = {}
        if not self.issue.strip():
            errors["issue"] = "Describe the issue affecting reoffending performance."
        if not self.actions.strip():
            errors["actions"] = "Enter at least one action."
        if not self.owner_id and not self.partner_agency.strip():
            errors["owner"] = "Choose who owns it: a named user, or a partner agency (and person)."
        if self.owner_id and (self.partner_agency or self.partner_person):
            errors["partner_agency"] = "Choose a named user or a partner agency, not both."
        if self.status == "dropped" and not self.dropped_reason.strip():
            errors["dropped_reason"] = "Say why the item was dropped."
        if self.status != "dropped" and self.dropped_reason:
            errors["dropped_reason"] = "Only a dropped item has a reason for dropping."
        if self.due_on and self.raised_on and self.due_on < self.raised_on:
            errors["due_on"] = "The due date cannot be before the item was raised."
        if errors:
            raise ValidationError(errors)


class ProgressNote(models.Model):
    item = models.ForeignKey(PlanItem, on_delete=models.PROTECT, related_name="notes")
    written_on = models.DateField(default=dt.date.today)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()

    class Meta:
        ordering = ["written_on", "id"]


class BoardPaper(models.Model):
    """A generated board paper: who made it, when, from which data; the .docx is kept privately on disk."""

    service = models.ForeignKey("tracker.Service", on_delete=models.PROTECT, related_name="board_papers")
    services = models.JSONField(default=list, help_text="The services it covers (a partnership: several).")
    period = models.CharField(max_length=40)
    as_at = models.DateField()
    made_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    made_at = models.DateTimeField(auto_now_add=True)
    data_version = models.BigIntegerField(help_text="The services' data version it was made from.")
    sources = models.TextField(blank=True)
    file = models.CharField(max_length=400, help_text="The .docx under the data folder (owner-only).")
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["-made_at", "-id"]
