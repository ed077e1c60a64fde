"""Django's user-and-password sign-in, with the signed-in user read in one query on every request."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class StaffBackend(ModelBackend):
    """:class:`~django.contrib.auth.backends.ModelBackend`, whose user of a request comes with their
    role and services' profile (``profile``) and their password's state (``password_state``) in
    the same query: read afresh on every request, as the user is, so a deactivated account, a
    changed role or a password that must change takes effect on the next request. Sign-in itself
    (``authenticate``, after django-axes' lockout check) is Django's, unchanged."""

    def get_user(self, user_id):
        user = get_user_model()._default_manager.select_related("profile", "password_state").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
