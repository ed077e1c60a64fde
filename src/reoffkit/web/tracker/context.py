"""Navigation for the page header: the user's role and services, and what they may open.

The menu holds one set of links, for the service being looked at (``nav_service``: the page's
own, else the user's first); a user of several services switches between them with the service
switcher (``nav_switch``), which opens the same page for the other service where there is one.
"""

from functools import lru_cache

from django.urls import NoReverseMatch, reverse

from reoffkit.web.tracker.permissions import PERMISSIONS, role_of, services_of_request


def _same_page(request, service, role: str) -> str:
    """The page being looked at, for ``service`` (pages of one child or one record: the service's start)."""
    match = getattr(request, "resolver_match", None)
    if match is not None and set(match.kwargs) == {"service_id"} and match.url_name:
        try:
            return reverse(match.url_name, kwargs={"service_id": service.pk})
        except NoReverseMatch:
            pass
    start = "cohort" if role in PERMISSIONS["view_records"] else "summary"
    return reverse(start, args=[service.pk])


#: The menu's pages of one service, and the pages of no service (``nav_urls.<name>``, dashes as underscores).
SERVICE_PAGES = ("cohort", "my-work", "alerts", "meeting", "summary", "performance", "analysis", "compare", "disproportionality", "plan", "import", "settings")
OTHER_PAGES = ("national-figures", "population-tables", "reference", "audit", "users", "services")


@lru_cache(maxsize=256)
def menu_urls(service_id: int | None) -> dict[str, str]:
    """The menu's addresses for ``service_id``: the same on every request (the URLs do not change
    while the process runs), so reversed once, not about 20 times a page."""
    urls = {name.replace("-", "_"): reverse(name) for name in OTHER_PAGES}
    if service_id is not None:
        urls |= {name.replace("-", "_"): reverse(name, args=[service_id]) for name in SERVICE_PAGES}
    return urls


def navigation(request):
    user = getattr(request, "user", None)
    role = role_of(user) if user is not None else None
    if role is None:
        return {"nav_role": None}
    services = list(services_of_request(request)) if role in PERMISSIONS["view_aggregates"] else []  # read once, with the view's check
    match = getattr(request, "resolver_match", None)
    current_id = match.kwargs.get("service_id") if match is not None else None
    current = next((s for s in services if s.pk == current_id), services[0] if services else None)
    return {
        "nav_role": role,
        "nav_role_label": user.profile.get_role_display(),
        "nav_services": services,
        "nav_service": current,
        "nav_urls": menu_urls(current.pk if current else None),
        "nav_switch": [{"service": s, "url": _same_page(request, s, role), "current": s == current} for s in services] if len(services) > 1 else [],
        "nav_can": {name: role in roles for name, roles in PERMISSIONS.items()},
    }
