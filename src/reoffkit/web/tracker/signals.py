"""Log-ins, log-outs and failed log-ins go in the audit log (user names only, no passwords)."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from reoffkit.web.tracker.actions import audit


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    audit(by=user, verb="login", summary="Logged in")


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        audit(by=user, verb="logout", summary="Logged out")


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))[:150]
    audit(by=username or "unknown", verb="login_failed", summary="Failed log-in")
