"""``reoffkit board-report``: the board paper from a case file, as a Word document (and the same
content as an HTML page beside it) — the same sections as the web application's board paper."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from reoffkit.cli.common import EXIT_BAD_INPUT, counting_rules, date, load_services, period, rule_arguments


def add_parser(commands) -> None:
    parser = commands.add_parser(
        "board-report", help="the board paper (.docx and .html): headline, data summary, live cohorts, analysis, disproportionality, action plan, data quality"
    )
    parser.add_argument("casefile", type=Path, help="an .xlsx case file or a folder of CSV files")
    parser.add_argument("--out", type=Path, required=True, help="the .docx to write (the .html page is written beside it)")
    parser.add_argument("--period", type=period, default=None, help="first quarter of the four-quarter cohort (default: the latest four completed quarters)")
    parser.add_argument("--as-at", type=date, default=None, help="count only what was known by this date (default: today)")
    parser.add_argument("--service", action="append", default=None, help="a service of the case file; repeat for a partnership (default: all)")
    parser.add_argument("--reference", action="append", type=Path, default=[], help="a reference figures CSV to add to the shipped ones (repeatable)")
    parser.add_argument("--no-shipped-figures", action="store_true", help="do not use the national figures shipped with reoffkit")
    parser.add_argument("--population", type=Path, default=None, help="10-17 population by ethnic group (default: the shipped 2021 Census figures)")
    parser.add_argument("--area", action="append", default=None, help="the area(s) of the population table the services cover (by code or name)")
    parser.add_argument("--plan", type=Path, default=None, help="the action plan: an .xlsx with the columns Issue, Actions, By whom, By when")
    parser.add_argument("--synthetic", action="store_true", help="mark every page as synthetic data (the demo)")
    rule_arguments(parser)
    parser.set_defaults(handler=run)


def _figures(arguments) -> list | None:
    from reoffkit import reference
    from reoffkit.casefile import CaseFileError, format_problems

    figures = [] if arguments.no_shipped_figures else reference.default_reference()
    for path in arguments.reference:
        try:
            figures = reference.merge(figures, reference.read_reference_csv(path))
        except (CaseFileError, OSError) as error:
            problems = format_problems(error.problems) if isinstance(error, CaseFileError) else str(error)
            print(f"{path}:\n{problems}\nnothing was written. Correct the reference file and run again.", file=sys.stderr)
            return None
    return figures


def _population(arguments):
    """(population, why it is missing)."""
    from reoffkit.casefile import CaseFileError
    from reoffkit.reference.population import shipped_population
    from reoffkit.web.spreadsheets.uploads import read_population_upload

    try:
        table = read_population_upload(arguments.population, name=arguments.population.name) if arguments.population else shipped_population()
    except CaseFileError as error:
        return None, f"The population file {arguments.population} has problems: " + "; ".join(str(p) for p in error.problems)[:500] + "."
    areas = arguments.area
    if not areas:
        if len(table.areas) != 1:
            return None, "No area of the population table was named for the services (give --area with the local authority's name or code)."
        areas = [table.areas[0].code or table.areas[0].name]
    try:
        return table.population(areas), ""
    except CaseFileError as error:
        return None, "; ".join(str(p) for p in error.problems)[:500] + "."


def _plan(path: Path):
    from reoffkit.reports.board import PlanRow
    from reoffkit.web.spreadsheets.uploads import read_plan_upload

    items, problems = read_plan_upload(path, name=path.name)
    if problems:
        print(f"{path}:\n" + "\n".join(f"  {p}" for p in problems) + "\nnothing was written. Correct the action plan and run again.", file=sys.stderr)
        return None
    return [PlanRow(issue=i["issue"], actions=i["actions"], by_whom=i["by_whom"], due_on=i["due_on"]) for i in items]


def run(arguments: argparse.Namespace) -> int:
    from reoffkit.engine import Period
    from reoffkit.reports.board import board_report, to_html
    from reoffkit.reports.board_docx import to_docx

    if arguments.out.suffix.lower() != ".docx":
        print(f"--out {arguments.out}: expected a file name ending .docx", file=sys.stderr)
        return EXIT_BAD_INPUT
    figures = _figures(arguments)
    plan = _plan(arguments.plan) if arguments.plan else None
    if figures is None or (arguments.plan and plan is None):
        return EXIT_BAD_INPUT
    loaded = load_services(arguments)
    if loaded is None:
        return EXIT_BAD_INPUT
    case_file, people, areas = loaded
    population, missing = _population(arguments)
    as_at = arguments.as_at or dt.date.today()
    report = board_report(
        people, case_file.outcomes, case_file.assessments, areas=areas, as_at=as_at,
        period=Period.parse(arguments.period, 4) if arguments.period else None, rules=counting_rules(arguments), figures=figures,
        resettlement=case_file.resettlement, population=population, population_missing=missing, plan=plan, synthetic=arguments.synthetic,
        sources=[f"Case file {arguments.casefile.name}"],
    )
    arguments.out.parent.mkdir(parents=True, exist_ok=True)
    arguments.out.write_bytes(to_docx(report))
    page = arguments.out.with_suffix(".html")
    page.write_text(to_html(report), encoding="utf-8")
    print(f"{report.title}: {report.area_label}, {report.period}, data as at {as_at:%-d %B %Y}")
    for section in report.sections:
        for text in section.missing:
            print(f"- {section.title}: {text}")
    print(f"Wrote {arguments.out} and {page}")
    return 0
