"""``reoffkit user add|list|deactivate|set-role|unlock|link``: the accounts of the live tracker,
through the audited actions. Nobody chooses a password here: ``add`` and ``link`` print a one-time
set-password link for the user (the first line of the output), shown once."""

from __future__ import annotations

import argparse
import os

from reoffkit.cli.administration import Refused, operator, refused, services_named, setup, validation_text

ROLES = ("practitioner", "manager", "performance", "board", "administrator")


def add_parser(commands) -> None:
    parser = commands.add_parser("user", help="the users of the live tracker: add, list, deactivate, set-role, unlock, link")
    actions = parser.add_subparsers(dest="user_command", required=True, metavar="ACTION")
    base = argparse.ArgumentParser(add_help=False)
    base.add_argument(
        "--base-url", default=os.environ.get("REOFFKIT_BASE_URL", ""),
        help="the address users reach the service at, e.g. https://reoffkit.example.gov.uk (default: REOFFKIT_BASE_URL)",
    )  # fmt: skip

    add = actions.add_parser("add", parents=[base], help="add a user and print a one-time link for them to set their password")
    add.add_argument("username")
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--service", action="append", default=[], help="a service whose records the user may see (repeatable; none for an administrator)")
    add.add_argument("--first-name", default="")
    add.add_argument("--last-name", default="")
    add.add_argument("--email", default="")
    add.set_defaults(handler=run_add)

    listing = actions.add_parser("list", help="every user with role, services and status")
    listing.set_defaults(handler=run_list)

    deactivate = actions.add_parser("deactivate", help="stop a user signing in (their audit history is kept)")
    deactivate.add_argument("username")
    deactivate.set_defaults(handler=run_deactivate)

    set_role = actions.add_parser("set-role", help="change a user's role, and their services if --service is given")
    set_role.add_argument("username")
    set_role.add_argument("role", choices=ROLES)
    set_role.add_argument("--service", action="append", default=None, help="the user's services from now on (repeatable; default: unchanged)")
    set_role.add_argument("--activate", action="store_true", help="make an inactive user active again")
    set_role.set_defaults(handler=run_set_role)

    unlock = actions.add_parser("unlock", help="let a user locked out by failed sign-ins sign in again")
    unlock.add_argument("username")
    unlock.set_defaults(handler=run_unlock)

    link = actions.add_parser("link", parents=[base], help="print a new one-time set-password link (earlier links stop working)")
    link.add_argument("username")
    link.set_defaults(handler=run_link)


def _user(username: str):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.select_related("profile").filter(username=username, profile__isnull=False).first()
    if user is None:
        raise Refused(f"no user {username!r}; `reoffkit user list` shows them")
    return user


def _print_link(user, base_url: str) -> None:
    from django.conf import settings

    from reoffkit.web.accounts.passwords import issue_link

    link = issue_link(by=operator(), user=user, base_url=base_url)
    print(link)
    hours = settings.PASSWORD_RESET_TIMEOUT // 3600
    where = "" if base_url else " (put the service's address, e.g. https://reoffkit.example.gov.uk, before it; or pass --base-url)"
    print(
        f"Give {user.get_username()} the link above{where}, through a channel only they read: it sets their password once, "
        f"within {hours} hours. It is not shown again; `reoffkit user link {user.get_username()}` makes a new one."
    )


def run_add(arguments: argparse.Namespace) -> int:
    setup()
    from django.core.exceptions import ValidationError

    from reoffkit.web.tracker import actions

    try:
        if arguments.role != "administrator" and not arguments.service:
            raise Refused("give at least one --service (only an administrator has none); `reoffkit service list` shows them")
        services = services_named(arguments.service)
        user = actions.create_staff_user(
            by=operator(), username=arguments.username, role=arguments.role, services=services,
            first_name=arguments.first_name, last_name=arguments.last_name, email=arguments.email,
        )  # fmt: skip
    except Refused as error:
        return refused("user add", error)
    except ValidationError as error:
        return refused("user add", Refused(validation_text(error)))
    _print_link(user, arguments.base_url)
    return 0


def run_list(arguments: argparse.Namespace) -> int:
    setup()
    from reoffkit.web.accounts.passwords import is_locked_out, must_change
    from reoffkit.web.accounts.queries import staff_users

    users = [u for u in staff_users() if hasattr(u, "profile")]
    if not users:
        print("No users yet: add one with `reoffkit user add NAME --role ROLE --service SERVICE`.")
        return 0
    for user in users:
        services = ", ".join(s.name for s in user.profile.services.all()) or ("all (administrator)" if user.profile.role == "administrator" else "none")
        status = ["active" if user.is_active else "inactive"]
        if not user.has_usable_password():
            status.append("no password yet")
        if must_change(user):
            status.append("must change password")
        if is_locked_out(user):
            status.append("locked out")
        print(f"{user.username:<24} {user.profile.get_role_display():<20} {services}  [{', '.join(status)}]")
    return 0


def _update(arguments: argparse.Namespace, command: str, **change) -> int:
    from django.core.exceptions import ValidationError

    from reoffkit.web.tracker import actions

    try:
        user = _user(arguments.username)
        profile = user.profile
        role = change.get("role", profile.role)
        services = change["services"] if change.get("services") is not None else list(profile.services.all())
        if role != "administrator" and not services:
            raise Refused("give at least one --service (only an administrator has none)")
        actions.update_staff_user(by=operator(), user=user, role=role, services=services, is_active=change.get("is_active", user.is_active))
    except Refused as error:
        return refused(command, error)
    except ValidationError as error:
        return refused(command, Refused(validation_text(error)))
    user = _user(arguments.username)
    services = ", ".join(s.name for s in user.profile.services.all()) or "no service"
    print(f"User {user.get_username()} is now: {user.profile.get_role_display()}, {services}, {'active' if user.is_active else 'inactive'}.")
    return 0


def run_deactivate(arguments: argparse.Namespace) -> int:
    setup()
    return _update(arguments, "user deactivate", is_active=False)


def run_set_role(arguments: argparse.Namespace) -> int:
    setup()
    try:
        services = None if arguments.service is None else services_named(arguments.service)
    except Refused as error:
        return refused("user set-role", error)
    change = {"is_active": True} if arguments.activate else {}
    return _update(arguments, "user set-role", role=arguments.role, services=services, **change)


def run_unlock(arguments: argparse.Namespace) -> int:
    setup()
    from reoffkit.web.accounts.passwords import unlock

    try:
        user = _user(arguments.username)
    except Refused as error:
        return refused("user unlock", error)
    cleared = unlock(by=operator(), user=user)
    print(f"User {user.get_username()} unlocked ({cleared} record(s) of failed sign-ins cleared): they can sign in again.")
    return 0


def run_link(arguments: argparse.Namespace) -> int:
    setup()
    try:
        user = _user(arguments.username)
    except Refused as error:
        return refused("user link", error)
    if not user.is_active:
        return refused("user link", Refused(f"{user.get_username()} is inactive: make them active again first (`reoffkit user set-role NAME ROLE --activate`)"))
    _print_link(user, arguments.base_url)
    return 0
