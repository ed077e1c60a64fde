"""A child's page and its forms, on a real database: what it shows, who may open it, what each form
saves, and that bad input saves nothing."""

from __future__ import annotations

import datetime as dt
import html

import pytest
from django.urls import reverse
from web_helpers import PASSWORD, TODAY, days_ago

from reoffkit.engine import add_months
from reoffkit.web.tracker import actions
from reoffkit.web.tracker.models import (
    Assessment,
    AuditEvent,
    Outcome,
    ReviewAction,
    Role,
)


def person_url(world, person=None, name="person", *extra):
    person = person or world.ned
    return reverse(name, args=[world.northmoor.pk, person.pk, *extra])


def text(response) -> str:
    return html.unescape(response.content.decode())


def iso(day: dt.date) -> str:
    return day.isoformat()


# The page ---------------------------------------------------------------------------------------


def test_page_shows_the_child_entry_follow_up_further_offence_and_alerts(world):
    response = world.client("pat").get(person_url(world))
    assert response.status_code == 200
    page = text(response)
    for shown in ("Ned Testchild", "N001", "Riverside", "Referral order", "Fine", "age 14"):
        assert shown in page, shown
    index_date = days_ago(60)
    days_left = (add_months(index_date, 12) - TODAY).days
    assert f"{days_left} days left" in page
    assert "Further offence – counted" in page  # the fine 40 days ago
    assert "Entered cohort" in page
    assert "Early reoffending" in page and "Action overdue" in page
    assert "Action required – not completed" in page and "govuk-tag--red" in page
    assert " style=" not in page and "<script>" not in page


def test_every_view_of_the_record_is_audited(world):
    before = AuditEvent.objects.filter(verb="view").count()
    world.client("pat").get(person_url(world))
    event = AuditEvent.objects.filter(verb="view").latest("id")
    assert AuditEvent.objects.filter(verb="view").count() == before + 1
    assert (event.username, event.object_type, event.object_ids, event.service) == ("pat", "young_person", [str(world.ned.pk)], world.northmoor)
    assert "Ned" not in event.summary and "Testchild" not in event.summary


def test_board_viewer_is_refused_and_other_services_are_not_found(world):
    assert world.client("bea").get(person_url(world)).status_code == 403
    assert world.client("olly").get(person_url(world)).status_code == 404
    assert world.client("mandy").get(person_url(world, world.eve)).status_code == 404
    assert world.client("olly").get(reverse("person", args=[world.eastfield.pk, world.eve.pk])).status_code == 200
    assert not AuditEvent.objects.filter(verb="view", username__in=["bea", "olly", "mandy"]).exclude(object_ids=[str(world.eve.pk)]).exists()


def test_links_to_the_add_pages(world):
    page = text(world.client("percy").get(person_url(world)))
    for name in ("add-offence", "add-assessment", "add-action"):
        assert f'href="{person_url(world, None, name)}"' in page
    assert "Add a further offence" in page


def test_turning_18_in_follow_up_and_ended_follow_up_are_shown(world):
    pat = world.users["pat"]
    nearly_18 = add_months(TODAY, -12 * 18 + 4)  # 18 in four months' time
    ola, _ = actions.add_cohort_member(
        by=pat,
        service=world.northmoor,
        new_person=dict(local_id="N003", first_name="Ola", last_name="Testchild", date_of_birth=nearly_18, sex="female", ethnicity="Black"),
        index_outcome=dict(outcome_type="youth_caution", offence_date=days_ago(30), outcome_date=days_ago(20)),
    )
    page = text(world.client("pat").get(person_url(world, ola)))
    assert f"Turns 18 on {add_months(nearly_18, 12 * 18):%-d %B %Y} — check adult offending with the police" in page

    old, _ = actions.add_cohort_member(
        by=pat,
        service=world.northmoor,
        new_person=dict(local_id="N004", first_name="Oli", last_name="Testchild", date_of_birth=days_ago(16 * 365), sex="male", ethnicity="White"),
        index_outcome=dict(outcome_type="youth_caution", offence_date=days_ago(500), outcome_date=days_ago(450)),
    )
    page = text(world.client("pat").get(person_url(world, old)))
    assert "follow-up ended" in page and "days left" not in page


# Recording a further offence ---------------------------------------------------------------------


def offence(**changes) -> dict:
    data = {"outcome_type": "youth_conditional_caution", "offence_date": iso(days_ago(12)), "outcome_date": iso(days_ago(3)), "gravity": "3", "offence_type": "Theft"}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_recording_a_proven_offence(world):
    client = world.client("pat")
    response = client.post(person_url(world, None, "add-offence"), offence())
    assert response.status_code == 302 and response["Location"] == person_url(world)
    saved = Outcome.objects.latest("id")
    assert (saved.person, saved.outcome_type, saved.outcome_date, saved.gravity, saved.recorded_on) == (world.ned, "youth_conditional_caution", days_ago(3), 3, TODAY)
    assert AuditEvent.objects.filter(verb="create", object_type="outcome", object_ids=[str(saved.pk)], username="pat").exists()
    page = text(client.get(response["Location"]))
    assert "Offence recorded" in page and "Youth conditional caution" in page


def test_a_charged_offence_is_saved_without_an_outcome_date(world):
    response = world.client("pat").post(person_url(world, None, "add-offence"), offence(outcome_type="charged", outcome_date=None))
    assert response.status_code == 302
    saved = Outcome.objects.latest("id")
    assert (saved.outcome_type, saved.outcome_date) == ("charged", None)
    page = text(world.client("pat").get(person_url(world)))
    assert "Not yet proven" in page and "Charged (not yet proven)" in page


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (offence(offence_date=iso(TODAY + dt.timedelta(days=1)), outcome_date=None, outcome_type="charged"), "offence_date", "The date cannot be in the future."),
        (offence(outcome_date=iso(days_ago(20))), "outcome_date", "The outcome date must be the same as or after the offence date."),
        (offence(outcome_date=None), "outcome_date", "Enter the date the offence was dealt with."),
        (offence(release_date=iso(days_ago(1))), "release_date", "Only a custodial sentence has a release date."),
        (offence(outcome_type="charged"), "outcome_date", "A charged or admitted offence has no outcome date until it is proven."),
        (offence(gravity="9"), "gravity", "Enter a gravity from 1 to 8."),
        (offence(outcome_type=None), "outcome_type", "Choose the outcome."),
        (offence(offence_date="31/02/2024"), "offence_date", "Enter a real date"),
    ],
    ids=["future", "outcome-before-offence", "proven-without-outcome-date", "release-not-custody", "charged-with-outcome-date", "gravity", "no-outcome", "not-a-date"],
)
def test_bad_offences_show_errors_and_save_nothing(world, data, field, message):
    client = world.client("pat")  # signing in is audited too
    before = (Outcome.objects.count(), AuditEvent.objects.count())
    response = client.post(person_url(world, None, "add-offence"), data)
    assert response.status_code == 200
    page = text(response)
    assert "There is a problem" in page and message in page
    assert f'href="#id_{field}"' in page and "govuk-form-group--error" in page
    assert (Outcome.objects.count(), AuditEvent.objects.count()) == before


def test_outcome_types_are_grouped_by_tier(world):
    page = text(world.client("pat").get(person_url(world, None, "add-offence")))
    assert '<optgroup label="Not yet proven">' in page and '<optgroup label="Custody">' in page
    assert "Detention and training order" in page and "Community resolution" in page


# Assessments and actions -------------------------------------------------------------------------


def test_recording_an_assessment(world):
    data = {"assessment_date": iso(days_ago(7)), "tool": "assetplus", "score": "61.5", "likelihood_band": "high", "intervention_level": "intensive"}
    response = world.client("pat").post(person_url(world, None, "add-assessment"), data)
    assert response.status_code == 302
    saved = Assessment.objects.get(person=world.ned)
    assert (saved.tool, float(saved.score), saved.intervention_level) == ("assetplus", 61.5, "intensive")
    assert "YOGRS 61.5%" in text(world.client("pat").get(person_url(world)))


def test_an_assessment_score_out_of_range_is_refused(world):
    data = {"assessment_date": iso(days_ago(7)), "tool": "asset", "score": "70", "likelihood_band": "high", "intervention_level": "intensive"}
    response = world.client("pat").post(person_url(world, None, "add-assessment"), data)
    assert response.status_code == 200
    assert "An Asset score is between 0 and 64." in text(response) and 'href="#id_score"' in text(response)
    assert not Assessment.objects.exists()


def test_adding_a_review_action(world):
    client = world.client("pat")
    form_page = text(client.get(person_url(world, None, "add-action")))
    assert f'name="raised_on-day" type="text" inputmode="numeric" value="{TODAY.day}"' in form_page  # raised on: today
    assert f'name="raised_on-year" type="text" inputmode="numeric" value="{TODAY.year}"' in form_page
    assert ">olly<" not in form_page and ">bea<" not in form_page  # owners: this service's case staff only
    data = {"raised_on": iso(TODAY), "trigger": "changed_circumstances", "action": "re_assessment", "status": "pending", "owner": str(world.users["mandy"].pk), "due_on": iso(TODAY + dt.timedelta(days=14)), "notes": "Moved school"}
    response = client.post(person_url(world, None, "add-action"), data)
    assert response.status_code == 302
    saved = ReviewAction.objects.latest("id")
    assert (saved.action, saved.status, saved.owner, saved.raised_by, saved.notes) == ("re_assessment", "pending", world.users["mandy"], world.users["pat"], "Moved school")


def test_an_action_owned_by_another_service_or_badly_dated_is_refused(world):
    before = ReviewAction.objects.count()
    base = {"raised_on": iso(TODAY), "trigger": "periodic_review", "action": "review", "status": "required"}
    for data, message in [
        ({**base, "owner": str(world.users["olly"].pk)}, "Select a valid choice"),
        ({**base, "due_on": iso(days_ago(3))}, "The due date must be the same as or after the date raised."),
        ({**base, "status": "completed"}, "Enter the date the action was completed."),
    ]:
        response = world.client("pat").post(person_url(world, None, "add-action"), data)
        assert response.status_code == 200 and message in text(response)
    assert ReviewAction.objects.count() == before


# Changing an action's status ----------------------------------------------------------------------


def status_url(world):
    return person_url(world, None, "change-status", world.ned_action.pk)


def test_marking_an_action_completed_turns_it_green(world):
    client = world.client("pat")
    response = client.post(status_url(world), {"status": "completed", "completed_on": iso(TODAY), "version": "1"})
    assert response.status_code == 302 and response["Location"] == person_url(world)
    world.ned_action.refresh_from_db()
    assert (world.ned_action.status, world.ned_action.completed_on, world.ned_action.version) == ("completed", TODAY, 2)
    page = text(client.get(person_url(world)))
    assert "Action marked as completed" in page
    assert "govuk-tag--green" in page and "Completed" in page
    assert "Action overdue" not in page


def test_the_page_links_to_the_status_change_and_the_form_shows_the_action(world):
    assert f'href="{status_url(world)}"' in text(world.client("pat").get(person_url(world)))
    page = text(world.client("pat").get(status_url(world)))
    assert "Action required – not completed" in page and 'name="version" value="1"' in page and f'name="completed_on-day" type="text" inputmode="numeric" value="{TODAY.day}"' in page


def test_a_status_change_without_a_notes_box_keeps_the_notes(world):
    actions.change_action_status(by=world.users["pat"], action=world.ned_action, status="pending", expected_version=1, notes="Seen at home")
    response = world.client("pat").post(status_url(world), {"status": "completed", "completed_on": iso(TODAY), "version": "2"})
    assert response.status_code == 302
    world.ned_action.refresh_from_db()
    assert (world.ned_action.status, world.ned_action.notes) == ("completed", "Seen at home")


def test_an_error_without_a_notes_box_still_shows_the_notes(world):
    actions.change_action_status(by=world.users["pat"], action=world.ned_action, status="pending", expected_version=1, notes="Seen at home")
    response = world.client("pat").post(status_url(world), {"status": "completed", "completed_on": "", "version": "2"})
    assert response.status_code == 200 and "Enter the date the action was completed." in text(response)
    assert "Seen at home</textarea>" in text(response)


def test_a_stale_status_change_is_shown_not_saved(world):
    actions.change_action_status(by=world.users["mandy"], action=world.ned_action, status="pending", expected_version=1)
    response = world.client("pat").post(status_url(world), {"status": "completed", "completed_on": iso(TODAY), "version": "1", "notes": ""})
    assert response.status_code == 200
    page = text(response)
    assert "There is a problem" in page and "changed by someone else" in page and "Pending" in page
    world.ned_action.refresh_from_db()
    assert (world.ned_action.status, world.ned_action.version) == ("pending", 2)
    assert 'name="version" value="2"' in page  # a second save is now a deliberate choice


def test_completed_needs_a_date_not_in_the_future(world):
    for completed_on, message in [("", "Enter the date the action was completed."), (iso(TODAY + dt.timedelta(days=2)), "The date cannot be in the future.")]:
        response = world.client("pat").post(status_url(world), {"status": "completed", "completed_on": completed_on, "version": "1"})
        assert response.status_code == 200 and message in text(response)
    world.ned_action.refresh_from_db()
    assert world.ned_action.status == "required"


def test_only_the_raiser_owner_or_a_manager_may_change_an_action(world):
    pia = actions.create_staff_user(by="test-setup", username="pia", password=PASSWORD, role=Role.PRACTITIONER, services=[world.northmoor])
    world.users["pia"] = pia
    assert world.client("pia").get(status_url(world)).status_code == 403
    assert world.client("pia").post(status_url(world), {"status": "completed", "completed_on": iso(TODAY), "version": "1"}).status_code == 403
    assert status_url(world) not in text(world.client("pia").get(person_url(world)))
    world.ned_action.refresh_from_db()
    assert world.ned_action.status == "required"
    response = world.client("mandy").post(status_url(world), {"status": "pending", "completed_on": "", "version": "1"})
    assert response.status_code == 302
    world.ned_action.refresh_from_db()
    assert world.ned_action.status == "pending"
    assert world.client("olly").post(status_url(world), {"status": "completed", "version": "2"}).status_code == 404
