"""``reoffkit reference load``: published area figures into the web application's database, kept
with their source beside every earlier load (a revised figure is a revision, never a silent
replacement); all or nothing, audited."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from reoffkit.cli.common import EXIT_BAD_INPUT, date


def add_parser(commands) -> None:
    parser = commands.add_parser("reference", help="published area figures for the national comparison: reoffkit reference load FILE")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    load = actions.add_parser("load", help="check a file of area figures and areas (.csv or .xlsx) whole and load it with its source")
    load.add_argument("file", type=Path, help="area figures and/or areas: see docs/comparison.md")
    load.add_argument("--title", required=True, help="the title of the publication the figures come from")
    load.add_argument("--publisher", default="", help="who published it")
    load.add_argument("--published", type=date, default=None, help="its publication date, e.g. 2025-04-24")
    load.add_argument("--address", default="", help="where it is published (web address)")
    load.add_argument("--by", default="command line", help="who is loading it (recorded in the audit log)")
    load.set_defaults(handler=run)


def run(arguments: argparse.Namespace) -> int:
    from reoffkit.casefile import CaseFileError, format_problems
    from reoffkit.web.server import setup_django
    from reoffkit.web.spreadsheets.uploads import read_area_upload

    setup_django()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    from reoffkit.web.compare import actions

    try:
        data = read_area_upload(arguments.file, name=arguments.file.name, known_areas=actions.all_data(synthetic=False).areas)
    except CaseFileError as error:
        print(f"{arguments.file}:\n{format_problems(error.problems)}\nNothing was loaded: the figures loaded before are unchanged.", file=sys.stderr)
        return EXIT_BAD_INPUT
    if data.synthetic:
        print(f"{arguments.file}: its sources say SYNTHETIC; synthetic figures are loaded only by the demo. Nothing was loaded.", file=sys.stderr)
        return EXIT_BAD_INPUT
    before = actions.all_data(synthetic=False)
    load = actions.load_figures(
        by=arguments.by, data=data, title=arguments.title, publisher=arguments.publisher, published=arguments.published,
        address=arguments.address, file_name=arguments.file.name,
    )
    after = actions.all_data(synthetic=False)
    revised = len(after.revisions) - len(before.revisions)
    print(f"Loaded {arguments.file.name} as load {load.pk} ({load.source_label}): {len(data.figures)} figures and {len(data.areas)} areas.")
    if revised:
        print(f"{revised} figure value(s) revise earlier loads: the newer are shown, the earlier kept (see the National figures page).")
    return 0
