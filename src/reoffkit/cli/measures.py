"""``reoffkit measures`` and ``reoffkit entries``: a cohort period's measures, and its entries."""

from __future__ import annotations

import argparse
import datetime as dt
import json

import polars as pl

from reoffkit.cells import write_csv
from reoffkit.cli.common import EXIT_BAD_INPUT, counting_rules, jsonable, load_services, period_arguments, rule_arguments
from reoffkit.console import MEASURE_HEADERS, cell, measure_row, render_table
from reoffkit.engine import BREAKDOWNS, MEASURE_COLUMNS, Period, entry_table, measures, measures_by

#: Breakdowns offered by ``--by`` (``quarter`` and ``service`` as well, for aggregates and partnerships).
BY_CHOICES: tuple[str, ...] = tuple(BREAKDOWNS)


def _cohort_arguments(parser: argparse.ArgumentParser) -> None:
    period_arguments(parser)
    parser.add_argument("--service", default=None, help="only this service of a multi-service case file")
    rule_arguments(parser)
    parser.add_argument("--format", choices=("table", "json", "csv"), default="table")


def add_parser(commands) -> None:
    measures_parser = commands.add_parser("measures", help="reoffending measures of a cohort period")
    _cohort_arguments(measures_parser)
    measures_parser.add_argument("--by", choices=BY_CHOICES, default=None, help="break the measures down by this field")
    measures_parser.set_defaults(handler=run_measures)

    entries_parser = commands.add_parser("entries", help="the cohort entries of a period, with their further offending")
    _cohort_arguments(entries_parser)
    entries_parser.set_defaults(handler=run_entries)


def _compute(arguments: argparse.Namespace):
    loaded = load_services(arguments)
    if loaded is None:
        return None
    case_file, people, _ = loaded
    rules = counting_rules(arguments)
    period = Period.parse(arguments.period, arguments.quarters, arguments.method)
    as_at = arguments.as_at or dt.date.today()
    entries = entry_table(people, case_file.outcomes, case_file.assessments, period=period, rules=rules, as_at=as_at)
    return period, rules, as_at, entries


def run_measures(arguments: argparse.Namespace) -> int:
    computed = _compute(arguments)
    if computed is None:
        return EXIT_BAD_INPUT
    period, rules, as_at, entries = computed
    overall = measures(entries, period=period, rules=rules, as_at=as_at).as_dict()
    groups = None
    if arguments.by:
        shared = {key: overall[key] for key in overall if key not in MEASURE_COLUMNS}
        groups = [
            {"group": row[arguments.by], **shared, **{name: row[name] for name in MEASURE_COLUMNS}}
            for row in measures_by(entries, arguments.by).iter_rows(named=True)
        ]
    if arguments.format == "json":
        document = {key: jsonable(value) for key, value in overall.items()}
        if groups is not None:
            document["by"] = arguments.by
            document["groups"] = [{key: jsonable(value) for key, value in group.items()} for group in groups]
        print(json.dumps(document, indent=2))
    elif arguments.format == "csv":
        rows = groups if groups is not None else [{"group": "all", **overall}]
        print(write_csv(pl.DataFrame([{k: jsonable(v) for k, v in row.items()} for row in rows])), end="")
    else:
        print(render_measures(period, overall, arguments, groups))
    return 0


def run_entries(arguments: argparse.Namespace) -> int:
    computed = _compute(arguments)
    if computed is None:
        return EXIT_BAD_INPUT
    _, _, _, entries = computed
    shown = entries.select(
        "person_id",
        "quarter",
        "index_date",
        "index_disposal",
        "tier",
        "age_at_index",
        "follow_up_end",
        "further_offences",
        pl.col("further_offence_dates").list.eval(pl.element().dt.strftime("%Y-%m-%d")).list.join(" "),
        "days_to_first_further_offence",
        "turns_18_in_follow_up",
        "prolific",
        "early_reoffender",
    )
    if arguments.format == "json":
        print(json.dumps([{k: jsonable(v) for k, v in row.items()} for row in shown.iter_rows(named=True)], indent=2))
    elif arguments.format == "csv":
        print(write_csv(shown, date_format="%Y-%m-%d"), end="")
    else:
        print(render_table([list(map(cell, row)) for row in shown.iter_rows()], list(shown.columns)))
        print(f"{shown.height} cohort entries")
    return 0


def status_line(m: dict) -> str:
    if m["provisional"]:
        return (
            f"PROVISIONAL as at {m['as_at']}: {m['follow_up_months_elapsed']} of 12 months of follow-up elapsed "
            f"for the latest entrants; final on {m['follow_up_complete_on']}."
        )
    return f"Final (follow-up and waiting period complete on {m['follow_up_complete_on']}); as at {m['as_at']}."


def render_measures(period: Period, overall: dict, arguments: argparse.Namespace, groups: list[dict] | None) -> str:
    title = f"Cohort {period.label}, {period.dates} ({period.start} to {period.end})"
    if period.method != "aggregated_quarters":
        title += f", {period.method}"
    if getattr(arguments, "service", None):
        title += f" — {arguments.service}"
    rows = [measure_row("all", overall)]
    if groups:
        rows.extend(measure_row(cell(g["group"]), g) for g in groups)
    counting = ["proven offences only" if not arguments.include_unproven else "charged/admitted offences included"]
    counting.append("breaches excluded" if not arguments.include_breaches else "breaches included")
    counting.append("ages 10 to 17 at entry")
    headers = MEASURE_HEADERS[:]
    if groups:
        headers[0] = arguments.by
    return "\n".join([title, render_table(rows, headers), status_line(overall), "Counting: " + "; ".join(counting) + "."])
