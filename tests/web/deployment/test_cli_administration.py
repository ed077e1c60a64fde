"""``reoffkit service`` and ``reoffkit user``: command-line administration through the audited
actions, each audit entry naming the operating-system account ("command line (NAME)")."""

from __future__ import annotations

import getpass
import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from reoffkit.cli import main
from reoffkit.web.accounts import passwords
from reoffkit.web.tracker.models import AuditEvent, Role, Service

User = get_user_model()
OPERATOR = f"command line ({getpass.getuser()})"
NEW_PASSWORD = "a fresh and private passphrase"


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def two_services(db, capsys):
    assert run(capsys, "service", "add", "Northmoor YJS", "--district", "Riverside", "--district", "Hilltop")[0] == 0
    assert run(capsys, "service", "add", "Eastvale YJS")[0] == 0
    return Service.objects.get(name="Northmoor YJS"), Service.objects.get(name="Eastvale YJS")


def test_services_are_added_audited_and_listed(two_services, capsys):
    northmoor, _ = two_services
    event = AuditEvent.objects.get(object_type="service", object_ids=[str(northmoor.pk)])
    assert event.username == OPERATOR and event.user is None
    assert sorted(northmoor.districts.values_list("name", flat=True)) == ["Hilltop", "Riverside"]
    code, out, _ = run(capsys, "service", "list")
    assert code == 0 and "Northmoor YJS  (0 staff; Hilltop, Riverside)" in out and "Eastvale YJS" in out
    code, _, err = run(capsys, "service", "add", "Northmoor YJS")
    assert code == 2 and "already exists" in err and Service.objects.filter(name="Northmoor YJS").count() == 1


def test_user_add_prints_a_link_first_that_sets_the_password_once(two_services, capsys):
    northmoor, _ = two_services
    code, out, _ = run(capsys, "user", "add", "nora", "--role", "practitioner", "--service", "Northmoor YJS", "--base-url", "https://rk.example.gov.uk")
    assert code == 0
    link = out.splitlines()[0]
    assert re.fullmatch(r"https://rk\.example\.gov\.uk/set-password/[^/]+/[^/]+/", link), out
    nora = User.objects.get(username="nora")
    assert not nora.has_usable_password() and nora.profile.role == Role.PRACTITIONER and list(nora.profile.services.all()) == [northmoor]
    created = AuditEvent.objects.get(verb="create", object_type="user", object_ids=[str(nora.pk)])
    assert created.username == OPERATOR and created.service == northmoor
    path = link.removeprefix("https://rk.example.gov.uk")
    assert Client().post(path, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}).status_code == 302
    nora.refresh_from_db()
    assert nora.check_password(NEW_PASSWORD)
    assert Client().get(path).status_code == 400  # once


def test_set_role_deactivate_link_and_list(two_services, capsys):
    northmoor, eastvale = two_services
    run(capsys, "user", "add", "nora", "--role", "practitioner", "--service", "Northmoor YJS")
    code, out, _ = run(capsys, "user", "set-role", "nora", "manager", "--service", "Eastvale YJS")
    assert code == 0 and "Manager, Eastvale YJS, active" in out
    nora = User.objects.get(username="nora")
    assert nora.profile.role == Role.MANAGER and list(nora.profile.services.all()) == [eastvale]
    changed = AuditEvent.objects.filter(verb="update", summary="Changed user nora")
    assert {e.service for e in changed} == {northmoor, eastvale} and {e.username for e in changed} == {OPERATOR}
    assert run(capsys, "user", "deactivate", "nora")[0] == 0
    nora.refresh_from_db()
    assert not nora.is_active
    code, _, err = run(capsys, "user", "link", "nora")
    assert code == 2 and "inactive" in err
    code, out, _ = run(capsys, "user", "list")
    assert code == 0 and re.search(r"nora\s+Manager\s+Eastvale YJS  \[inactive, no password yet\]", out)
    assert run(capsys, "user", "set-role", "nora", "manager", "--activate")[0] == 0
    code, out, _ = run(capsys, "user", "link", "nora")
    assert code == 0 and out.startswith("/set-password/") and "put the service's address" in out


def test_unlock_from_the_command_line_is_audited(two_services, capsys, settings):
    northmoor, _ = two_services
    run(capsys, "user", "add", "mick", "--role", "manager", "--service", "Northmoor YJS")
    mick = User.objects.get(username="mick")
    passwords.set_password(by=mick, user=mick, password=NEW_PASSWORD, how="Test")
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "mick", "password": "wrong"})
    assert passwords.is_locked_out(mick)
    assert "locked out" in run(capsys, "user", "list")[1]
    code, out, _ = run(capsys, "user", "unlock", "mick")
    assert code == 0 and "unlocked" in out and not passwords.is_locked_out(mick)
    event = AuditEvent.objects.get(summary__startswith="Unlocked user mick")
    assert event.username == OPERATOR and event.service == northmoor
    assert client.post(reverse("login"), {"username": "mick", "password": NEW_PASSWORD}).status_code == 302


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["user", "add", "x", "--role", "manager"], "give at least one --service"),
        (["user", "add", "x", "--role", "manager", "--service", "Westvale"], "no service 'Westvale'; the services are: Eastvale YJS, Northmoor YJS"),
        (["user", "deactivate", "ghost"], "no user 'ghost'"),
        (["user", "set-role", "ghost", "board"], "no user 'ghost'"),
        (["user", "unlock", "ghost"], "no user 'ghost'"),
    ],
)
def test_refusals_are_one_line_with_exit_code_2_and_nothing_saved(two_services, capsys, argv, message):
    users, events = User.objects.count(), AuditEvent.objects.count()
    code, _, err = run(capsys, *argv)
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1
    assert (User.objects.count(), AuditEvent.objects.count()) == (users, events)


def test_an_administrator_needs_no_service(db, capsys):
    code, out, _ = run(capsys, "user", "add", "root.admin", "--role", "administrator")
    assert code == 0 and "/set-password/" in out
    event = AuditEvent.objects.get(verb="create", object_type="user")
    assert event.service is None and event.username == OPERATOR
