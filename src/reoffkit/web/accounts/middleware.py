"""A signed-in user whose password someone else knew changes it before doing anything else."""

from __future__ import annotations

from django.shortcuts import redirect
from django.urls import reverse


class ForcePasswordChangeMiddleware:
    """Every page but the change-password page, sign-out and static files sends a user who must
    change their password (``PasswordState.must_change``) to the change-password page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            from reoffkit.web.accounts.passwords import must_change

            allowed = (reverse("change-password"), reverse("logout"), reverse("health"))
            if request.path not in allowed and must_change(user):
                return redirect("change-password")
        return self.get_response(request)
