"""``reoffkit compare``: a focus area against comparators of its choosing — funnel plots, ranks with
intervals, the expected rate, the data summary indicators — as tables, charts, findings and a summary."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

from reoffkit.cli.common import EXIT_BAD_INPUT, date, jsonable, positive, write_outputs


def add_parser(commands) -> None:
    parser = commands.add_parser(
        "compare",
        help="compare an area with its family, region, PCC area, England and Wales or named areas: funnel plots, ranks with intervals, expected rate",
    )
    parser.add_argument("--out", type=Path, required=True, help="folder to write tables/ (CSV and .xlsx), charts/, findings.md and summary.json to")
    parser.add_argument("--area", default=None, help="the focus area, by code or name (default: the case file's service, or the demo's)")
    parser.add_argument(
        "--figures", nargs="+", type=Path, default=None,
        help="area figures and areas files (.csv or .xlsx), loaded in order; later revisions are shown and earlier ones kept "
        "(default: reoffkit's SYNTHETIC national table)",
    )
    parser.add_argument("--published", action="store_true", help="use the real published figures shipped with reoffkit instead of the synthetic table")
    parser.add_argument("--case-file", type=Path, default=None, help="the service's case file: its own cohorts replace its published counts")
    parser.add_argument("--strata", type=Path, default=None, help="national rates by age, sex and disposal tier (CSV) for the expected rate")
    parser.add_argument(
        "--comparator", action="append", default=None,
        help="family, region, pcc, country:NAME or area:CODE; repeat for several (default: family, region, country:England and Wales)",
    )
    parser.add_argument("--rag-against", default=None, help="the comparator RAG is rated against (default: the first country)")
    parser.add_argument("--basis", choices=["aggregated_quarters", "quarter"], default="aggregated_quarters", help="cohort basis (default aggregated_quarters)")
    parser.add_argument("--cohorts", type=positive, default=3, help="how many of the latest cohorts to show (default 3)")
    parser.add_argument("--as-at", type=date, default=None, help="count the case file as known on this date (default: today)")
    parser.add_argument("--shared", action="store_true", help="for sharing outside the service: withhold counts under 5 and the rates made from them")
    parser.set_defaults(handler=run)


def _figures(arguments):
    """The area data (loads combined in order) or the problems that stop it."""
    from reoffkit.casefile import CaseFileError
    from reoffkit.reference.areas import combine, shipped_area_data
    from reoffkit.reference.synthetic_national import synthetic_national
    from reoffkit.web.spreadsheets.uploads import read_area_upload

    if not arguments.figures:
        return (shipped_area_data() if arguments.published else synthetic_national(as_at=arguments.as_at or dt.date.today())), []
    loads, problems = [], []
    for path in arguments.figures:
        known = tuple(area for load in loads for area in load.areas)
        try:
            loads.append(read_area_upload(path, name=path.name, known_areas=known))
        except CaseFileError as error:
            problems.append((path, error.problems))
    return (combine(*loads) if not problems else None), problems


def run(arguments: argparse.Namespace) -> int:
    from reoffkit.casefile import CaseFileError, format_problems
    from reoffkit.cells import workbook_bytes, write_csv
    from reoffkit.charts.comparison import charts as draw
    from reoffkit.reference.synthetic_national import DEMO_SERVICES, synthetic_stratum_rates
    from reoffkit.reports.comparison import DEFAULT_COMPARATORS, MODELLED, cohort_periods, comparison_report, for_sharing, labelled, service_inputs
    from reoffkit.web.spreadsheets.uploads import read_stratum_upload

    data, problems = _figures(arguments)
    for path, found in problems:
        print(f"{path}:\n{format_problems(found)}", file=sys.stderr)
    strata = None
    if arguments.strata:
        try:
            strata = read_stratum_upload(arguments.strata, name=arguments.strata.name)
        except CaseFileError as error:
            print(f"{arguments.strata}:\n{format_problems(error.problems)}", file=sys.stderr)
            problems.append((arguments.strata, error.problems))
    if problems:
        print("Nothing was written. Correct the problems above and run again.", file=sys.stderr)
        return EXIT_BAD_INPUT
    if strata is None and data.synthetic:
        strata = synthetic_stratum_rates()
    as_at = arguments.as_at or dt.date.today()
    own = expected = districts = None
    focus = arguments.area
    if arguments.case_file:
        from reoffkit.cli.common import read_valid

        case_file = read_valid(arguments.case_file)
        if case_file is None:
            return EXIT_BAD_INPUT
        services = sorted(s for s in case_file.people["service"].unique().to_list() if s)
        focus = focus or (services[0] if len(services) == 1 else None)
        if focus is None:
            print(f"--area is needed: {arguments.case_file} holds several services ({', '.join(services)})", file=sys.stderr)
            return EXIT_BAD_INPUT
        people = case_file.people.filter(case_file.people["service"] == focus) if focus in services else case_file.people
        own, expected, districts = service_inputs(
            people, case_file.outcomes, case_file.assessments, periods=cohort_periods(data, focus, arguments.basis), as_at=as_at, strata=strata,
        )
    focus = focus or (DEMO_SERVICES[0] if data.synthetic else "Leicester")
    try:
        report = comparison_report(
            data, focus, comparators=arguments.comparator or DEFAULT_COMPARATORS, rag_against=arguments.rag_against,
            basis=arguments.basis, cohorts=arguments.cohorts, own=own, expected=expected, districts=districts,
            strict=bool(arguments.comparator),  # the defaults are left out where the area has none; a comparator asked for is not
        )
    except ValueError as error:
        print(f"{error}\nNothing was written.", file=sys.stderr)
        return EXIT_BAD_INPUT
    if arguments.shared:
        report = for_sharing(report)
    charts = draw(report)
    out = arguments.out
    tables = {name: labelled(table, report) for name, table in report.tables.items()}
    write_outputs(out, tables, charts)
    for chart in charts:
        write_csv(labelled(chart.table, report), out / "charts" / f"{chart.name}.csv")
    notes = [f"National comparison: {report.focus.area_name}"]
    if report.synthetic:
        notes.append("SYNTHETIC figures: fictional areas generated by reoffkit for the demo, not published statistics.")
    if report.expected is not None:
        notes.append(f"The expected rate is {MODELLED.lower()}.")
    if report.shared:
        notes.append("Shared: counts under 5 and the rates made from them are withheld.")
    notes += [f"Source: {source}" for source in report.sources]
    (out / "tables" / "comparison.xlsx").write_bytes(workbook_bytes(tables, notes))
    heading = f"National comparison: {report.focus.area_name}" + (" (SYNTHETIC figures)" if report.synthetic else "")
    lines = [f"# {heading}", "", *(f"- {note}" for note in notes[1:]), "", "## Findings", "", *(f"- {f}" for f in report.findings), ""]
    (out / "findings.md").write_text("\n".join(lines), encoding="utf-8")
    summary = {**report.summary(), "tables": sorted(report.tables), "charts": {chart.name: chart.title for chart in charts}}
    (out / "summary.json").write_text(json.dumps(summary, indent=2, default=jsonable), encoding="utf-8")
    print(heading)
    for finding in report.findings:
        print(f"- {finding}")
    print(f"Wrote {len(tables)} tables (CSV and comparison.xlsx), {len(charts)} charts (SVG, PNG and their data), findings.md and summary.json to {out}")
    return 0
