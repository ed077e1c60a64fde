"""The report part of the performance, analysis, disproportionality and national comparison pages is
rendered once and kept (reoffkit.web.tracker.fragments): never with a CSRF token, never given to a
role that sees something else, made again when the data change, and the per-request parts (the
analysis's named critical few, forms) stay fresh."""

from __future__ import annotations

import datetime as dt
import html

import pytest
from django.core.cache import cache
from django.urls import reverse
from web_helpers import TODAY, add_quarter, days_ago

from reoffkit.engine.rules import quarter_label, quarter_of, quarter_start
from reoffkit.web.tracker import actions, fragments
from reoffkit.web.tracker.models import AuditEvent

HEADINGS = "area,area_type,cohort_basis,period_start,period_end,cohort_size,reoffenders,reoffences,binary_rate,reoffences_per_reoffender,source"


def kept_fragments() -> dict[str, object]:
    """The fragments this process keeps (each is in the shared cache too), by key."""
    with fragments._LOCAL_LOCK:
        return {key: value for key, (_, value) in fragments._LOCAL.items() if key.startswith("fragment:")}


def html_of(value) -> str:
    return value["html"] if isinstance(value, dict) else str(value)


def page(world, persona: str, name: str, query: str = "") -> str:
    response = world.client(persona).get(reverse(name, args=[world.northmoor.pk]) + query)
    assert response.status_code == 200, response.status_code
    return html.unescape(response.content.decode())


def completed_quarter(world) -> int:
    """A quarter two years back (complete): 12 children, 6 of whom reoffend once; the first of
    them prolific on standard intervention (one of the analysis's critical few)."""
    key = quarter_of(TODAY) - 9
    add_quarter(world, key, 12, 6, prefix="A")
    person = world.northmoor.young_people.get(local_id="A00")
    start = quarter_start(key)
    for number in range(5):
        actions.add_outcome(by=world.users["pat"], person=person, outcome_type="fine",
                            offence_date=start + dt.timedelta(days=40 + number), outcome_date=start + dt.timedelta(days=60 + number))
    actions.add_assessment(by=world.users["pat"], person=person, assessment_date=start, tool="assetplus", score=30, likelihood_band="medium", intervention_level="standard")
    return key


# ---- Never a CSRF token -------------------------------------------------------------------------------


def test_a_fragment_holding_a_csrf_token_is_refused_and_not_stored(kept_cache):
    key = fragments.key("performance", role="manager", version="v1")
    form = '<form method="post"><input type="hidden" name="csrfmiddlewaretoken" value="abc"></form>'
    with pytest.raises(fragments.KeptCsrfToken):
        fragments.kept(key, lambda: form)
    assert cache.get(key) is None and key not in kept_fragments()
    assert fragments.kept(key, lambda: "<p>figures</p>") == "<p>figures</p>" and cache.get(key) == "<p>figures</p>"


def test_no_page_keeps_a_csrf_token_though_each_page_has_forms(world, kept_cache):
    from reoffkit.reference.synthetic_national import synthetic_national
    from reoffkit.web.compare import actions as compare_actions

    key = completed_quarter(world)
    data = synthetic_national(as_at=dt.date(2026, 12, 1))
    compare_actions.load_figures(by="test", data=data, title="SYNTHETIC national table", publisher="reoffkit")
    compare_actions.set_service_comparison(by=world.users["mandy"], service=world.northmoor, area_code=data.areas[0].area_code, rag_against="country:England and Wales")
    pages = [("performance", ""), ("analysis", f"?period={quarter_label(key)}&quarters=1"), ("disproportionality", ""), ("compare", "?figures=synthetic")]
    for persona in ("pat", "mandy", "percy", "bea"):
        for name, query in pages:
            if persona == "pat" and name == "disproportionality":
                continue  # a practitioner may not open it
            text = page(world, persona, name, query)
            assert "csrfmiddlewaretoken" in text, (persona, name)  # the page has a form (its own, or sign-out)
    kept = kept_fragments()
    assert {key.split(":")[2] for key in kept} == {"performance", "analysis", "disproportionality", "compare"}
    for key, value in kept.items():
        assert "csrfmiddlewaretoken" not in html_of(value), key


# ---- Roles see their own -----------------------------------------------------------------------------


def test_two_roles_that_see_different_things_get_different_fragments(world, kept_cache):
    key = completed_quarter(world)
    query = f"?period={quarter_label(key)}&quarters=1"
    # a practitioner and a manager see the same figures, but only the manager may open the
    # reference figures page, the disproportionality page and add actions to the plan
    practitioner, manager = page(world, "pat", "performance"), page(world, "mandy", "performance")
    assert "performance officers load newer ones" in practitioner and "performance officers load newer ones" not in manager
    assert reverse("reference") in manager and reverse("reference") not in practitioner.split('id="live"')[1]
    practitioner, manager = page(world, "pat", "analysis", query), page(world, "mandy", "analysis", query)
    link = reverse("disproportionality", args=[world.northmoor.pk])
    assert f'href="{link}"' in manager and f'href="{link}"' not in practitioner
    assert "Add an action from this finding" in manager and "Add an action from this finding" not in practitioner
    # a board viewer: aggregates only, no named child
    board = page(world, "bea", "analysis", query)
    assert "Aggregates only" in board and "The critical few" not in board and "KidA0" not in board
    kept = kept_fragments()
    analysis = {key.split(":")[3]: html_of(value) for key, value in kept.items() if key.split(":")[2] == "analysis"}
    assert set(analysis) == {"practitioner", "manager", "board"}
    assert len(set(analysis.values())) == 3
    assert "rk-slot:critical-few" in analysis["manager"] and "rk-slot:critical-few" not in analysis["board"]
    assert all("KidA0" not in text for text in analysis.values())  # named children are never kept
    assert not any(isinstance(v, dict) and v.get("few") for k, v in kept.items() if ":board:" in k)


# ---- Kept, and made again when the data change ----------------------------------------------------------


def test_a_warm_page_renders_its_report_part_once(world, kept_cache, monkeypatch):
    from reoffkit.web.analysis import views as analysis_views
    from reoffkit.web.disproportionality import views as disproportionality_views
    from reoffkit.web.performance import views as performance_views

    key = completed_quarter(world)
    query = f"?period={quarter_label(key)}&quarters=1"
    for module, name, q in ((performance_views, "performance", ""), (analysis_views, "analysis", query), (disproportionality_views, "disproportionality", "")):
        rendered = []
        original = module._report_part
        monkeypatch.setattr(module, "_report_part", lambda *a, original=original, rendered=rendered, **k: rendered.append(1) or original(*a, **k))
        first = page(world, "mandy", name, q)
        fragments.clear_local()  # another web process: the shared cache has it
        second = page(world, "mandy", name, q)
        assert len(rendered) == 1, name
        assert first.split("</h1>")[1].split("<footer")[0].count("<svg") == second.split("</h1>")[1].split("<footer")[0].count("<svg") > 0


def test_the_analysis_shows_a_new_record_a_correction_and_a_settings_change(world, kept_cache):
    key = completed_quarter(world)
    query = f"?period={quarter_label(key)}&quarters=1"
    assert "Cohort " + quarter_label(key) + ": 12 children, 6 reoffended, 11 further offences" in page(world, "mandy", "analysis", query)
    # a new record
    add_quarter(world, key, 1, 1, prefix="B")
    assert "13 children, 7 reoffended, 12 further offences" in page(world, "mandy", "analysis", query)
    # a correction: one further offence was in fact committed after the follow-up
    person = world.northmoor.young_people.get(local_id="B00")
    outcome = person.outcomes.order_by("-offence_date").first()
    actions.update_outcome(by=world.users["pat"], outcome=outcome, offence_date=quarter_start(key) + dt.timedelta(days=500), outcome_date=quarter_start(key) + dt.timedelta(days=510))
    assert "13 children, 6 reoffended, 11 further offences" in page(world, "mandy", "analysis", query)
    # a settings change shown in the report part
    actions.update_service_settings(by=world.users["mandy"], service=world.northmoor, police_check_green=97)
    assert "Police check: green at 97%" in page(world, "mandy", "analysis", query)


def test_the_critical_few_are_named_afresh_and_audited_on_every_request(world, kept_cache):
    key = completed_quarter(world)
    query = f"?period={quarter_label(key)}&quarters=1"
    viewed = AuditEvent.objects.filter(summary__startswith="Viewed the analysis's critical few")
    assert "KidA0 Quartermember" in page(world, "mandy", "analysis", query) and viewed.count() == 1
    assert "KidA0 Quartermember" in page(world, "mandy", "analysis", query) and viewed.count() == 2


def live_size(text: str, quarter: int) -> str:
    """The "Children" cell of ``quarter``'s row of the page's live binary-rate table."""
    row = text.split(f'<th scope="row" class="govuk-table__header">{quarter_label(quarter)}<br>')[1].split("</tr>")[0]
    return row.split('<td class="govuk-table__cell govuk-table__cell--numeric">')[2].split("<")[0]


def test_the_performance_page_shows_a_new_record_and_a_new_load_of_reference_figures(world, kept_cache):
    from reoffkit.engine.rules import quarter_end
    from reoffkit.reference import parse_reference_csv

    quarter = quarter_of(TODAY) - 1
    add_quarter(world, quarter, 7, 0, prefix="P")
    before = page(world, "percy", "performance")
    assert "No official figures for Northmoor are loaded" in before
    size = int(live_size(before, quarter))
    add_quarter(world, quarter, 3, 0, prefix="R")
    assert int(live_size(page(world, "percy", "performance"), quarter)) == size + 3
    figures = parse_reference_csv(f"{HEADINGS}\nNorthmoor,local_authority,quarter,{quarter_start(quarter)},{quarter_end(quarter)},9,3,5,,,a test publication\n")
    actions.load_reference_figures(by=world.users["percy"], figures=figures, file_name="official.csv")
    after = page(world, "percy", "performance")
    assert "a test publication" in after and "No official figures" not in after
