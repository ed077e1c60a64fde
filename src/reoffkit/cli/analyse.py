"""``reoffkit analyse``: the retrospective analysis of a completed cohort."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

from reoffkit.cli.common import EXIT_BAD_INPUT, counting_rules, jsonable, load_services, period_arguments, rule_arguments, write_outputs
from reoffkit.cli.measures import BY_CHOICES
from reoffkit.engine import Period


def add_parser(commands) -> None:
    parser = commands.add_parser(
        "analyse", help="retrospective analysis of a completed cohort: the lines of enquiry, tables, charts and findings"
    )
    period_arguments(parser)
    parser.add_argument("--out", type=Path, required=True, help="folder to write tables/, charts/, findings.md and summary.json to")
    parser.add_argument("--service", action="append", default=None, help="a service of the case file; repeat for several (default: all)")
    parser.add_argument(
        "--provisional", action="store_true",
        help="analyse a cohort whose follow-up is not complete yet (its findings are provisional and will change)",
    )  # fmt: skip
    parser.add_argument("--by", choices=BY_CHOICES, default="tier", help="group for the time-to-first-offence curves (default tier)")
    rule_arguments(parser)
    parser.set_defaults(handler=run)


def run(arguments: argparse.Namespace) -> int:
    from reoffkit.reports.analysis import analysis_report

    rules = counting_rules(arguments)
    period = Period.parse(arguments.period, arguments.quarters, arguments.method)
    as_at = arguments.as_at or dt.date.today()
    complete_on = period.follow_up_complete_on(rules)
    if complete_on > as_at and not arguments.provisional:
        started = "has not ended yet" if period.end >= as_at else "has ended, but its children's 12-month follow-up (and the time for outcomes) has not"
        print(
            f"reoffkit analyse: cohort {period.label} {started}: it is complete on {complete_on:%-d %B %Y} (as at {as_at:%-d %B %Y}). "
            "Choose an earlier --period, or add --provisional to analyse it as it stands.",
            file=sys.stderr,
        )
        return EXIT_BAD_INPUT
    loaded = load_services(arguments)
    if loaded is None:
        return EXIT_BAD_INPUT
    case_file, people, areas = loaded
    report = analysis_report(
        people, case_file.outcomes, case_file.assessments, areas=areas, period=period, as_at=as_at, rules=rules, group_by=arguments.by,
        resettlement=case_file.resettlement,
    )
    tables = {f"{section.key}-{name}": table for section in report.sections for name, table in section.tables.items()}
    tables["data-quality"] = report.data_quality
    charts = [chart for section in report.sections for chart in section.charts]
    write_outputs(arguments.out, tables, charts)
    status = "complete" if report.complete else f"NOT complete: provisional until {period.follow_up_complete_on(rules):%-d %B %Y}"
    lines = [
        f"# Retrospective analysis: {', '.join(areas)}, cohort {period.label}",
        "",
        f"As at {as_at:%-d %B %Y}; follow-up {status}. {report.cohort['cohort_size']} children, "
        f"{report.cohort['reoffenders']} reoffenders, {report.cohort['reoffences']} further offences.",
        "",
    ]
    for finding in report.findings():
        lines += [f"## {finding['section']}", "", f"**{finding['finding']}.**", "", f"{finding['enquiry']}. {finding['next_step']}", ""]
    (arguments.out / "findings.md").write_text("\n".join(lines), encoding="utf-8")
    summary = {
        "areas": areas,
        "period": period.label,
        "as_at": as_at.isoformat(),
        "complete": report.complete,
        "cohort": report.cohort,
        "findings": report.findings(),
        "tables": sorted(tables),
        "charts": {chart.name: chart.title for chart in charts},
    }
    (arguments.out / "summary.json").write_text(json.dumps(summary, indent=2, default=jsonable), encoding="utf-8")
    print("\n".join(lines[:3]))
    for finding in report.findings():
        print(f"- {finding['finding']}")
    print(f"Wrote {len(tables)} tables, {len(charts)} charts (SVG and PNG), findings.md and summary.json to {arguments.out}")
    return 0
