"""The database reads of a warm request of each report page (its report part is kept: see
docs/adr/0020-kept-page-fragments.md), pinned so that a change that adds a read fails here; and the
checks those reads make (the user is active, their role, their services, whether their password
must change) still take effect on the very next request.

Counted with the cache of a default installation, in the database: a read of the cache is a read
too (what a warm request needs is kept in the process)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from test_page_fragments import completed_quarter
from web_helpers import PASSWORD

from reoffkit.engine.rules import quarter_label
from reoffkit.web.tracker import actions
from reoffkit.web.tracker.models import Role


def warm(client, url: str) -> tuple[str, list[str]]:
    """The page at ``url`` asked for twice (the first makes and keeps its report part): the second
    response's text and the statements it ran."""
    first = client.get(url)
    assert first.status_code == 200, first.status_code
    with CaptureQueriesContext(connection) as queries:
        second = client.get(url)
    assert second.status_code == 200, second.status_code
    return second.content.decode(), [q["sql"] for q in queries.captured_queries]


def reads_of(statements: list[str], table: str) -> int:
    return sum(f'FROM "{table}"' in s for s in statements)


def listed(statements: list[str]) -> str:
    return "\n".join(s[:160] for s in statements)


def assert_reads(statements: list[str], most: int) -> None:
    assert len(statements) <= most, f"{len(statements)} statements, at most {most}:\n{listed(statements)}"


def audit_write(statements: list[str]) -> list[str]:
    """The statements that write one audit event: the chain's lock (PostgreSQL only), its head and
    the event."""
    return [s for s in statements if "pg_advisory_xact_lock" in s or 'FROM "tracker_auditevent" WHERE seq' in s or s.startswith('INSERT INTO "tracker_auditevent"')]


def every_request_checks(statements: list[str]) -> None:
    """The session and the user, with their role and password state, are read on every request
    (sign-in and its checks are never taken from a cache), and so is the running import behind the
    banner."""
    assert reads_of(statements, "django_session") == 1, listed(statements)
    user = [s for s in statements if 'FROM "auth_user"' in s]
    assert len(user) == 1 and '"tracker_staffprofile"' in user[0] and '"accounts_passwordstate"' in user[0], listed(statements)
    assert reads_of(statements, "jobs_job") >= 1, listed(statements)


@pytest.fixture
def database_cache(db):
    """The cache as a default installation has it (a table in the database), with this process's
    copies of kept values forgotten before and after."""
    from django.core.management import call_command
    from django.test import override_settings

    from reoffkit.web.tracker import fragments

    database = {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "reoffkit_cache", "TIMEOUT": 600, "OPTIONS": {"MAX_ENTRIES": 500}}
    with override_settings(CACHES={"default": database}):
        call_command("createcachetable", verbosity=0)
        fragments.clear_local()
        yield
        fragments.clear_local()


@pytest.fixture
def pages(world, database_cache):
    from reoffkit.reference.synthetic_national import synthetic_national
    from reoffkit.web.compare import actions as compare_actions

    world.quarter = completed_quarter(world)
    data = synthetic_national(as_at=dt.date(2026, 12, 1))
    compare_actions.load_figures(by="test", data=data, title="SYNTHETIC national table", publisher="reoffkit")
    compare_actions.set_service_comparison(by=world.users["mandy"], service=world.northmoor, area_code=data.areas[0].area_code, rag_against="country:England and Wales")
    world.users["parker"] = actions.create_staff_user(by="test-setup", username="parker", password=PASSWORD, role=Role.MANAGER, services=[world.northmoor, world.eastfield])
    return world


def url(world, name: str, query: str = "") -> str:
    return reverse(name, args=[world.northmoor.pk]) + query


# ---- How many reads a warm request makes ---------------------------------------------------------------


def test_performance_page(pages):
    """The session; the user with their role and password state; their services;
    the data version; a running import."""
    for persona in ("mandy", "bea"):
        _, statements = warm(pages.client(persona), url(pages, "performance"))
        every_request_checks(statements)
        assert_reads(statements, 5)


def test_performance_page_of_a_partnership(pages):
    """As for one service: the partner is found among the user's services, read already."""
    text, statements = warm(pages.client("parker"), url(pages, "performance", f"?with={pages.eastfield.pk}"))
    assert "Eastfield" in text
    every_request_checks(statements)
    assert_reads(statements, 5)


def test_comparison_page(pages):
    """The session; the user with their role and password state; their services; the data
    version; a running import. The loads of figures and of stratum rates and the service's
    comparison setting are kept under the data version (a load of either, and a change of the
    setting, are audited writes that change it), and so is which set of figures the page shows."""
    for persona in ("mandy", "bea"):
        _, statements = warm(pages.client(persona), url(pages, "compare"))
        every_request_checks(statements)
        assert_reads(statements, 5)
        for table in ("compare_servicecomparison", "compare_arearecord", "compare_figureload", "compare_stratumrateload"):
            assert reads_of(statements, table) == 0, listed(statements)


def test_a_new_load_of_area_figures_counts_on_the_next_request(pages):
    import dataclasses

    from reoffkit.reference.areas import AreaData
    from reoffkit.reference.synthetic_national import synthetic_national
    from reoffkit.web.compare import actions as compare_actions

    client = pages.client("mandy")
    page = url(pages, "compare")
    source = "A second SYNTHETIC table, loaded after the page was kept"
    text, _ = warm(client, page)
    assert "SYNTHETIC figures" in text and source not in text
    data = synthetic_national(as_at=dt.date(2026, 12, 1))
    again = AreaData(tuple(dataclasses.replace(f, source=source) for f in data.figures), data.areas)
    compare_actions.load_figures(by="test", data=again, title="A second SYNTHETIC table", publisher="reoffkit")
    assert source in client.get(page).content.decode()


def test_disproportionality_page(pages):
    """The session; the user with their role and password state; their services; the
    data version (once: the quarters to choose from, the service's population and the report's key
    share it); a running import. The population is kept until the next write to the service."""
    for persona in ("mandy", "bea"):
        _, statements = warm(pages.client(persona), url(pages, "disproportionality"))
        every_request_checks(statements)
        assert_reads(statements, 5)
        assert reads_of(statements, "disproportionality_servicepopulation") == 0 and reads_of(statements, "disproportionality_populationfigure") == 0


def test_a_newly_chosen_population_counts_on_the_next_request(pages, tmp_path):
    from reoffkit.reference.population import read_population
    from reoffkit.web.disproportionality import actions as population_actions

    client = pages.client("mandy")
    page = url(pages, "disproportionality")
    share = "Mixed children are 16.3% of the 10–17 population"  # 2,000 of Testshire's 12,250
    text, _ = warm(client, page)
    assert "of the 10–17 population" in text and share not in text
    csv = tmp_path / "testshire.csv"
    groups = {"White": 9000, "Black": 400, "Asian": 700, "Mixed": 2000, "Other": 150}
    csv.write_text("area_code,area,ethnic_group,population_10_17,year,source\n" + "".join(f"E06000099,Testshire,{g},{n},2021,a test table\n" for g, n in groups.items()))
    table = population_actions.load_population_table(by=pages.users["percy"], table=read_population(csv), name="Testshire", file_name="testshire.csv")
    population_actions.set_service_population(by=pages.users["percy"], service=pages.northmoor, table=table, areas=["E06000099"])
    assert share in client.get(page).content.decode()


def test_analysis_page(pages):
    """The session; the user with their role and password state; their services; the data
    version (once: the quarters and the analysis's job share it); its job; a running import. For a
    role that sees children's records, the critical few are named and audited afresh (the children,
    the audit event written)."""
    query = f"?period={quarter_label(pages.quarter)}&quarters=1"
    _, statements = warm(pages.client("bea"), url(pages, "analysis", query))
    every_request_checks(statements)
    assert_reads(statements, 6)
    _, statements = warm(pages.client("mandy"), url(pages, "analysis", query))
    every_request_checks(statements)
    written = audit_write(statements)
    assert sum(s.startswith('INSERT INTO "tracker_auditevent"') for s in written) == 1, listed(statements)
    assert_reads([s for s in statements if s not in written], 7)


# ---- What is read on every request still counts on the next one ---------------------------------------


def test_a_changed_role_or_services_a_password_to_change_and_a_deactivated_account_count_on_the_next_request(pages):
    from reoffkit.web.accounts.models import PasswordState

    admin, mandy = pages.users["ada"], pages.users["mandy"]
    client = pages.client("mandy")
    page = url(pages, "disproportionality")
    warm(client, page)
    actions.update_staff_user(by=admin, user=mandy, role=Role.PRACTITIONER, services=[pages.northmoor])
    assert client.get(page).status_code == 403  # not for practitioners
    actions.update_staff_user(by=admin, user=mandy, role=Role.MANAGER, services=[pages.eastfield])
    assert client.get(page).status_code == 404  # no longer of the service
    actions.update_staff_user(by=admin, user=mandy, role=Role.MANAGER, services=[pages.northmoor])
    assert client.get(page).status_code == 200
    PasswordState.objects.filter(user=mandy).update(must_change=True)
    response = client.get(page)
    assert response.status_code == 302 and response.url == reverse("change-password")
    PasswordState.objects.filter(user=mandy).update(must_change=False)
    assert client.get(page).status_code == 200
    actions.update_staff_user(by=admin, user=mandy, role=Role.MANAGER, services=[pages.northmoor], is_active=False)
    response = client.get(page)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_the_comparisons_figure_set_is_kept_and_follows_the_services_area(pages):
    """Which set of figures the page shows unasked (the one the service is an area of) is kept
    under what it is made from: a change of the service's area counts at once."""
    from reoffkit.web.compare import actions as compare_actions
    from reoffkit.web.compare.models import AreaRecord

    client = pages.client("mandy")
    page = url(pages, "compare")
    text, _ = warm(client, page)
    assert "SYNTHETIC figures" in text
    published = AreaRecord.objects.filter(load__synthetic=False, area_name="Leicester").first()
    compare_actions.set_service_comparison(by=pages.users["mandy"], service=pages.northmoor, area_code=published.area_code, rag_against="country:England and Wales")
    text = client.get(page).content.decode()
    assert "SYNTHETIC figures" not in text and "Leicester" in text


def test_the_data_version_is_read_once_a_request_and_afresh_after_a_write_that_changes_data(world):
    from reoffkit.reference.synthetic_national import synthetic_national, synthetic_stratum_rates
    from reoffkit.web.compare.actions import load_figures, load_stratum_rates
    from reoffkit.web.tracker.queries import data_version, one_data_version

    with one_data_version():
        with CaptureQueriesContext(connection) as queries:
            first = data_version([world.northmoor])
            assert data_version([world.northmoor]) == first and data_version([world.eastfield]) != first
        assert len(queries.captured_queries) == 2  # one for each set of services
        actions.record_list_view(by=world.users["pat"], service=world.northmoor, object_ids=[world.ned.pk], summary="Viewed a list")
        assert data_version([world.northmoor]) == first  # a view changes no data
        actions.update_service_settings(by=world.users["mandy"], service=world.northmoor, action_days=15)
        assert data_version([world.northmoor]) > first
        version = data_version([world.northmoor])
        load_stratum_rates(by=world.users["percy"], rates=synthetic_stratum_rates(), title="National rates by stratum (a test)")
        assert data_version([world.northmoor]) > version  # a load of national figures changes every service's version
        version = data_version([world.eastfield])
        load_figures(by=world.users["percy"], data=synthetic_national(as_at=dt.date(2026, 12, 1)), title="SYNTHETIC national table")
        assert data_version([world.eastfield]) > version
    with CaptureQueriesContext(connection) as queries:  # outside a request: read each time
        data_version([world.northmoor]), data_version([world.northmoor])
    assert len(queries.captured_queries) == 2


def test_a_release_that_adds_a_migration_never_reads_what_an_older_one_kept(world, monkeypatch):
    """A migration may add data without an audit event (the national figures shipped with a
    release): the keys of kept values name the release's migrations, so the new release's processes
    never take what the old one's kept in the shared cache under the same data version."""
    from reoffkit.web.tracker import queries

    before = queries.cache_key("performance-page", [world.northmoor])
    names = queries.migration_names()
    assert "compare/0002_shipped_figures" in names
    monkeypatch.setattr(queries, "migration_names", lambda: (*names, "compare/0099_newer_shipped_figures"))
    queries.release_digest.cache_clear()
    try:
        assert queries.cache_key("performance-page", [world.northmoor]) != before
    finally:
        monkeypatch.undo()
        queries.release_digest.cache_clear()
    assert queries.cache_key("performance-page", [world.northmoor]) == before


def test_a_release_that_changes_how_a_page_is_made_never_reads_what_an_older_one_kept(world, monkeypatch, tmp_path):
    """A release may change what a page withholds or how it is drawn without any migration (a
    template, the suppression of a table): the keys of kept values name every file of the release,
    so its processes never serve a page an older release made and kept in the shared cache."""
    import shutil

    import reoffkit
    from reoffkit.web.tracker import queries

    before = queries.cache_key("compare", [world.northmoor])
    copy = tmp_path / "reoffkit"
    shutil.copytree(Path(reoffkit.__file__).parent, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(queries, "release_root", lambda: copy)
    queries.release_digest.cache_clear()
    try:
        assert queries.cache_key("compare", [world.northmoor]) == before  # the same files: the same keys
        template = copy / "web" / "compare" / "templates" / "compare" / "report.html"
        template.write_text(template.read_text(encoding="utf-8") + "\n", encoding="utf-8")
        queries.release_digest.cache_clear()
        assert queries.cache_key("compare", [world.northmoor]) != before
    finally:
        monkeypatch.undo()
        queries.release_digest.cache_clear()
