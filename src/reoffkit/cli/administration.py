"""What ``reoffkit service`` and ``reoffkit user`` share: Django set up, who acts (the operating
system account, recorded in every audit entry as "command line (NAME)"), and refusals said in one
line with exit code 2."""

from __future__ import annotations

import getpass
import os
import sys

from reoffkit.cli.common import EXIT_BAD_INPUT


class Refused(Exception):
    """The command cannot do what was asked; the message says why and what to do instead."""


def operator() -> str:
    """Who ran the command, as the audit log records it: the operating system account."""
    try:
        name = getpass.getuser()
    except (KeyError, OSError):
        name = f"uid {os.getuid()}"
    return f"command line ({name})"


def setup() -> None:
    from reoffkit.web.server import setup_django

    setup_django()


def refused(command: str, error: Exception) -> int:
    print(f"reoffkit {command}: {error}", file=sys.stderr)
    return EXIT_BAD_INPUT


def validation_text(error) -> str:
    if hasattr(error, "message_dict"):
        return "; ".join(f"{field}: {' '.join(messages)}" if field != "__all__" else " ".join(messages) for field, messages in error.message_dict.items())
    return "; ".join(error.messages)


def services_named(names: list[str]):
    """The services of ``names`` (exactly as listed by ``reoffkit service list``)."""
    from reoffkit.web.tracker.models import Service

    found = {s.name: s for s in Service.objects.filter(name__in=names)}
    missing = [name for name in names if name not in found]
    if missing:
        held = ", ".join(Service.objects.order_by("name").values_list("name", flat=True)) or "none yet: add one with `reoffkit service add`"
        raise Refused(f"no service {', '.join(map(repr, missing))}; the services are: {held}")
    return [found[name] for name in names]
