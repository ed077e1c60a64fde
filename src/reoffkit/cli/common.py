"""What several commands share: argument types, the case file and its services, written outputs."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

import polars as pl

from reoffkit.cells import write_csv
from reoffkit.engine import CountingRules, Period
from reoffkit.engine.rules import METHODS

EXIT_BAD_INPUT = 2


def date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2018-06-30") from None


def period(text: str) -> str:
    try:
        Period.parse(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return text


def positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of quarters (1 or more)")
    return value


def period_arguments(parser: argparse.ArgumentParser) -> None:
    """The case file and the cohort period to count."""
    parser.add_argument("casefile", type=Path, help="an .xlsx case file or a folder of CSV files")
    parser.add_argument("--period", required=True, type=period, help="first calendar quarter, e.g. 2016Q4")
    parser.add_argument("--quarters", type=positive, default=1, help="number of consecutive quarters (default 1)")
    parser.add_argument(
        "--method",
        choices=METHODS,
        default="aggregated_quarters",
        help="aggregated_quarters (one entry per child per quarter, the method since Oct 2017) or "
        "annual_12m_old_method (one entry per child per period)",
    )
    parser.add_argument("--as-at", type=date, default=None, help="count only what was known by this date (default: today)")


def rule_arguments(parser: argparse.ArgumentParser) -> None:
    """The counting choices a service may make for live figures (official figures make neither)."""
    parser.add_argument("--include-unproven", action="store_true", help="count charged and admitted offences too")
    parser.add_argument("--include-breaches", action="store_true", help="count breaches as further offences")


def counting_rules(arguments: argparse.Namespace) -> CountingRules:
    return CountingRules(include_unproven=arguments.include_unproven, include_breaches=arguments.include_breaches)


def jsonable(value):
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def read_valid(path: Path):
    """The case file at ``path``, every problem printed; ``None`` when it has errors."""
    from reoffkit.casefile import format_problems, read_case_file

    case_file = read_case_file(path)
    if case_file.problems:
        print(format_problems(case_file.problems), file=sys.stderr)
    if not case_file.ok:
        print(f"{path}: nothing was computed. Correct the errors above and run again.", file=sys.stderr)
        return None
    return case_file


def load_services(arguments: argparse.Namespace):
    """The case file, its people of the chosen services (all by default) and their names; ``None``
    after printing every problem when the file has errors or a service is not in it."""
    case_file = read_valid(arguments.casefile)
    if case_file is None:
        return None
    held = sorted(s for s in case_file.people["service"].unique().to_list() if s is not None)
    chosen = arguments.service
    if isinstance(chosen, str):
        chosen = [chosen]
    areas = chosen or held or [arguments.casefile.stem]
    missing = [name for name in areas if held and name not in held] or ([] if held or not chosen else areas)
    if missing:
        print(f"no service {', '.join(map(repr, missing))} in {arguments.casefile}; it holds: {', '.join(held) or 'no service names'}", file=sys.stderr)
        return None
    people = case_file.people.filter(pl.col("service").is_in(areas)) if held and chosen else case_file.people
    return case_file, people, areas


def write_outputs(out: Path, tables: dict, charts) -> None:
    """Tables as CSV under ``out/tables`` and charts as SVG and PNG under ``out/charts``."""
    (out / "tables").mkdir(parents=True, exist_ok=True)
    (out / "charts").mkdir(parents=True, exist_ok=True)
    for name, table in tables.items():
        write_csv(table, out / "tables" / f"{name}.csv")
    for chart in charts:
        (out / "charts" / f"{chart.name}.svg").write_text(chart.svg(), encoding="utf-8")
        (out / "charts" / f"{chart.name}.png").write_bytes(chart.png())
