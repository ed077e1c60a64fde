"""The ``reoffkit`` command line.

Exit codes: 0 success; 2 the case file or the arguments have errors (every problem is listed).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Sequence

import polars as pl

from reoffkit.engine import BREAKDOWNS, MEASURE_COLUMNS, CountingRules, Period, entry_table, measures, measures_by
from reoffkit.engine.rules import METHODS

EXIT_BAD_INPUT = 2

#: Breakdowns offered by ``--by`` (``quarter`` and ``service`` as well, for aggregates and partnerships).
BY_CHOICES: tuple[str, ...] = tuple(BREAKDOWNS)


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2018-06-30") from None


def _period(text: str) -> str:
    try:
        Period.parse(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return text


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of quarters (1 or more)")
    return value


def _cohort_arguments(parser: argparse.ArgumentParser) -> None:
    _period_arguments(parser)
    parser.add_argument("--service", default=None, help="only this service of a multi-service case file")
    _rule_arguments(parser)
    parser.add_argument("--format", choices=("table", "json", "csv"), default="table")


def _period_arguments(parser: argparse.ArgumentParser) -> None:
    """The case file and the cohort period to count."""
    parser.add_argument("casefile", type=Path, help="an .xlsx case file or a folder of CSV files")
    parser.add_argument("--period", required=True, type=_period, help="first calendar quarter, e.g. 2016Q4")
    parser.add_argument("--quarters", type=_positive, default=1, help="number of consecutive quarters (default 1)")
    parser.add_argument(
        "--method",
        choices=METHODS,
        default="aggregated_quarters",
        help="aggregated_quarters (one entry per child per quarter, the method since Oct 2017) or "
        "annual_12m_old_method (one entry per child per period)",
    )
    parser.add_argument("--as-at", type=_date, default=None, help="count only what was known by this date (default: today)")


def _rule_arguments(parser: argparse.ArgumentParser) -> None:
    """The counting choices a service may make for live figures (official figures make neither)."""
    parser.add_argument("--include-unproven", action="store_true", help="count charged and admitted offences too")
    parser.add_argument("--include-breaches", action="store_true", help="count breaches as further offences")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="reoffkit", description="Youth reoffending toolkit.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    measures_parser = commands.add_parser("measures", help="reoffending measures of a cohort period")
    _cohort_arguments(measures_parser)
    measures_parser.add_argument("--by", choices=BY_CHOICES, default=None, help="break the measures down by this field")
    measures_parser.set_defaults(handler=run_measures)

    entries_parser = commands.add_parser("entries", help="the cohort entries of a period, with their further offending")
    _cohort_arguments(entries_parser)
    entries_parser.set_defaults(handler=run_entries)

    performance_parser = commands.add_parser(
        "performance", help="in-year performance against projected national averages: tables, charts and a summary"
    )
    performance_parser.add_argument("casefile", type=Path, help="an .xlsx case file or a folder of CSV files")
    performance_parser.add_argument("--out", type=Path, required=True, help="folder to write tables/, charts/ and summary.json to")
    performance_parser.add_argument("--as-at", type=_date, default=None, help="count only what was known by this date (default: today)")
    performance_parser.add_argument(
        "--service", action="append", default=None, help="a service of the case file; repeat for a partnership (default: all of them)"
    )
    performance_parser.add_argument(
        "--reference", action="append", type=Path, default=[], help="a reference figures CSV to add to the shipped ones (repeatable)"
    )
    performance_parser.add_argument(
        "--suppress-below", type=_positive, default=None, help="blank counts from 1 to N-1 and the rates made from them (for sharing)"
    )
    _rule_arguments(performance_parser)
    performance_parser.set_defaults(handler=run_performance)

    analyse_parser = commands.add_parser(
        "analyse", help="retrospective analysis of a completed cohort: the lines of enquiry, tables, charts and findings"
    )
    _period_arguments(analyse_parser)
    analyse_parser.add_argument("--out", type=Path, required=True, help="folder to write tables/, charts/, findings.md and summary.json to")
    analyse_parser.add_argument("--service", action="append", default=None, help="a service of the case file; repeat for several (default: all)")
    analyse_parser.add_argument("--by", choices=BY_CHOICES, default="tier", help="group for the time-to-first-offence curves (default tier)")
    _rule_arguments(analyse_parser)
    analyse_parser.set_defaults(handler=run_analyse)

    import_parser = commands.add_parser(
        "import", help="import a case file into a service of the live tracker's database (all or nothing, audited)"
    )
    import_parser.add_argument("casefile", type=Path, help="an .xlsx case file, a folder of CSV files, or a .zip of them")
    import_parser.add_argument("--service", required=True, help="the service (by name) to import into")
    import_parser.add_argument("--by", required=True, help="user name of the performance officer importing (audited as them)")
    import_parser.add_argument("--mapping", action="store_true", help="the workbook is in the service's own layout: use its saved column mapping")
    import_parser.add_argument("--dry-run", action="store_true", help="list what would change and change nothing")
    import_parser.add_argument("--show", type=int, default=20, help="how many changes to list (default 20)")
    import_parser.set_defaults(handler=run_import)

    demo_parser = commands.add_parser("demo", help="the demo: a synthetic case file, its measures, and the web application on it")
    demo_parser.add_argument("--out", type=Path, default=Path("out/demo"), help="where to write the demo case file")
    demo_parser.add_argument("--data-dir", type=Path, default=Path("var/demo"), help="where the demo database lives (made afresh)")
    demo_parser.add_argument("--host", default="127.0.0.1")
    demo_parser.add_argument("--port", type=int, default=8000)
    demo_parser.add_argument("--no-serve", action="store_true", help="load the demo but do not start the web server")
    demo_parser.set_defaults(handler=run_demo)

    serve_parser = commands.add_parser("serve", help="run the web application (migrates the database first)")
    serve_parser.add_argument("--host", default="127.0.0.1")
    serve_parser.add_argument("--port", type=int, default=8000)
    serve_parser.add_argument("--threads", type=int, default=8)
    serve_parser.set_defaults(handler=run_serve)

    manage_parser = commands.add_parser("manage", help="Django management commands (e.g. createsuperuser is not used; see docs)")
    manage_parser.add_argument("arguments", nargs=argparse.REMAINDER)
    manage_parser.set_defaults(handler=run_manage)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = build_parser().parse_args(argv)
    return arguments.handler(arguments)


def _load(arguments: argparse.Namespace):
    """Read and validate the case file; print every problem. ``None`` when it has errors."""
    from reoffkit.casefile import format_problems, read_case_file

    case_file = read_case_file(arguments.casefile)
    if case_file.problems:
        print(format_problems(case_file.problems), file=sys.stderr)
    if not case_file.ok:
        print(f"{arguments.casefile}: nothing was computed. Correct the errors above and run again.", file=sys.stderr)
        return None
    people = case_file.people
    if arguments.service is not None:
        people = people.filter(pl.col("service") == arguments.service)
        if people.is_empty():
            services = sorted(s for s in case_file.people["service"].unique().to_list() if s is not None)
            print(
                f"no service {arguments.service!r} in {arguments.casefile}; it holds: {', '.join(services) or 'no service names'}",
                file=sys.stderr,
            )
            return None
    return case_file, people


def _compute(arguments: argparse.Namespace):
    loaded = _load(arguments)
    if loaded is None:
        return None
    case_file, people = loaded
    rules = CountingRules(include_unproven=arguments.include_unproven, include_breaches=arguments.include_breaches)
    period = Period.parse(arguments.period, arguments.quarters, arguments.method)
    as_at = arguments.as_at or dt.date.today()
    entries = entry_table(people, case_file.outcomes, case_file.assessments, period=period, rules=rules, as_at=as_at)
    return period, rules, as_at, entries


def _jsonable(value):
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


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
        document = {key: _jsonable(value) for key, value in overall.items()}
        if groups is not None:
            document["by"] = arguments.by
            document["groups"] = [{key: _jsonable(value) for key, value in group.items()} for group in groups]
        print(json.dumps(document, indent=2))
    elif arguments.format == "csv":
        rows = groups if groups is not None else [{"group": "all", **overall}]
        print(pl.DataFrame([{k: _jsonable(v) for k, v in row.items()} for row in rows]).write_csv(), end="")
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
        print(json.dumps([{k: _jsonable(v) for k, v in row.items()} for row in shown.iter_rows(named=True)], indent=2))
    elif arguments.format == "csv":
        print(shown.write_csv(date_format="%Y-%m-%d"), end="")
    else:
        print(render_table([list(map(_cell, row)) for row in shown.iter_rows()], list(shown.columns)))
        print(f"{shown.height} cohort entries")
    return 0


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.1f}%"


def _number(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def render_table(rows: list[list[str]], headers: list[str]) -> str:
    widths = [max(len(str(h)), *(len(r[i]) for r in rows)) if rows else len(str(h)) for i, h in enumerate(headers)]
    lines = ["  ".join(str(h).ljust(w) for h, w in zip(headers, widths))]
    lines.append("  ".join("-" * w for w in widths))
    lines.extend("  ".join(c.rjust(w) if c[:1].isdigit() or c[:1] in "–-" else c.ljust(w) for c, w in zip(r, widths)) for r in rows)
    return "\n".join(lines)


def _measure_row(label: str, m: dict) -> list[str]:
    interval = "–" if m["binary_ci_low"] is None else f"{_percent(m['binary_ci_low'])}–{_percent(m['binary_ci_high'])}"
    return [
        label,
        str(m["cohort_size"]),
        str(m["reoffenders"]),
        str(m["reoffences"]),
        _percent(m["binary_rate"]),
        interval,
        _number(m["frequency_rate"]),
        _number(m["reoffences_per_reoffender"]),
    ]


MEASURE_HEADERS = [
    "group",
    "cohort",
    "reoffenders",
    "reoffences",
    "binary rate",
    "95% interval",
    "per cohort member",
    "per reoffender",
]


def status_line(m: dict) -> str:
    if m["provisional"]:
        return (
            f"PROVISIONAL as at {m['as_at']}: {m['follow_up_months_elapsed']} of 12 months of follow-up elapsed "
            f"for the latest entrants; final on {m['follow_up_complete_on']}."
        )
    return f"Final (follow-up and waiting period complete on {m['follow_up_complete_on']}); as at {m['as_at']}."


def render_measures(period: Period, overall: dict, arguments: argparse.Namespace, groups: list[dict] | None) -> str:
    title = f"Cohort {period.label} ({period.start} to {period.end})"
    if period.method != "aggregated_quarters":
        title += f", {period.method}"
    if getattr(arguments, "service", None):
        title += f" — {arguments.service}"
    rows = [_measure_row("all", overall)]
    if groups:
        rows.extend(_measure_row(_cell(g["group"]), g) for g in groups)
    counting = ["proven offences only" if not arguments.include_unproven else "charged/admitted offences included"]
    counting.append("breaches excluded" if not arguments.include_breaches else "breaches included")
    headers = MEASURE_HEADERS[:]
    if groups:
        headers[0] = arguments.by
    return "\n".join([title, render_table(rows, headers), status_line(overall), "Counting: " + "; ".join(counting) + "."])


def _load_services(arguments: argparse.Namespace):
    """The case file, its people of the chosen services (all by default) and their names; ``None``
    after printing every problem when the file has errors or a service is not in it."""
    from reoffkit.casefile import format_problems, read_case_file

    case_file = read_case_file(arguments.casefile)
    if case_file.problems:
        print(format_problems(case_file.problems), file=sys.stderr)
    if not case_file.ok:
        print(f"{arguments.casefile}: nothing was computed. Correct the errors above and run again.", file=sys.stderr)
        return None
    held = sorted(s for s in case_file.people["service"].unique().to_list() if s is not None)
    areas = arguments.service or held or [arguments.casefile.stem]
    missing = [name for name in areas if held and name not in held] or ([] if held or not arguments.service else areas)
    if missing:
        print(f"no service {', '.join(map(repr, missing))} in {arguments.casefile}; it holds: {', '.join(held) or 'no service names'}", file=sys.stderr)
        return None
    people = case_file.people.filter(pl.col("service").is_in(areas)) if held else case_file.people
    return case_file, people, areas


def _write_outputs(out: Path, tables: dict, charts) -> None:
    (out / "tables").mkdir(parents=True, exist_ok=True)
    (out / "charts").mkdir(parents=True, exist_ok=True)
    for name, table in tables.items():
        table.write_csv(out / "tables" / f"{name}.csv")
    for chart in charts:
        (out / "charts" / f"{chart.name}.svg").write_text(chart.svg(), encoding="utf-8")
        (out / "charts" / f"{chart.name}.png").write_bytes(chart.png())


def run_analyse(arguments: argparse.Namespace) -> int:
    from reoffkit.analysis import analysis_report

    loaded = _load_services(arguments)
    if loaded is None:
        return EXIT_BAD_INPUT
    case_file, people, areas = loaded
    rules = CountingRules(include_unproven=arguments.include_unproven, include_breaches=arguments.include_breaches)
    period = Period.parse(arguments.period, arguments.quarters, arguments.method)
    as_at = arguments.as_at or dt.date.today()
    report = analysis_report(
        people, case_file.outcomes, case_file.assessments, areas=areas, period=period, as_at=as_at, rules=rules, group_by=arguments.by,
        resettlement=case_file.resettlement,
    )
    tables = {f"{section.key}-{name}": table for section in report.sections for name, table in section.tables.items()}
    tables["data-quality"] = report.data_quality
    charts = [chart for section in report.sections for chart in section.charts]
    _write_outputs(arguments.out, tables, charts)
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
    (arguments.out / "summary.json").write_text(json.dumps(summary, indent=2, default=_jsonable), encoding="utf-8")
    print("\n".join(lines[:3]))
    for finding in report.findings():
        print(f"- {finding['finding']}")
    print(f"Wrote {len(tables)} tables, {len(charts)} charts (SVG and PNG), findings.md and summary.json to {arguments.out}")
    return 0


def run_performance(arguments: argparse.Namespace) -> int:
    from reoffkit import reference
    from reoffkit.casefile import CaseFileError, format_problems
    from reoffkit.charts import performance_charts
    from reoffkit.performance import MODELLED, performance_report, suppress_small

    figures = reference.default_reference()
    for path in arguments.reference:
        try:
            figures = reference.merge(figures, reference.read_reference_csv(path))
        except (CaseFileError, OSError) as error:
            problems = format_problems(error.problems) if isinstance(error, CaseFileError) else str(error)
            print(f"{path}:\n{problems}\nnothing was computed. Correct the reference file and run again.", file=sys.stderr)
            return EXIT_BAD_INPUT
    loaded = _load_services(arguments)
    if loaded is None:
        return EXIT_BAD_INPUT
    case_file, people, areas = loaded
    rules = CountingRules(include_unproven=arguments.include_unproven, include_breaches=arguments.include_breaches)
    as_at = arguments.as_at or dt.date.today()
    report = performance_report(people, case_file.outcomes, case_file.assessments, areas=areas, as_at=as_at, rules=rules, figures=figures)
    if arguments.suppress_below:
        from dataclasses import replace

        report = replace(report, live=suppress_small(report.live, arguments.suppress_below), trend=suppress_small(report.trend, arguments.suppress_below))
    out = arguments.out
    charts = performance_charts(report)
    _write_outputs(out, report.tables(), charts.values())
    summary = {
        "areas": list(report.areas),
        "as_at": as_at.isoformat(),
        "label": MODELLED,
        "curve_basis": report.curve.basis,
        "curve_from_data": report.curve.modelled_from_data,
        "suppressed_below": arguments.suppress_below,
        "findings": report.findings,
        "live": report.live.to_dicts(),
        "charts": {name: chart.title for name, chart in charts.items()},
    }
    (out / "summary.json").write_text(json.dumps(summary, indent=2, default=_jsonable), encoding="utf-8")
    print(f"Performance of {report.area_label} as at {as_at:%-d %B %Y} ({MODELLED})")
    for sentence in report.findings.values():
        print(f"- {sentence}")
    print(f"Curve: {report.curve.basis}")
    print(f"Wrote {len(report.tables())} tables, {len(charts)} charts (SVG and PNG) and summary.json to {out}")
    return 0


def run_demo(arguments: argparse.Namespace) -> int:
    from reoffkit.demo import run_demo as demo

    return demo(
        out=arguments.out,
        data_dir=arguments.data_dir,
        as_at=dt.date.today(),
        host=arguments.host,
        port=arguments.port,
        serve=not arguments.no_serve,
    )


def setup_django() -> None:
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reoffkit.web.settings")
    django.setup()


def prepare_database_and_static() -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)


def serve(host: str, port: int, threads: int = 8) -> None:
    """Serve the application with waitress (a production WSGI server); static files by WhiteNoise."""
    from waitress import serve as waitress_serve

    from reoffkit.web.wsgi import application

    waitress_serve(application, host=host, port=port, threads=threads, ident="reoffkit")


def run_import(arguments: argparse.Namespace) -> int:
    import time

    from reoffkit.casefile import format_problems
    from reoffkit.web.tracker.uploads import read_upload

    setup_django()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    from reoffkit.web.tracker.importing import commit_import, plan_import
    from reoffkit.web.tracker.models import Service

    service = Service.objects.filter(name=arguments.service).first()
    if service is None:
        names = ", ".join(Service.objects.values_list("name", flat=True)) or "none yet"
        print(f"no service named {arguments.service!r}; the services are: {names}", file=sys.stderr)
        return EXIT_BAD_INPUT
    from django.contrib.auth import get_user_model

    from reoffkit.web.tracker.permissions import has_permission, services_of

    user = get_user_model().objects.filter(username=arguments.by, is_active=True).first()
    if user is None or not has_permission(user, "import") or not services_of(user).filter(pk=service.pk).exists():
        print(f"{arguments.by!r} is not an active performance officer of {service.name}: only they may import into it", file=sys.stderr)
        return EXIT_BAD_INPUT
    started = time.perf_counter()
    mapping = None
    if arguments.mapping:
        from reoffkit.web.tracker.models import ColumnMapping

        record = ColumnMapping.objects.filter(service=service).first()
        if record is None:
            print(f"{service.name} has no saved column mapping: map the layout on the import page first", file=sys.stderr)
            return EXIT_BAD_INPUT
        mapping = record.mapping
    case_file = read_upload(arguments.casefile, mapping)
    if case_file.problems:
        print(format_problems(case_file.problems), file=sys.stderr)
    plan = plan_import(service, case_file)
    if not plan.ok:
        print(f"{arguments.casefile}: nothing was imported. Correct the errors above and run again.", file=sys.stderr)
        return EXIT_BAD_INPUT
    print(f"{arguments.casefile} into {service.name}: {plan.summary()}")
    for change in plan.changes[: arguments.show]:
        print(f"  {change.kind}: {change.person_id} — {change.detail}")
    if len(plan.changes) > arguments.show:
        print(f"  … and {len(plan.changes) - arguments.show} more")
    if plan.not_in_file.get("children"):
        print(f"{plan.not_in_file['children']} children of {service.name} are not in the file; they are left as they are.")
    if arguments.dry_run:
        print("Dry run: nothing was changed.")
        return 0

    def progress(done: int, total: int) -> None:
        print(f"  {done:,} of {total:,} changes made ({time.perf_counter() - started:.0f} s)", flush=True)

    counts = commit_import(plan, by=user, progress=progress)
    print(f"Imported in {time.perf_counter() - started:.1f} s: {sum(counts.values()):,} changes; audited.")
    return 0


def run_serve(arguments: argparse.Namespace) -> int:
    setup_django()
    prepare_database_and_static()
    print(f"reoffkit is serving on http://{arguments.host}:{arguments.port}/", flush=True)
    serve(arguments.host, arguments.port, arguments.threads)
    return 0


def run_manage(arguments: argparse.Namespace) -> int:
    import os

    from django.core.management import execute_from_command_line

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reoffkit.web.settings")
    execute_from_command_line(["reoffkit manage", *arguments.arguments])
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
