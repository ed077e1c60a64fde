"""Passwords and the administrator (docs/adr/0014-accounts-and-operations.md): no administrator
chooses or knows a password; one-time set-password links; changing one's own password; a forced
change at first sign-in; account changes in each affected service's audit; unlock; lockout by user
name and address together."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from web_helpers import PASSWORD

from reoffkit.web.accounts import passwords
from reoffkit.web.accounts.models import PasswordState
from reoffkit.web.tracker import actions
from reoffkit.web.tracker.models import AuditEvent, Role

User = get_user_model()
NEW_PASSWORD = "a fresh and private passphrase"


def text(response) -> str:
    return html.unescape(response.content.decode())


def link_on(page: str) -> str:
    return re.search(r"http://testserver(/set-password/[^/]+/[^/<\s]+/)", page).group(1)


def add_nora(world) -> tuple[object, str]:
    response = world.client("ada").post(
        reverse("add-user"), {"username": "nora", "first_name": "Nora", "last_name": "Newstarter", "role": "practitioner", "services": [str(world.northmoor.pk)]}
    )
    assert response.status_code == 200
    return User.objects.get(username="nora"), link_on(text(response))


def sign_in(username: str, password: str) -> Client:
    client = Client()
    response = client.post(reverse("login"), {"username": username, "password": password})
    assert response.status_code == 302, text(response)[:500]
    return client


def row_of(world, username: str) -> str:
    page = text(world.client("ada").get(reverse("users")))
    start = page.index(f">{username}<")
    return page[start : page.index("</tr>", start)]


def test_a_new_user_sets_their_own_password_with_the_link_once(world):
    nora, link = add_nora(world)
    assert "No password yet" in row_of(world, "nora") and "No password yet" not in row_of(world, "pat")
    assert not Client().post(reverse("login"), {"username": "nora", "password": PASSWORD}).wsgi_request.user.is_authenticated
    visitor = Client()
    page = visitor.get(link)
    assert page.status_code == 200 and "Choose a password for nora" in text(page)
    short = visitor.post(link, {"new_password1": "short1", "new_password2": "short1"})
    assert short.status_code == 400 and "This password is too short." in text(short)
    response = visitor.post(link, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("login")
    nora.refresh_from_db()
    assert nora.check_password(NEW_PASSWORD)
    assert AuditEvent.objects.filter(username="nora", summary="Set password with a one-time link for user nora", service=world.northmoor).exists()
    again = Client().get(link)  # used: void
    assert again.status_code == 400 and "This link does not work" in text(again)
    assert sign_in("nora", NEW_PASSWORD).get(reverse("home")).status_code == 302
    assert "No password yet" not in row_of(world, "nora")


def test_a_link_expires_and_a_newer_link_voids_the_older(world, settings, monkeypatch):
    nora, first = add_nora(world)
    second = passwords.issue_link(by=world.users["ada"], user=nora)
    assert Client().get(first).status_code == 400 and Client().get(second).status_code == 200
    assert settings.PASSWORD_RESET_TIMEOUT == 72 * 3600  # REOFFKIT_SET_PASSWORD_HOURS default
    later = passwords.links._now() + dt.timedelta(hours=73)
    monkeypatch.setattr(passwords.links, "_now", lambda: later)
    assert Client().get(second).status_code == 400
    assert Client().get("/set-password/bm9wZQ/not-a-token/").status_code == 400


def test_an_administrator_makes_a_new_link_on_the_users_page_audited_in_the_service(world):
    pat = world.users["pat"]
    response = world.client("ada").post(reverse("user-link", args=[pat.pk]))
    page = text(response)
    assert response.status_code == 200 and "New set-password link for pat" in page and "shown on this page only" in page
    assert Client().get(link_on(page)).status_code == 200
    event = AuditEvent.objects.filter(summary__startswith="Issued a set-password link for user pat").get()
    assert event.username == "ada" and event.service == world.northmoor
    assert world.client("mandy").post(reverse("user-link", args=[pat.pk])).status_code == 403
    assert world.client("ada").get(reverse("user-link", args=[pat.pk])).status_code == 405


def test_changing_ones_own_password_needs_the_old_one(world):
    client = sign_in("pat", PASSWORD)
    assert "Change your password" in text(client.get(reverse("change-password")))
    wrong = client.post(reverse("change-password"), {"old_password": "not it", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert wrong.status_code == 400 and "Your old password was entered incorrectly" in text(wrong)
    done = client.post(reverse("change-password"), {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302
    assert client.get(reverse("cohort", args=[world.northmoor.pk])).status_code == 200  # still signed in
    world.users["pat"].refresh_from_db()
    assert world.users["pat"].check_password(NEW_PASSWORD)
    assert AuditEvent.objects.filter(username="pat", summary="Changed own password for user pat", service=world.northmoor).exists()


def test_a_password_someone_else_knew_is_changed_at_first_sign_in(world):
    actions.create_staff_user(by="test", username="temp", password=PASSWORD, must_change_password=True, role=Role.MANAGER, services=[world.northmoor])
    client = sign_in("temp", PASSWORD)
    for url in (reverse("home"), reverse("cohort", args=[world.northmoor.pk]), reverse("audit")):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == reverse("change-password"), url
        assert response["Cache-Control"] == "no-store, private"
    forced = client.get(reverse("change-password"))
    assert forced.status_code == 200 and "Your password was set by someone else" in text(forced)
    client.post(reverse("change-password"), {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert client.get(reverse("cohort", args=[world.northmoor.pk])).status_code == 200
    assert not PasswordState.objects.get(user__username="temp").must_change


def test_a_service_manager_sees_an_administrator_give_access_to_their_service(world):
    add_nora(world)
    nora = User.objects.get(username="nora")
    world.client("ada").post(reverse("edit-user", args=[nora.pk]), {"role": "manager", "services": [str(world.eastfield.pk)], "is_active": "on"})
    northmoor_log = text(world.client("mandy").get(reverse("audit")))
    assert "Created user nora as Practitioner" in northmoor_log and "Changed user nora" in northmoor_log  # she left Northmoor
    actions.create_staff_user(by="test", username="erin", role=Role.MANAGER, services=[world.eastfield])
    eastfield_manager = actions.create_staff_user(by="test", username="emma", password=PASSWORD, role=Role.MANAGER, services=[world.eastfield])
    client = Client()
    client.force_login(eastfield_manager)
    eastfield_log = text(client.get(reverse("audit")))
    assert "Changed user nora" in eastfield_log and "Created user nora" not in eastfield_log and "Created user erin as Manager" in eastfield_log
    assert "Created user erin" not in northmoor_log


def test_lockout_is_by_user_name_and_address_and_an_administrator_unlocks(world, settings):
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]
    attacker = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attacker.post(reverse("login"), {"username": "mandy", "password": "guess"})
    assert attacker.post(reverse("login"), {"username": "mandy", "password": PASSWORD}).status_code in (403, 429)
    office = Client(REMOTE_ADDR="192.0.2.20")  # mandy at her own desk is not locked out by the attacker
    assert office.post(reverse("login"), {"username": "mandy", "password": PASSWORD}).status_code == 302
    mandy = world.users["mandy"]
    assert passwords.is_locked_out(mandy)
    page = text(world.client("ada").get(reverse("edit-user", args=[mandy.pk])))
    assert "mandy is locked out" in page
    users = text(world.client("ada").get(reverse("users")))
    row = users[users.index(">mandy<") : users.index("</tr>", users.index(">mandy<"))]
    assert "Locked out" in row and "Locked out" not in users[users.index(">pat<") : users.index("</tr>", users.index(">pat<"))]
    assert world.client("mandy").post(reverse("user-unlock", args=[mandy.pk])).status_code == 403
    response = world.client("ada").post(reverse("user-unlock", args=[mandy.pk]))
    assert response.status_code == 302 and not passwords.is_locked_out(mandy)
    assert Client(REMOTE_ADDR="203.0.113.9").post(reverse("login"), {"username": "mandy", "password": PASSWORD}).status_code == 302
    event = AuditEvent.objects.get(summary__startswith="Unlocked user mandy")
    assert event.username == "ada" and event.service == world.northmoor


def test_accounts_with_a_password_before_links_must_change_it(world):
    from importlib import import_module

    from django.apps import apps

    migration = import_module("reoffkit.web.accounts.migrations.0001_password_state")
    PasswordState.objects.all().delete()
    no_password = actions.create_staff_user(by="test", username="linkonly", role=Role.BOARD, services=[world.northmoor])
    PasswordState.objects.filter(user=no_password).delete()
    migration.passwords_known_to_an_administrator(apps, None)
    assert PasswordState.objects.get(user=world.users["pat"]).must_change
    assert not PasswordState.objects.filter(user=no_password).exists()
