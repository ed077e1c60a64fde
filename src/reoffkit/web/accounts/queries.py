"""Reads for the administration pages: the audit log, users and services."""

from __future__ import annotations

import datetime as dt

from reoffkit.web.tracker.models import Service


def audit_events(
    user,
    *,
    username: str = "",
    verb: str = "",
    object_type: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    service: Service | None = None,
):
    """The audit log as ``user`` may read it, newest first: an administrator everything, a manager
    only the events of their services."""
    from reoffkit.web.tracker.models import AuditEvent, Role
    from reoffkit.web.tracker.permissions import role_of, services_of

    events = AuditEvent.objects.select_related("service")
    if role_of(user) != Role.ADMINISTRATOR:
        events = events.filter(service__in=services_of(user))
    if username:
        events = events.filter(username__iexact=username)
    if verb:
        events = events.filter(verb=verb)
    if object_type:
        events = events.filter(object_type=object_type)
    if date_from:
        events = events.filter(at__date__gte=date_from)
    if date_to:
        events = events.filter(at__date__lte=date_to)
    if service is not None:
        events = events.filter(service=service)
    return events.order_by("-at", "-id")


def audit_object_types(user) -> list[str]:
    """The record types named in the part of the audit log ``user`` may read."""
    types = audit_events(user).exclude(object_type="").order_by().values_list("object_type", flat=True).distinct()
    return sorted(set(types))


def staff_users():
    """Every user with their role and services, by user name."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.select_related("profile").prefetch_related("profile__services").order_by("username")


def services_with_districts():
    """Every service with its districts, ``district_count`` and ``staff_count``."""
    from django.db.models import Count

    return Service.objects.annotate(district_count=Count("districts", distinct=True), staff_count=Count("staff", distinct=True)).prefetch_related(
        "districts"
    )



