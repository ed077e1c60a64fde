"""Security basics: hashing, lockout, idle timeout, CSP, deploy checks, audit of sign-ins."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time

from django.contrib.auth import get_user_model
from django.urls import reverse
from web_helpers import PASSWORD

from reoffkit.web.tracker.middleware import IdleTimeoutMiddleware
from reoffkit.web.tracker.models import AuditEvent


def test_passwords_are_hashed_with_argon2(world):
    assert get_user_model().objects.get(username="pat").password.startswith("argon2")


def test_sign_in_is_audited_and_repeated_failures_lock_the_account(client, world):
    login = reverse("login")
    assert client.post(login, {"username": "pat", "password": PASSWORD}).status_code == 302
    assert AuditEvent.objects.filter(username="pat", verb="login").exists()
    client.post(reverse("logout"))
    for _ in range(5):
        response = client.post(login, {"username": "pat", "password": "wrong password"})
    assert AuditEvent.objects.filter(username="pat", verb="login_failed").count() >= 4
    locked = client.post(login, {"username": "pat", "password": PASSWORD})
    assert locked.status_code in (403, 429)
    assert b"locked" in locked.content
    assert "_auth_user_id" not in client.session


def test_idle_session_is_signed_out(world, settings):
    client = world.client("pat")
    url = reverse("cohort", args=[world.northmoor.pk])
    session = client.session
    session[IdleTimeoutMiddleware.key] = time.time() - (settings.SESSION_IDLE_MINUTES * 60 + 5)
    session.save()
    response = client.get(url)
    assert response.status_code == 302 and "timed_out=1" in response["Location"]
    assert client.get(url).status_code == 302  # signed out, sent to sign in


def test_content_security_policy_has_no_inline_script(client, world):
    response = client.get(reverse("login"))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert b"<script>" not in response.content and b" style=" not in response.content
    assert response["X-Frame-Options"] == "DENY"


def test_logout_needs_a_post(world):
    client = world.client("pat")
    assert client.get(reverse("logout")).status_code == 405


def test_deploy_checks_are_clean_with_production_settings(tmp_path):
    environment = {
        **os.environ,
        "REOFFKIT_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "reoffkit.example.org",
        "REOFFKIT_DATA_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "reoffkit.web.settings",
    }
    for inherited in ("DATABASE_URL", "REOFFKIT_HTTPS", "REOFFKIT_DEBUG", "REOFFKIT_SSL_REDIRECT", "DJANGO_ALLOW_ASYNC_UNSAFE"):
        environment.pop(inherited, None)
    result = subprocess.run(
        [sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
        env=environment,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    environment = {**os.environ, "REOFFKIT_ENV": "production", "REOFFKIT_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "reoffkit.web.settings"}
    environment.pop("SECRET_KEY", None)
    result = subprocess.run([sys.executable, "-m", "django", "check"], env=environment, capture_output=True, text=True)
    assert result.returncode != 0 and "SECRET_KEY must be set" in result.stderr


def test_the_last_seen_time_is_written_at_most_once_a_minute_and_never_lengthens_the_idle_time(world, settings):
    """A request within a minute of the recorded time leaves the session as it is (no write of the
    session row on every page); a later one records the new time. The idle time is counted from the
    recorded time, so a session is never kept signed in longer than ``SESSION_IDLE_MINUTES``."""
    from django.contrib.sessions.models import Session

    client = world.client("pat")
    url = reverse("cohort", args=[world.northmoor.pk])
    assert client.get(url).status_code == 200
    recorded = client.session[IdleTimeoutMiddleware.key]
    saved = Session.objects.get(session_key=client.session.session_key).expire_date  # set, to the microsecond, by each write
    assert client.get(url).status_code == 200
    assert client.session[IdleTimeoutMiddleware.key] == recorded
    assert Session.objects.get(session_key=client.session.session_key).expire_date == saved  # not written again
    session = client.session
    session[IdleTimeoutMiddleware.key] = time.time() - (IdleTimeoutMiddleware.refresh_seconds + 5)
    session.save()
    before = time.time()
    assert client.get(url).status_code == 200
    assert client.session[IdleTimeoutMiddleware.key] >= before  # older than a minute: written again
    session = client.session
    session[IdleTimeoutMiddleware.key] = time.time() - (settings.SESSION_IDLE_MINUTES * 60 + 1)
    session.save()
    response = client.get(url)
    assert response.status_code == 302 and "timed_out=1" in response["Location"]
