"""Who may do what. Every view checks here (through the decorators), not just the menus.

=====================  =========================================================================
role                   may
=====================  =========================================================================
practitioner           see the cohort and children's records of their services; record offences,
                       assessments and review actions; change actions they raised or own
manager                as practitioner, plus change any action of their services, the service
                       settings and the audit log of their services, the cohort export and the
                       reference figures (to read)
performance officer    as practitioner, plus exports (the case file too), imports, reference figures
                       and population tables
board viewer           aggregate pages of their services only — never a child's record
administrator          users and services, population tables, and the whole audit log — no
                       children's records
=====================  =========================================================================

Nobody sees another service's records: a service not in the user's services is "not found".
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from reoffkit.web.tracker.models import Role, Service

CASE_ROLES = frozenset({Role.PRACTITIONER, Role.MANAGER, Role.PERFORMANCE})

PERMISSIONS: dict[str, frozenset[str]] = {
    "view_records": CASE_ROLES,
    "record": CASE_ROLES,
    "change_any_action": frozenset({Role.MANAGER}),
    "change_settings": frozenset({Role.MANAGER}),
    # the cohort workbook (pseudonymised for sharing unless asked otherwise); the whole case file,
    # every record of every child with names, only with imports (a data migration, not a report)
    "export": frozenset({Role.MANAGER, Role.PERFORMANCE}),
    "export_case_file": frozenset({Role.PERFORMANCE}),
    "import": frozenset({Role.PERFORMANCE}),
    # reading the reference figures every comparison uses; loading new ones
    "view_reference": frozenset({Role.MANAGER, Role.PERFORMANCE}),
    "reference_figures": frozenset({Role.PERFORMANCE}),
    # ethnic disproportionality (aggregates; board viewers see them with small counts withheld),
    # and the population tables it is set against (published figures, not children's records)
    "view_disproportionality": frozenset({Role.MANAGER, Role.PERFORMANCE, Role.BOARD}),
    "load_population": frozenset({Role.PERFORMANCE, Role.ADMINISTRATOR}),
    "view_aggregates": CASE_ROLES | {Role.BOARD},
    # published area figures for the national comparison (no children's records)
    "load_national_figures": frozenset({Role.PERFORMANCE, Role.ADMINISTRATOR}),
    "view_audit": frozenset({Role.MANAGER, Role.ADMINISTRATOR}),
    "manage_users": frozenset({Role.ADMINISTRATOR}),
}


#: Each role in words, for the page that refuses a request ("This page is for managers only.").
ROLE_WORDS = {
    Role.PRACTITIONER: "practitioners",
    Role.MANAGER: "managers",
    Role.PERFORMANCE: "performance officers",
    Role.BOARD: "board viewers",
    Role.ADMINISTRATOR: "administrators",
}
_CASE_FILE = (
    "Importing case files, and exporting the whole case file (every record of every child, with names), "
    "is for the service's performance officer: ask them for a copy of the case file."
)
#: What a refused user is told instead, where naming the roles would not tell them what to do.
REFUSED = {"import": _CASE_FILE, "export_case_file": _CASE_FILE}


def who_may(permission: str) -> str:
    """Who may do what ``permission`` allows, in words, for the page that refuses it."""
    if permission in REFUSED:
        return REFUSED[permission]
    roles = [words for role, words in ROLE_WORDS.items() if role in PERMISSIONS[permission]]
    listed = roles[0] if len(roles) == 1 else ", ".join(roles[:-1]) + " and " + roles[-1]
    return f"This page is for {listed} only."


def role_of(user) -> str | None:
    if not user.is_authenticated or not user.is_active:
        return None
    profile = getattr(user, "profile", None)
    return profile.role if profile else None


def has_permission(user, permission: str) -> bool:
    return role_of(user) in PERMISSIONS[permission]


def services_of(user):
    """The services whose records ``user`` may see (all of them for an administrator)."""
    role = role_of(user)
    if role is None:
        return Service.objects.none()
    if role == Role.ADMINISTRATOR:
        return Service.objects.all()
    return user.profile.services.all()


def services_of_request(request) -> list[Service]:
    """:func:`services_of` the request's user, as a list read once per request: a service page's
    check (:func:`require`) and its menu's service switcher share it."""
    listed = getattr(request, "_reoffkit_services", None)
    if listed is None:
        listed = request._reoffkit_services = list(services_of(request.user))
    return listed


def service_for(user, service_id: int) -> Service:
    """The service, if ``user`` belongs to it; otherwise 404 (its existence is not disclosed)."""
    return get_object_or_404(services_of(user), pk=service_id)


def can_change_action(user, action) -> bool:
    if has_permission(user, "change_any_action"):
        return True
    return has_permission(user, "record") and user.pk in (action.raised_by_id, action.owner_id)


def require(permission: str):
    """Decorate a view: the user must be logged in and hold ``permission``. A ``service_id`` URL
    argument is replaced by the ``service`` it names, checked against the user's services."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, service_id: int | None = None, **kwargs):
            if not has_permission(request.user, permission):
                raise PermissionDenied(who_may(permission))
            if service_id is not None:
                if role_of(request.user) == Role.ADMINISTRATOR:
                    kwargs["service"] = service_for(request.user, service_id)  # every service: not read as a list
                else:
                    service = next((s for s in services_of_request(request) if s.pk == service_id), None)
                    if service is None:
                        raise Http404("No service matches the given query.")
                    kwargs["service"] = service
            return view(request, *args, **kwargs)

        wrapped.permission = permission
        return wrapped

    return decorator


def person_in(service: Service, person_id: int):
    from reoffkit.web.tracker.models import YoungPerson

    person = YoungPerson.objects.filter(service=service, pk=person_id).select_related("service", "district").first()
    if person is None:
        raise Http404
    return person
