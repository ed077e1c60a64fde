"""Navigation for the page header: the user's role and services, and what they may open."""

from reoffkit.web.tracker.permissions import PERMISSIONS, role_of, services_of


def navigation(request):
    user = getattr(request, "user", None)
    role = role_of(user) if user is not None else None
    if role is None:
        return {"nav_role": None}
    return {
        "nav_role": role,
        "nav_role_label": user.profile.get_role_display(),
        "nav_services": list(services_of(user)),
        "nav_can": {name: role in roles for name, roles in PERMISSIONS.items()},
    }
