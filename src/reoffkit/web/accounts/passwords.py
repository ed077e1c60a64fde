"""Passwords without an administrator ever knowing one: one-time set-password links (signed,
shown once, expiring after ``REOFFKIT_SET_PASSWORD_HOURS``, void once used or when a newer link is
issued), change of one's own password, a forced change at the first sign-in when a password was
known to someone else, and unlocking an account locked by repeated failed sign-ins.

Every change is audited in each service the account belongs to, so a service's managers see who
was given access to their children's records (``actions.audit_account``)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from reoffkit.web.accounts.models import PasswordState

User = get_user_model()


class SetPasswordLinks(PasswordResetTokenGenerator):
    """Django's signed, expiring password-reset token (``PASSWORD_RESET_TIMEOUT``, set from
    ``REOFFKIT_SET_PASSWORD_HOURS``), also void once a newer link is issued."""

    key_salt = "reoffkit.web.accounts.passwords.SetPasswordLinks"

    def _make_hash_value(self, user, timestamp):
        state = PasswordState.objects.filter(user=user).first()
        issued = state.link_issued_at.isoformat() if state and state.link_issued_at else ""
        return super()._make_hash_value(user, timestamp) + issued


links = SetPasswordLinks()


def state_of(user) -> PasswordState:
    state, _ = PasswordState.objects.get_or_create(user=user)
    return state


def must_change(user) -> bool:
    """Whether ``user`` must change their password: from the state read with the user of a request
    (``accounts.backends.StaffBackend``, on every request), else read now."""
    try:
        return user.password_state.must_change
    except PasswordState.DoesNotExist:
        return False


@transaction.atomic
def issue_link(*, by, user, base_url: str = "") -> str:
    """A new one-time link for ``user`` to set their password (older links stop working), audited
    in the user's services. The link is returned once and never stored."""
    from reoffkit.web.tracker.actions import audit_account

    state = PasswordState.objects.select_for_update().get_or_create(user=user)[0]
    state.link_issued_at = timezone.now()
    state.save(update_fields=["link_issued_at"])
    hours = settings.PASSWORD_RESET_TIMEOUT // 3600
    audit_account(by=by, user=user, verb="update", summary=f"Issued a set-password link for user {user.get_username()} (valid {hours} hours)")
    path = reverse("set-password", kwargs={"uidb64": urlsafe_base64_encode(force_bytes(user.pk)), "token": links.make_token(user)})
    return base_url.rstrip("/") + path


def user_for_link(uidb64: str, token: str):
    """The active user a link is for, or ``None`` when it is malformed, expired, used or replaced."""
    try:
        user = User.objects.get(pk=int(urlsafe_base64_decode(uidb64).decode()))
    except (ValueError, TypeError, OverflowError, User.DoesNotExist):
        return None
    if not user.is_active or not links.check_token(user, token):
        return None
    return user


@transaction.atomic
def set_password(*, by, user, password: str, how: str) -> None:
    """Set ``user``'s password (already validated) and clear any forced change; audited."""
    from reoffkit.web.tracker.actions import audit_account

    user.set_password(password)
    user.save(update_fields=["password"])
    state = PasswordState.objects.select_for_update().get_or_create(user=user)[0]
    state.must_change = False
    state.changed_at = timezone.now()
    state.save(update_fields=["must_change", "changed_at"])
    audit_account(by=by, user=user, verb="update", summary=f"{how} for user {user.get_username()}")


def is_locked_out(user) -> bool:
    from axes.models import AccessAttempt

    failures = AccessAttempt.objects.filter(username=user.get_username()).values_list("failures_since_start", flat=True)
    return any(count >= settings.AXES_FAILURE_LIMIT for count in failures)


def locked_out_usernames() -> set[str]:
    """The user names locked out now (from at least one address)."""
    from axes.models import AccessAttempt

    return set(AccessAttempt.objects.filter(failures_since_start__gte=settings.AXES_FAILURE_LIMIT).values_list("username", flat=True))


@transaction.atomic
def unlock(*, by, user) -> int:
    """Clear ``user``'s failed sign-ins (from every address) so they can sign in again; audited.
    Returns how many records of failed attempts were cleared."""
    from axes.utils import reset

    from reoffkit.web.tracker.actions import audit_account

    cleared = reset(username=user.get_username())
    audit_account(by=by, user=user, verb="update", summary=f"Unlocked user {user.get_username()} ({cleared} record(s) of failed sign-ins cleared)")
    return cleared
