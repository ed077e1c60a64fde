"""Reads for the action plan and the board paper: who sees which items, the plan as the paper's
rows, and the board paper built from the same report builders as the pages."""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from reoffkit.web.board.models import BoardPaper, PlanItem
from reoffkit.web.tracker.models import Role
from reoffkit.web.tracker.permissions import role_of

#: Who may add and change action plan items (docs/rules.md §16); board viewers read the plan;
#: practitioners see the items assigned to them.
EDITORS = frozenset({Role.MANAGER, Role.PERFORMANCE})
READERS = EDITORS | {Role.BOARD}
#: Who may own an item ("by whom": a named user) and write its progress notes.
OWNERS = EDITORS | {Role.PRACTITIONER}


def can_edit(user) -> bool:
    return role_of(user) in EDITORS


def can_own(user) -> bool:
    return role_of(user) in OWNERS


def owners(service):
    """The users an item of ``service`` may be given to: its active practitioners, managers and
    performance officers (the add form's choices, and the only users an imported plan may name)."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(profile__services=service, profile__role__in=OWNERS, is_active=True).order_by("username")


def can_read_all(user) -> bool:
    return role_of(user) in READERS


def can_make_papers(user) -> bool:
    return role_of(user) in READERS


def visible_items(user, service):
    """The service's items ``user`` may see: all of them for editors and board viewers, the ones
    assigned to them for a practitioner, none for anyone else."""
    items = PlanItem.objects.filter(service=service).select_related("owner", "service").prefetch_related("notes__author")
    role = role_of(user)
    if role in READERS:
        return items
    if role == Role.PRACTITIONER:
        return items.filter(owner=user)
    return items.none()


def plan_rows(items) -> list:
    from reoffkit.reports.board import PlanRow

    return [
        PlanRow(
            issue=item.issue, actions=item.actions, by_whom=item.by_whom, due_on=item.due_on, status=item.status, raised_on=item.raised_on,
            source=(item.get_source_kind_display() + (f": {item.source_ref}" if item.source_ref else "")) if item.source_kind else "",
            dropped_reason=item.dropped_reason, partnership=item.partnership,
            notes=tuple((n.written_on, n.author.get_full_name() or n.author.get_username(), n.text) for n in item.notes.all()),
        )
        for item in items
    ]


def due_items(user, service, *, today: dt.date) -> list[tuple[PlanItem, object]]:
    """Open items the user may see that are overdue or due soon, most overdue first."""
    shown = []
    for item in visible_items(user, service).filter(status__in=("not_started", "in_progress")):
        rating = item.rating(today)
        if rating.overdue or rating.due_soon:
            shown.append((item, rating))
    return sorted(shown, key=lambda pair: pair[0].due_on)


def synthetic() -> bool:
    """Every figure of a demo or test installation is synthetic; production data is real."""
    return getattr(settings, "ENVIRONMENT", "production") != "production"


def build_paper(services: list, *, period, as_at: dt.date, progress=None):
    """The board paper of ``services`` (the first holds the plan) from the same builders as the pages:
    performance, analysis (for the board), disproportionality (for sharing), the action plan."""
    from reoffkit.reports.board import board_report
    from reoffkit.web.disproportionality.views import population_for
    from reoffkit.web.performance.queries import reference_figures
    from reoffkit.web.tracker.queries import resettlement_frame, service_frames

    services = sorted(services, key=lambda s: s.pk)
    if progress:
        progress.stage("Reading the records", 4)
    frames = service_frames(services)
    population, missing = population_for(services)
    population_missing = f"No 10–17 population table is chosen for {', '.join(missing)}." if missing else ""
    if population is None and not missing:
        population_missing = "The services' population tables record ethnicity differently, so they cannot be added up."
    items = PlanItem.objects.filter(service__in=services).select_related("owner").prefetch_related("notes__author")
    last = BoardPaper.objects.filter(service=services[0]).order_by("-made_at").first()
    if progress:
        progress.stage("Computing every section from the figures", 4)
        progress.advance(1)
    figures = reference_figures()
    from reoffkit.web.compare.queries import comparison_summary

    national = comparison_summary(services[0]) if len(services) == 1 else None
    report = board_report(
        frames.people, frames.outcomes, frames.assessments, areas=[s.name for s in services], as_at=as_at, period=period,
        rules=services[0].counting_rules(), figures=figures, resettlement=resettlement_frame(services), population=population,
        population_missing=population_missing, plan=plan_rows(items), national=national, last_paper_on=last.made_at.date() if last else None,
        synthetic=synthetic(), sources=[f"Case records of {', '.join(s.name for s in services)} in reoffkit"],
        police_check=(services[0].police_check_green / 100, services[0].police_check_amber / 100),
    )
    return report


def papers_for(user, service):
    if not can_make_papers(user):
        return BoardPaper.objects.none()
    return BoardPaper.objects.filter(service=service).select_related("made_by")
