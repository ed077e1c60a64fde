"""Create the first administrator of a deployment (asks for the password; never on the command line)."""

import sys
from getpass import getpass

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from reoffkit.web.tracker import actions
from reoffkit.web.tracker.models import Role


class Command(BaseCommand):
    help = "Create an administrator (users and services; no access to children's records)."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        if not sys.stdin.isatty():
            raise CommandError(
                "create_administrator asks for the password and needs a terminal: run it in one, or use "
                f"`reoffkit user add {username} --role administrator`, which prints a one-time set-password link",
                returncode=2,
            )
        password = getpass("Password: ")
        if password != getpass("Password again: "):
            raise CommandError("The passwords do not match.")
        try:
            validate_password(password)
            actions.create_staff_user(by="create_administrator", username=username, password=password, role=Role.ADMINISTRATOR)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        self.stdout.write(f"Administrator {username} created.")
