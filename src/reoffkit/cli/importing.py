"""``reoffkit import``: a case file into a service of the live tracker (all or nothing, audited).

``--by`` names the performance officer the import is made as; the command asks for no password
(whoever may run it already has the service's database), so the audit entry says it was made on
the command line and names the operating-system account that ran it beside the officer:
"by j.smith via command line (os user root)"."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
import time
from pathlib import Path

from reoffkit.cli.common import EXIT_BAD_INPUT


def add_parser(commands) -> None:
    parser = commands.add_parser(
        "import", help="import a case file into a service of the live tracker's database (all or nothing, audited)"
    )
    parser.add_argument("casefile", type=Path, help="an .xlsx case file, a folder of CSV files, or a .zip of them")
    parser.add_argument("--service", required=True, help="the service (by name) to import into")
    parser.add_argument(
        "--by", required=True,
        help="user name of the performance officer importing (audited as them, with the operating-system account that ran the command)",
    )
    parser.add_argument("--mapping", action="store_true", help="the workbook is in the service's own layout: use its saved column mapping")
    parser.add_argument("--dry-run", action="store_true", help="list what would change and change nothing")
    parser.add_argument(
        "--full", action="store_true",
        help="the file is the service's whole case file: its outcomes and assessments that the file lacks are removed (see them first with --dry-run)",
    )
    parser.add_argument("--show", type=int, default=20, help="how many changes to list (default 20)")
    parser.set_defaults(handler=run)


def run(arguments: argparse.Namespace) -> int:
    from reoffkit.casefile import format_problems
    from reoffkit.web.server import setup_django

    setup_django()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from reoffkit.web.spreadsheets.importing import ImportStopped, commit_import, plan_import
    from reoffkit.web.tracker.models import ColumnMapping, Service
    from reoffkit.web.tracker.permissions import has_permission, services_of
    from reoffkit.web.spreadsheets.uploads import read_upload

    call_command("migrate", interactive=False, verbosity=0)
    service = Service.objects.filter(name=arguments.service).first()
    if service is None:
        names = ", ".join(Service.objects.values_list("name", flat=True)) or "none yet"
        print(f"no service named {arguments.service!r}; the services are: {names}", file=sys.stderr)
        return EXIT_BAD_INPUT
    user = get_user_model().objects.filter(username=arguments.by, is_active=True).first()
    if user is None or not has_permission(user, "import") or not services_of(user).filter(pk=service.pk).exists():
        print(f"{arguments.by!r} is not an active performance officer of {service.name}: only they may import into it", file=sys.stderr)
        return EXIT_BAD_INPUT
    started = time.perf_counter()
    mapping = None
    if arguments.mapping:
        record = ColumnMapping.objects.filter(service=service).first()
        if record is None:
            print(f"{service.name} has no saved column mapping: map the layout on the import page first", file=sys.stderr)
            return EXIT_BAD_INPUT
        mapping = record.mapping
    case_file = read_upload(arguments.casefile, mapping)
    if case_file.problems:
        print(format_problems(case_file.problems), file=sys.stderr)
    plan = plan_import(service, case_file, full=arguments.full)
    if not plan.ok:
        print(f"{arguments.casefile}: nothing was imported. Correct the errors above and run again.", file=sys.stderr)
        return EXIT_BAD_INPUT
    print(f"{arguments.casefile} into {service.name}: {plan.summary()}")
    removals = [change for change in plan.changes if change.kind.startswith("removed")]
    for change in removals:  # every removal is listed, whatever --show says
        print(f"  {change.kind}: {change.person_id} — {change.detail}")
    for change in [change for change in plan.changes if not change.kind.startswith("removed")][: arguments.show]:
        print(f"  {change.kind}: {change.person_id} — {change.detail}")
    if len(plan.changes) - len(removals) > arguments.show:
        print(f"  … and {len(plan.changes) - len(removals) - arguments.show} more")
    if plan.not_in_file.get("children"):
        print(f"{plan.not_in_file['children']} children of {service.name} are not in the file; they are left as they are.")
    if arguments.dry_run:
        print("Dry run: nothing was changed.")
        return 0

    def progress(done: int, total: int) -> None:
        print(f"  {done:,} of {total:,} changes made ({time.perf_counter() - started:.0f} s)", flush=True)

    via = f"command line (os user {os_user()})"
    try:
        counts = commit_import(plan, by=user, progress=progress, via=via)
    except ImportStopped as stopped:
        print(
            f"{arguments.casefile}: the import stopped after {stopped.done:,} of {stopped.total:,} changes ({type(stopped.cause).__name__}); "
            "they are kept and audited. Run the same import again to make the rest (nothing is made twice).",
            file=sys.stderr,
        )
        return 1
    print(f"Imported in {time.perf_counter() - started:.1f} s: {sum(counts.values()):,} changes; audited as {user.username} via {via}.")
    return 0


def os_user() -> str:
    """The operating-system account running the command (by its user id, which an environment
    variable cannot change; the name as the system knows it)."""
    try:
        import pwd

        return pwd.getpwuid(os.getuid()).pw_name
    except (ImportError, KeyError):
        return getpass.getuser()
