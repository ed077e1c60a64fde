"""What the accounts app keeps beside Django's user: the state of a user's password."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class PasswordState(models.Model):
    """``must_change``: the password was known to someone else (set before set-password links,
    or by an administrator's tool), so the next sign-in goes to the change-password page first.
    ``link_issued_at``: the newest set-password link; issuing another makes older links void."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="password_state")
    must_change = models.BooleanField(default=False)
    link_issued_at = models.DateTimeField(null=True, blank=True)
    changed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"password state of user {self.user_id}"
