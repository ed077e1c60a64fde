"""Work lists (a caseworker on each child, my cases and my actions as the practitioner's landing
page, a paginated and filtered cohort, a filtered meeting page) and the audit of every page that
lists named children, on a real database."""

from __future__ import annotations

import datetime as dt
import html

from django.urls import reverse
from web_helpers import TODAY, add_quarter, days_ago

from reoffkit.engine.rules import quarter_label, quarter_of
from reoffkit.web.tracker import actions
from reoffkit.web.tracker.models import AuditEvent
from reoffkit.web.tracker.views.cohort import PAGE_SIZE


def text(response) -> str:
    assert response.status_code == 200, response.status_code
    return html.unescape(response.content.decode())


def allocate(world, person, name):
    actions.update_young_person(by=world.users["mandy"], person=person, caseworker=world.users[name])
    person.refresh_from_db()


def last_view(summary: str) -> AuditEvent:
    return AuditEvent.objects.filter(verb="view", summary__startswith=summary).latest("id")


def test_a_practitioner_lands_on_my_cases_and_my_actions(world):
    allocate(world, world.ned, "pat")
    client = world.client("pat")
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response.url == reverse("my-work", args=[world.northmoor.pk])
    page = text(client.get(response.url))
    cases = page.split('id="my-cases"')[1]
    assert "Ned Testchild" in cases and "Nia Testchild" not in cases
    assert "Early reoffending" in cases
    mine = page.split('id="my-actions"')[1].split('id="my-cases"')[0]
    assert "Ned Testchild" in mine and "Overdue" in mine and "Change status" in mine
    event = last_view("Viewed my cases and my actions")
    assert event.object_ids == [str(world.ned.pk)] and "Ned" not in event.summary
    # a manager still lands on the cohort; Mandy's own list is empty
    assert world.client("mandy").get(reverse("home")).url == reverse("cohort", args=[world.northmoor.pk])
    empty = text(world.client("mandy").get(reverse("my-work", args=[world.northmoor.pk])))
    assert "No child has you as caseworker yet." in empty and "You own no action" in empty


def test_the_cohort_filters_by_caseworker_and_rag_on_the_server(world):
    allocate(world, world.nia, "mandy")
    client = world.client("pat")
    cohort = reverse("cohort", args=[world.northmoor.pk])
    mandy = world.users["mandy"].pk
    page = text(client.get(cohort, {"caseworker": mandy}))
    assert "Nia Testchild" in page and "Ned Testchild" not in page
    page = text(client.get(cohort, {"caseworker": "none"}))
    assert "Ned Testchild" in page and "Nia Testchild" not in page
    page = text(client.get(cohort, {"rag": "red"}))  # Ned's action is required
    assert "Ned Testchild" in page and "Nia Testchild" not in page
    page = text(client.get(cohort, {"rag": "none"}))
    assert "Nia Testchild" in page and "Ned Testchild" not in page
    page = text(client.get(cohort, {"rag": "red", "district": "Hilltop"}))
    assert "Ned Testchild" not in page


def test_the_cohort_is_paginated_and_each_page_is_audited_with_the_children_shown(world):
    add_quarter(world, quarter_of(TODAY) - 1, PAGE_SIZE + 3, 0, prefix="P")
    client = world.client("pat")
    cohort = reverse("cohort", args=[world.northmoor.pk])
    total = PAGE_SIZE + 3 + 2
    first = text(client.get(cohort, {"sort": "name", "dir": "asc"}))
    assert f"Showing 1 to {PAGE_SIZE} of {total} matching" in first
    assert first.count('href="/services/') and 'aria-label="Page 2"' in first
    assert "page=2" in first and "sort=name" in first.split('aria-label="Page 2"')[0].rsplit("href=", 1)[1]
    first_ids = last_view("Viewed the cohort list").object_ids
    assert len(first_ids) == PAGE_SIZE
    second = text(client.get(cohort, {"sort": "name", "dir": "asc", "page": 2}))
    assert f"Showing {PAGE_SIZE + 1} to {total} of {total} matching" in second
    second_ids = last_view("Viewed the cohort list").object_ids
    assert len(second_ids) == 5 and not set(first_ids) & set(second_ids)
    assert "Ned Testchild" in second or "Ned Testchild" in first


def test_alerts_page_is_audited_with_the_children_shown(world):
    text(world.client("pat").get(reverse("alerts", args=[world.northmoor.pk])))
    assert last_view("Viewed the alert list").object_ids == [str(world.ned.pk)]


def test_the_meeting_page_filters_by_caseworker_alert_and_rag_and_shows_only_the_chosen_sections(world):
    allocate(world, world.ned, "pat")
    ending_child, _ = actions.add_cohort_member(
        by=world.users["pat"], service=world.northmoor,
        new_person=dict(local_id="N003", first_name="Nell", last_name="Ending", date_of_birth=days_ago(15 * 365), sex="female", ethnicity="White"),
        index_outcome=dict(outcome_type="youth_caution", offence_date=days_ago(370), outcome_date=days_ago(360)),
    )
    client = world.client("mandy")
    meeting = reverse("meeting", args=[world.northmoor.pk])
    everything = text(client.get(meeting))
    assert "Ned Testchild" in everything and "Nell Ending" in everything
    pats = text(client.get(meeting, {"caseworker": world.users["pat"].pk}))
    assert "Ned Testchild" in pats and "Nell Ending" not in pats and "Only children matching: Caseworker: pat" in pats
    unallocated = text(client.get(meeting, {"caseworker": "none"}))
    assert "Nell Ending" in unallocated and "Ned Testchild" not in unallocated
    early = text(client.get(meeting, {"alert": "early_reoffending"}))
    assert "Ned Testchild" in early and "Nell Ending" not in early
    green = text(client.get(meeting, {"rag": "green"}))
    assert "Ned Testchild" not in green
    only_actions = text(client.get(meeting, {"show": "actions"}))
    assert 'id="actions"' in only_actions and 'id="alerts"' not in only_actions and 'id="ending"' not in only_actions
    assert last_view("Viewed the review meeting page").object_ids == [str(world.ned.pk)]
    text(client.get(meeting, {"show": "ending"}))
    assert last_view("Viewed the review meeting page").object_ids == [str(ending_child.pk)]


def test_the_analysis_named_critical_few_are_audited(world):
    key = quarter_of(TODAY) - 9
    add_quarter(world, key, 12, 6, prefix="A")
    person = world.northmoor.young_people.get(local_id="A00")
    from reoffkit.engine.rules import quarter_start

    for number in range(5):
        actions.add_outcome(by=world.users["pat"], person=person, outcome_type="fine",
                            offence_date=quarter_start(key) + dt.timedelta(days=40 + number), outcome_date=quarter_start(key) + dt.timedelta(days=60 + number))
    actions.add_assessment(by=world.users["pat"], person=person, assessment_date=quarter_start(key), tool="assetplus", score=30, likelihood_band="medium", intervention_level="standard")
    page = text(world.client("mandy").get(reverse("analysis", args=[world.northmoor.pk]) + f"?period={quarter_label(key)}&quarters=1"))
    assert "The critical few: 1 case to audit" in page
    assert last_view("Viewed the analysis's critical few").object_ids == [str(person.pk)]
