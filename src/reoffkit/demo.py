"""The demo: a synthetic service's case file, its cohorts' measures, and the live tracker on it.

Everything is fictional and generated afresh, anchored on today, so there are always completed
cohorts and cohorts still in follow-up. The demo's folders (``--out`` and ``--data-dir``) are made
afresh too, but only folders the demo made itself (marked with :data:`MARKER`), new ones or empty
ones: pointed at a real data folder, it refuses rather than wipe a database.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import shutil
import sys
from pathlib import Path

from reoffkit.casefile import format_problems, read_case_file, write_case_file
from reoffkit.console import MEASURE_HEADERS, measure_row, render_table
from reoffkit.engine import CountingRules, Period, entry_table, measures
from reoffkit.engine.rules import add_months, quarter_label, quarter_of
from reoffkit.synthetic import generate, services_named

SERVICE_NAME = "Northmoor Youth Justice Service"
#: The second service of the demo partnership, in the web application only (its own synthetic
#: children), so that the partnership view and the isolation of each service can be seen.
PARTNER_NAME = "Eastvale Youth Justice Service"
FIRST_NAMES = (
    "Ari", "Bailey", "Cam", "Dani", "Eli", "Frankie", "Gabe", "Harley", "Indy", "Jules", "Kai", "Lou",
    "Milo", "Nico", "Ollie", "Pip", "Quinn", "Remy", "Sol", "Tam", "Uma", "Vic", "Wren", "Zak",
)
LAST_NAMES = (
    "Ashgrove", "Brindlecombe", "Cobbleworth", "Dunhollow", "Elmsteed", "Fallowmere", "Gorsedale",
    "Hartwhistle", "Inchbarrow", "Jennerby", "Kettlewick", "Larchmont", "Mossbury", "Nettlecombe",
    "Oxenhope", "Pimbrook", "Quarrington", "Rushwick", "Sallowfield", "Thornaby", "Underhill", "Wethercote",
)
#: The demo service is fictional; its 10–17 population is a real authority's (shipped 2021 Census
#: figures), close in size to the area such a service covers.
DEMO_POPULATION_AREA = "Telford and Wrekin"
#: The roles every service of the demo has a user of (``northmoor.manager``, ``eastvale.board``, …).
SERVICE_ROLES = ("practitioner", "manager", "performance", "board")
#: Users of both services (the partnership) and of none (the administrator).
PARTNERSHIP_USERS = (("partnership.performance", "performance"), ("partnership.board", "board"), ("demo.administrator", "administrator"))
#: The file that marks a folder as the demo's own, which the next run may delete and remake.
MARKER = ".reoffkit-demo"
EXIT_REFUSED = 2


class NotADemoFolder(Exception):
    """A folder the demo would have to delete but did not make."""


def check_folder(folder: Path) -> None:
    """Raise :class:`NotADemoFolder` unless ``folder`` is new, empty, or one the demo made before
    (it holds :data:`MARKER`)."""
    if not (folder.exists() or folder.is_symlink()):
        return
    if not folder.is_dir() or folder.is_symlink():
        raise NotADemoFolder(f"{folder} is not a folder the demo made (it is a file or a link): the demo will not replace it. Choose a new or empty folder.")
    if not (folder / MARKER).is_file() and any(folder.iterdir()):
        raise NotADemoFolder(
            f"{folder} holds files and was not made by `reoffkit demo` (it has no {MARKER} file), so the demo will not delete it. "
            "Choose a new or empty folder with --data-dir and --out; if it is a demo folder from an older version, delete it yourself."
        )


def fresh_folder(folder: Path) -> None:
    """Make ``folder`` empty for the demo and mark it as the demo's: a folder the demo made before
    is deleted and made again, a new or empty one is used; any other folder, or a file, is refused
    (:func:`check_folder`)."""
    check_folder(folder)
    if (folder / MARKER).is_file():
        shutil.rmtree(folder)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / MARKER).write_text("Made by `reoffkit demo`, which deletes this folder and makes it again on every run.\n", encoding="utf-8")


def demo_name(person_id: str) -> tuple[str, str]:
    number = int("".join(ch for ch in person_id if ch.isdigit()) or 0)
    return FIRST_NAMES[number % len(FIRST_NAMES)], LAST_NAMES[(number // len(FIRST_NAMES)) % len(LAST_NAMES)]


def demo_frames(as_at: dt.date):
    """About ten quarters up to ``as_at``: completed cohorts and about five in follow-up."""
    current = quarter_of(as_at)
    return generate(
        services_named([SERVICE_NAME], seed=11),
        first_quarter=current - 12,
        quarters=13,
        children_per_quarter=42,
        as_at=as_at,
        seed=2026,
        owners=("northmoor.practitioner",),
    )


def partner_frames(as_at: dt.date):
    """The second service's own fictional children, over the same quarters, a little smaller."""
    current = quarter_of(as_at)
    return generate(
        services_named([PARTNER_NAME], seed=12),
        first_quarter=current - 12,
        quarters=13,
        children_per_quarter=30,
        as_at=as_at,
        seed=2027,
        owners=("eastvale.practitioner",),
    )


def print_measures(case_file, as_at: dt.date) -> None:
    rules = CountingRules()
    current = quarter_of(as_at)
    rows = []
    for key in range(current - 7, current + 1):
        period = Period(key)
        entries = entry_table(case_file.people, case_file.outcomes, case_file.assessments, period=period, rules=rules, as_at=as_at)
        result = measures(entries, period=period, rules=rules, as_at=as_at).as_dict()
        if not result["provisional"]:
            status = "final"
        elif result["follow_up_months_elapsed"] == rules.follow_up_months:
            status = f"provisional: awaiting outcomes to {result['follow_up_complete_on']}"
        else:
            status = f"provisional: {result['follow_up_months_elapsed']} of 12 months"
        rows.append([*measure_row(quarter_label(key), result), status])
    print(render_table(rows, ["quarter", *MEASURE_HEADERS[1:], "status"]))
    final_last = max(k for k in range(current - 12, current + 1) if Period(k).follow_up_complete_on(rules) <= as_at)
    aggregate = Period(final_last - 3, 4)
    entries = entry_table(case_file.people, case_file.outcomes, case_file.assessments, period=aggregate, rules=rules, as_at=as_at)
    result = measures(entries, period=aggregate, rules=rules, as_at=as_at).as_dict()
    print()
    print(f"The four latest final quarters added together, {aggregate.dates} ({aggregate.label}):")
    print(render_table([measure_row(aggregate.label, result)], ["period", *MEASURE_HEADERS[1:]]))


def run_demo(*, out: Path, data_dir: Path, as_at: dt.date, host: str, port: int, serve: bool) -> int:
    try:
        for folder in (out, data_dir):
            check_folder(folder)  # both, before anything is deleted or made
    except NotADemoFolder as refused:
        print(f"reoffkit demo: {refused}", file=sys.stderr)
        return EXIT_REFUSED
    for folder in (out, data_dir):
        fresh_folder(folder)
    frames = demo_frames(as_at)
    csv_folder = write_case_file(frames, out / "case-file")
    workbook = write_case_file(frames, out / "case-file.xlsx")
    case_file = read_case_file(csv_folder, today=as_at)
    if not case_file.ok:  # the generator and the reader disagree: say so rather than show numbers
        print(format_problems(case_file.problems, limit=20))
        return 1
    print(f"Demo case file (synthetic, fictional): {csv_folder}/ and {workbook}")
    print(f"{SERVICE_NAME}: measures as at {as_at} (proven offences; breaches excluded)\n")
    print_measures(case_file, as_at)
    print(f"\nTry: reoffkit measures {workbook} --period {quarter_label(quarter_of(add_months(as_at, -24)))} --quarters 4 --by age_group")
    print(f"     reoffkit performance {workbook} --out {out / 'performance'}")
    print(f"     reoffkit analyse {workbook} --period {quarter_label(quarter_of(add_months(as_at, -30)))} --quarters 4 --out {out / 'analysis'}")
    print(
        f"     reoffkit disproportionality {workbook} --period {quarter_label(quarter_of(add_months(as_at, -30)))} --quarters 4 "
        f"--area '{DEMO_POPULATION_AREA}' --out {out / 'disproportionality'}"
    )
    print(f"     reoffkit compare --case-file {workbook} --out {out / 'compare'}   # against the SYNTHETIC national table")

    partner = read_case_file(write_case_file(partner_frames(as_at), data_dir / "eastvale-case-file"), today=as_at)
    if not partner.ok:
        print(format_problems(partner.problems, limit=20))
        return 1
    services, logins = load_web_demo(data_dir=data_dir, case_files={SERVICE_NAME: case_file, PARTNER_NAME: partner})
    northmoor, eastvale = services[SERVICE_NAME], services[PARTNER_NAME]
    base = f"http://{host}:{port}"
    print(f"\nLive tracker: {base}/  (demo database: {data_dir}; services {SERVICE_NAME} and {PARTNER_NAME}, one partnership)")
    print(f"  Performance of the partnership: {base}/services/{northmoor}/performance/?with={eastvale}  (partnership.* users)")
    print(f"  Analysis: {base}/services/{northmoor}/analysis/   Disproportionality ({DEMO_POPULATION_AREA}'s 2021 Census population): {base}/services/{northmoor}/disproportionality/")
    print(f"  National comparison (against a SYNTHETIC national table): {base}/services/{northmoor}/compare/   Action plan and board paper: {base}/services/{northmoor}/action-plan/")
    print("Sign in as (passwords random, shown once; each service's users see that service only):")
    for username, (role, password) in logins.items():
        print(f"  {username:<24} {password:<14} {role}")
    if not serve:
        return 0
    from reoffkit.web.server import make_server, serve_with_worker

    print("\nPress Ctrl+C to stop.", flush=True)
    serve_with_worker(make_server(host, port))
    return 0


def load_web_demo(*, data_dir: Path, case_files: dict) -> tuple[dict[str, int], dict[str, tuple[str, str]]]:
    """A fresh SQLite database in ``data_dir`` (a folder :func:`fresh_folder` made) with one
    service per case file, a user of every role in each, partnership users of both and an
    administrator, and the case files loaded. Returns the services' ids by name and
    {user name: (what they are, password)}."""
    os.environ["REOFFKIT_ENV"] = "demo"
    # One key for the web server and its worker process (pseudonymised IDs are keyed on it).
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    os.environ["REOFFKIT_DATA_DIR"] = str(data_dir.resolve())
    os.environ.setdefault("REOFFKIT_HTTPS", "false")
    os.environ.pop("DATABASE_URL", None)
    from reoffkit.web.server import prepare_database_and_static, setup_django

    setup_django()
    prepare_database_and_static()
    return populate(case_files)


def populate(case_files: dict) -> tuple[dict[str, int], dict[str, tuple[str, str]]]:
    """The demo's services, users and records in the database Django is set up with."""
    from reoffkit.web.disproportionality.actions import set_service_population
    from reoffkit.web.disproportionality.models import PopulationTable
    from reoffkit.web.spreadsheets.loading import load_case_frames
    from reoffkit.web.tracker import actions

    logins: dict[str, tuple[str, str]] = {}

    def user(username: str, role: str, services: list, what: str):
        password = secrets.token_urlsafe(9)
        made = actions.create_staff_user(by="demo", username=username, password=password, role=role, services=services)
        logins[username] = (what, password)
        return made

    services = {name: actions.create_service(by="demo", name=name) for name in case_files}
    staff = {}
    for name, service in services.items():
        short = name.split()[0]
        for role in SERVICE_ROLES:
            staff[name, role] = user(f"{short.lower()}.{role}", role, [service], f"{role}, {short} only")
    for username, role in PARTNERSHIP_USERS:
        shared = [] if role == "administrator" else list(services.values())
        user(username, role, shared, "administrator (users and services; no child's record)" if not shared else f"{role}, both services")
    population = PopulationTable.objects.get(shipped=True)
    for name, case_file in case_files.items():
        service = services[name]
        load_case_frames(
            by=staff[name, "manager"], service=service, frames=case_file.frames(), name_for=demo_name,
            owner_for=lambda owner, practitioner=staff[name, "practitioner"]: practitioner,
        )  # fmt: skip
        set_service_population(by=staff[name, "performance"], service=service, table=population, areas=[DEMO_POPULATION_AREA])
    from reoffkit.reference.synthetic_national import synthetic_national
    from reoffkit.web.compare.actions import load_figures

    load_figures(
        by="demo", data=synthetic_national(as_at=dt.date.today()), title="SYNTHETIC national table generated by reoffkit for the demo",
        publisher="reoffkit (fictional areas and figures)",
    )
    return {name: service.pk for name, service in services.items()}, logins
