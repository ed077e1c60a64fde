"""``reoffkit disproportionality``: each ethnic group at every stage against the 10–17 population and
White children — tables, charts, findings and a summary."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

from reoffkit.cli.common import EXIT_BAD_INPUT, counting_rules, jsonable, load_services, period_arguments, positive, rule_arguments, write_outputs
from reoffkit.engine import Period
from reoffkit.engine.codes import ETHNICITY_SCHEMES


def add_parser(commands) -> None:
    parser = commands.add_parser(
        "disproportionality",
        help="ethnic disproportionality at every stage against the 10-17 population: tables, charts, findings and a summary",
    )
    period_arguments(parser)
    parser.add_argument("--out", type=Path, required=True, help="folder to write tables/, charts/, findings.md and summary.json to")
    parser.add_argument(
        "--population", type=Path, default=None,
        help="children aged 10-17 by ethnic group: a tidy CSV/.xlsx or the 2021 Census download (default: the figures shipped with reoffkit)",
    )
    parser.add_argument(
        "--area", action="append", default=None,
        help="an area of the population table, by code or name; repeat to add several authorities up (needed when the table has several)",
    )
    parser.add_argument("--service", action="append", default=None, help="a service of the case file; repeat for a partnership (default: all)")
    parser.add_argument("--scheme", choices=list(ETHNICITY_SCHEMES), default=None, help="how ethnicity was recorded (default: the scheme most children have)")
    parser.add_argument("--trend", type=positive, default=4, help="periods of the same length to show the trend over, this one included (default 4)")
    parser.add_argument("--pies", action="store_true", help="also draw the population and the children entering the cohort as pies")
    parser.add_argument(
        "--shared", action="store_true",
        help="for sharing outside the service: withhold counts under 5 and the cells that would give them away",
    )
    rule_arguments(parser)
    parser.set_defaults(handler=run)


def _population(arguments: argparse.Namespace):
    """The population table and areas chosen, or the problems that stop them."""
    from reoffkit.casefile import CaseFileError, Problem
    from reoffkit.reference.population import shipped_population
    from reoffkit.web.spreadsheets.uploads import read_population_upload

    try:
        table = read_population_upload(arguments.population, name=arguments.population.name) if arguments.population else shipped_population()
    except CaseFileError as error:
        return None, None, list(error.problems)
    areas = arguments.area
    if not areas:
        if len(table.areas) == 1:
            areas = [table.areas[0].code or table.areas[0].name]
        else:
            listed = "; ".join(area.label for area in table.areas)
            return None, None, [Problem(table.sheet, None, "area", None, f"--area naming the service's area (the table has: {listed})")]
    try:
        table.rows_of(areas)
    except CaseFileError as error:
        return None, None, list(error.problems)
    return table, areas, []


def run(arguments: argparse.Namespace) -> int:
    from reoffkit.casefile import format_problems
    from reoffkit.charts.disproportionality import charts as draw
    from reoffkit.reports.disproportionality import disproportionality_report, for_sharing

    table, areas, problems = _population(arguments)
    source = arguments.population or "the shipped population figures"
    if problems:
        print(f"{source}:\n{format_problems(problems)}", file=sys.stderr)
    loaded = load_services(arguments)
    if loaded is None or problems:
        print("Nothing was computed. Correct the problems above and run again.", file=sys.stderr)
        return EXIT_BAD_INPUT
    case_file, people, services = loaded
    rules = counting_rules(arguments)
    period = Period.parse(arguments.period, arguments.quarters, arguments.method)
    as_at = arguments.as_at or dt.date.today()
    population = table.population(areas)
    report = disproportionality_report(
        people, case_file.outcomes, population, areas=services, period=period, as_at=as_at, rules=rules,
        assessments=case_file.assessments, scheme=arguments.scheme, trend_periods=arguments.trend,
    )
    shortfalls = table.shortfalls(areas, report.result)
    if shortfalls:
        print(f"{source}:\n{format_problems(shortfalls)}\nNothing was written: the population cannot be smaller than the children counted.", file=sys.stderr)
        return EXIT_BAD_INPUT
    if arguments.shared:
        report = for_sharing(report)
    charts = draw(report, pies=arguments.pies)
    out = arguments.out
    write_outputs(out, report.tables, charts)
    heading = f"Ethnic disproportionality: {', '.join(services)}, {period.label}"
    lines = [
        f"# {heading}",
        "",
        f"As at {as_at:%-d %B %Y}. Ethnicity: {report.result.scheme_label}. Population: {population.label}."
        + (" Shared: counts under 5 and the cells that would reveal them are withheld." if report.shared else ""),
        "",
        *(f"- {note}" for note in report.result.notes),
        "",
        "## Findings",
        "",
        *(f"- {finding.text}" for finding in report.findings()),
        "",
    ]
    (out / "findings.md").write_text("\n".join(lines), encoding="utf-8")
    summary = {**report.summary(), "tables": sorted(report.tables), "charts": {chart.name: chart.title for chart in charts}}
    (out / "summary.json").write_text(json.dumps(summary, indent=2, default=jsonable), encoding="utf-8")
    print(heading)
    print(f"Ethnicity: {report.result.scheme_label}. Population: {population.label}.")
    for finding in report.findings():
        if finding.kind in ("over", "under", "too_few_stage", "completeness"):
            print(f"- {finding.text}")
    print(f"Wrote {len(report.tables)} tables, {len(charts)} charts (SVG and PNG), findings.md and summary.json to {out}")
    return 0
