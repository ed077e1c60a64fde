"""``reoffkit performance``: live cohorts against projected national averages."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

from reoffkit.cli.common import EXIT_BAD_INPUT, counting_rules, date, jsonable, load_services, positive, rule_arguments, write_outputs


def add_parser(commands) -> None:
    parser = commands.add_parser(
        "performance", help="in-year performance against projected national averages: tables, charts and a summary"
    )
    parser.add_argument("casefile", type=Path, help="an .xlsx case file or a folder of CSV files")
    parser.add_argument("--out", type=Path, required=True, help="folder to write tables/, charts/ and summary.json to")
    parser.add_argument("--as-at", type=date, default=None, help="count only what was known by this date (default: today)")
    parser.add_argument(
        "--service", action="append", default=None, help="a service of the case file; repeat for a partnership (default: all of them)"
    )
    parser.add_argument(
        "--reference", action="append", type=Path, default=[], help="a reference figures CSV to add to the shipped ones (repeatable)"
    )
    parser.add_argument(
        "--suppress-below", type=positive, default=None, help="blank counts from 1 to N-1 and the rates made from them (for sharing)"
    )
    rule_arguments(parser)
    parser.set_defaults(handler=run)


def run(arguments: argparse.Namespace) -> int:
    from reoffkit import reference
    from reoffkit.casefile import CaseFileError, format_problems
    from reoffkit.charts.performance import performance_charts
    from reoffkit.reports.performance import MODELLED, performance_report, suppressed_report

    figures = reference.default_reference()
    for path in arguments.reference:
        try:
            figures = reference.merge(figures, reference.read_reference_csv(path))
        except (CaseFileError, OSError) as error:
            problems = format_problems(error.problems) if isinstance(error, CaseFileError) else str(error)
            print(f"{path}:\n{problems}\nnothing was computed. Correct the reference file and run again.", file=sys.stderr)
            return EXIT_BAD_INPUT
    loaded = load_services(arguments)
    if loaded is None:
        return EXIT_BAD_INPUT
    case_file, people, areas = loaded
    as_at = arguments.as_at or dt.date.today()
    report = performance_report(
        people, case_file.outcomes, case_file.assessments, areas=areas, as_at=as_at, rules=counting_rules(arguments), figures=figures
    )
    if arguments.suppress_below:
        report = suppressed_report(report, arguments.suppress_below)
    out = arguments.out
    charts = performance_charts(report)
    write_outputs(out, report.tables(), charts.values())
    summary = {
        "areas": list(report.areas),
        "as_at": as_at.isoformat(),
        "label": MODELLED,
        "curve_basis": report.curve.basis,
        "counting": report.counting,
        "compared_with_national": report.comparable,
        "curve_from_data": report.curve.modelled_from_data,
        "suppressed_below": arguments.suppress_below,
        "findings": report.findings,
        "live": report.live.to_dicts(),
        "charts": {name: chart.title for name, chart in charts.items()},
    }
    (out / "summary.json").write_text(json.dumps(summary, indent=2, default=jsonable), encoding="utf-8")
    print(f"Performance of {report.area_label} as at {as_at:%-d %B %Y} ({MODELLED})")
    print(f"Counted by the {report.counting}" + ("" if report.comparable else " — so nothing is set against national or official figures"))
    for sentence in report.findings.values():
        print(f"- {sentence}")
    print(f"Curve: {report.curve.basis}")
    print(f"Wrote {len(report.tables())} tables, {len(charts)} charts (SVG and PNG) and summary.json to {out}")
    return 0
