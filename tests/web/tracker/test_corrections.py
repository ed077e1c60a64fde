"""Correcting records (issue: every record can be corrected through audited actions) and no lost
updates (a save from a stale form is refused with both values shown), on a real database."""

from __future__ import annotations

import html

import pytest
from django.urls import reverse
from web_helpers import TODAY, days_ago

from reoffkit.web.tracker import actions, queries
from reoffkit.web.tracker.models import Assessment, AuditEvent, Outcome, ResettlementRecord, ReviewAction


def text(response) -> str:
    return html.unescape(response.content.decode())


def url(world, name, *extra, person=None):
    return reverse(name, args=[world.northmoor.pk, (person or world.ned).pk, *extra])


def dated(name: str, day) -> dict:
    """A date as the GOV.UK date input posts it: day, month and year fields."""
    return {f"{name}-day": str(day.day), f"{name}-month": str(day.month), f"{name}-year": str(day.year)}


def fine_of(world) -> Outcome:
    return world.ned.outcomes.get(outcome_type="fine")


def offence_post(outcome: Outcome, **changes) -> dict:
    data = {
        "outcome_type": outcome.outcome_type,
        **dated("offence_date", outcome.offence_date),
        **dated("outcome_date", outcome.outcome_date),
        "offence_type": outcome.offence_type,
        "gravity": outcome.gravity or "",
        **dated("recorded_on", outcome.recorded_on),
        "version": outcome.version,
    }
    data.update(changes)
    return data


def counted(world) -> int:
    return queries.person_record(world.ned, as_at=TODAY).entries[0]["further_offences"]


# 13.1: correct every record -----------------------------------------------------------------------


def test_editing_an_offence_changes_the_figures_and_audits_old_and_new_values(world):
    fine = fine_of(world)
    assert counted(world) == 1
    # moved to before the index date: no longer a further offence
    response = world.client("pat").post(url(world, "edit-offence", fine.pk), offence_post(fine, **dated("offence_date", days_ago(70)), gravity="4"))
    assert response.status_code == 302, text(response)
    fine.refresh_from_db()
    assert fine.offence_date == days_ago(70) and fine.gravity == 4 and fine.version == 2
    assert counted(world) == 0
    event = AuditEvent.objects.filter(verb="update", object_type="outcome").latest("id")
    assert event.object_ids == [str(fine.pk)]
    assert event.changes["offence_date"] == [days_ago(40).isoformat(), days_ago(70).isoformat()]
    assert event.changes["gravity"] == [2, 4]


def test_deleting_an_offence_needs_a_reason_and_the_audit_keeps_what_was_there(world):
    fine = fine_of(world)
    client = world.client("pat")
    response = client.post(url(world, "delete-offence", fine.pk), {"reason": "", "version": fine.version})
    assert response.status_code == 200 and "Enter why it is being deleted." in text(response)
    assert Outcome.objects.filter(pk=fine.pk).exists()
    response = client.post(url(world, "delete-offence", fine.pk), {"reason": "Entered for the wrong child", "version": fine.version})
    assert response.status_code == 302
    assert not Outcome.objects.filter(pk=fine.pk).exists()
    assert counted(world) == 0
    event = AuditEvent.objects.filter(verb="delete", object_type="outcome").latest("id")
    assert event.purpose == "Entered for the wrong child"
    assert event.changes["outcome_type"] == ["fine", None]
    assert event.changes["offence_date"] == [days_ago(40).isoformat(), None]
    assert "Ned" not in event.summary


def test_a_deleted_offence_leaves_the_alerts_and_the_export_at_once(world):
    """The report cache follows every write: the cohort page (cached rows) loses the early
    reoffending alert as soon as the offence is deleted."""
    client = world.client("pat")
    assert "Early reoffending" in text(client.get(reverse("alerts", args=[world.northmoor.pk])))
    actions.delete_outcome(by=world.users["pat"], outcome=fine_of(world), reason="Entered twice")
    page = text(client.get(reverse("alerts", args=[world.northmoor.pk])))
    assert "Ned Testchild" not in page.split("Early reoffending")[1].split("</section>")[0]


def test_editing_and_deleting_an_assessment(world):
    assessment = actions.add_assessment(
        by=world.users["pat"], person=world.ned, assessment_date=days_ago(58), tool="asset", score=20, likelihood_band="medium", intervention_level="standard"
    )
    client = world.client("pat")
    post = {**dated("assessment_date", days_ago(58)), "tool": "asset", "score": "30", "likelihood_band": "high", "intervention_level": "enhanced", "version": 1}
    assert client.post(url(world, "edit-assessment", assessment.pk), post).status_code == 302
    assessment.refresh_from_db()
    assert (assessment.likelihood_band, assessment.intervention_level, assessment.version) == ("high", "enhanced", 2)
    event = AuditEvent.objects.filter(verb="update", object_type="assessment").latest("id")
    assert event.changes["likelihood_band"] == ["medium", "high"] and event.changes["score"] == ["20.0", "30"]
    assert client.post(url(world, "delete-assessment", assessment.pk), {"reason": "Wrong child's assessment", "version": 2}).status_code == 302
    assert not Assessment.objects.filter(pk=assessment.pk).exists()
    assert AuditEvent.objects.filter(verb="delete", object_type="assessment").latest("id").changes["likelihood_band"] == ["high", None]


def test_editing_a_review_action(world):
    action = world.ned_action
    client = world.client("pat")
    post = {
        **dated("raised_on", action.raised_on), "trigger": "further_offence", "action": "re_assessment", "status": "pending",
        "owner": world.users["mandy"].pk, **dated("due_on", days_ago(-10)), "notes": "Moved to Mandy", "version": action.version,
    }
    response = client.post(url(world, "edit-action", action.pk), post)
    assert response.status_code == 302, text(response)
    action.refresh_from_db()
    assert (action.action, action.status, action.owner, action.due_on) == ("re_assessment", "pending", world.users["mandy"], days_ago(-10))
    event = AuditEvent.objects.filter(verb="update", object_type="review_action").latest("id")
    assert event.changes["owner"] == [world.users["pat"].pk, world.users["mandy"].pk] and event.changes["status"] == ["required", "pending"]


def test_editing_a_childs_details_and_caseworker_audits_without_names(world):
    ned = world.ned
    client = world.client("pat")
    page = text(client.get(url(world, "edit-person")))
    assert 'name="date_of_birth-day"' in page and "Caseworker" in page
    post = {
        "local_id": "N001", "pnc_id": "", "first_name": "Edward", "last_name": "Testchild", **dated("date_of_birth", ned.date_of_birth),
        "sex": "male", "ethnicity": "White", "ethnicity_scheme": ned.ethnicity_scheme, "ethnicity_detail": "",
        "district": ned.district_id, "caseworker": world.users["pat"].pk, "yot_caseload": "on", "version": ned.version,
    }
    response = client.post(url(world, "edit-person"), post)
    assert response.status_code == 302, text(response)
    ned.refresh_from_db()
    assert ned.first_name == "Edward" and ned.caseworker == world.users["pat"]
    event = AuditEvent.objects.filter(verb="update", object_type="young_person").latest("id")
    assert event.changes["caseworker"] == [None, world.users["pat"].pk]
    assert "Edward" not in str(event.changes) and "Ned" not in str(event.changes)


def test_a_caseworker_must_be_case_staff_of_the_service(world):
    from django.core.exceptions import ValidationError

    for outsider in ("olly", "bea"):
        with pytest.raises(ValidationError):
            actions.update_young_person(by=world.users["mandy"], person=world.ned, caseworker=world.users[outsider])


def test_the_duplicate_check_links_to_a_control_that_exists(world):
    post = {
        "local_id": "N001", "first_name": "Ned", "last_name": "Testchild", **dated("date_of_birth", world.ned.date_of_birth), "sex": "male",
        "ethnicity": "White", "outcome_type": "youth_caution", **dated("offence_date", days_ago(10)), **dated("outcome_date", days_ago(5)),
    }
    client = world.client("pat")
    page = text(client.post(reverse("add-member", args=[world.northmoor.pk]), post))
    link = url(world, "edit-person")
    assert f'href="{link}"' in page
    assert client.get(link).status_code == 200


def test_corrections_need_the_record_permission_and_stay_in_the_service(world):
    fine = fine_of(world)
    assert world.client("bea").get(url(world, "edit-offence", fine.pk)).status_code == 403
    assert world.client("olly").get(url(world, "edit-offence", fine.pk)).status_code == 404
    other = reverse("edit-offence", args=[world.northmoor.pk, world.nia.pk, fine.pk])
    assert world.client("pat").get(other).status_code == 404


# 12.3: no lost updates ------------------------------------------------------------------------------


def test_two_browsers_editing_an_offence_the_second_save_is_refused_showing_both_values(world):
    fine = fine_of(world)
    first, second = world.client("pat"), world.client("mandy")
    # both open the form (version 1)
    assert 'value="1"' in text(first.get(url(world, "edit-offence", fine.pk)))
    second.get(url(world, "edit-offence", fine.pk))
    assert first.post(url(world, "edit-offence", fine.pk), offence_post(fine, gravity="5")).status_code == 302
    response = second.post(url(world, "edit-offence", fine.pk), offence_post(fine, gravity="3"))
    page = text(response)
    assert response.status_code == 200
    assert "Someone else changed this record" in page
    assert "Gravity: yours 3, now 5" in page
    fine.refresh_from_db()
    assert fine.gravity == 5
    # saving again from the refreshed form is a deliberate choice and goes through
    assert 'name="version" value="2"' in page
    assert second.post(url(world, "edit-offence", fine.pk), offence_post(fine, gravity="3", version=2)).status_code == 302
    fine.refresh_from_db()
    assert fine.gravity == 3 and fine.version == 3


def test_two_browsers_editing_settings(world):
    settings_url = reverse("settings", args=[world.northmoor.pk])
    mandy = world.client("mandy")
    second_manager = actions.create_staff_user(by="test", username="max", password="x" * 20, role="manager", services=[world.northmoor])
    from django.test import Client

    other = Client()
    other.force_login(second_manager)
    page = text(mandy.get(settings_url))
    assert 'name="version" value="1"' in page
    base = {name: getattr(world.northmoor, name) for name in actions.SETTINGS_FIELDS if not isinstance(getattr(world.northmoor, name), bool)}
    assert mandy.post(settings_url, {**base, "include_breaches": "on", "version": 1}).status_code == 302
    response = other.post(settings_url, {**base, "action_days": 20, "version": 1})
    page = text(response)
    assert response.status_code == 400 and "Someone else changed this record" in page
    assert "Count breaches as further offences: yours no, now yes" in page
    world.northmoor.refresh_from_db()
    assert world.northmoor.include_breaches and world.northmoor.action_days == 14


def test_two_browsers_editing_a_childs_details(world):
    ned = world.ned
    actions.update_young_person(by=world.users["mandy"], person=ned, expected_version=1, pnc_id="12/345678A")
    with pytest.raises(actions.StaleEdit) as stale:
        actions.update_young_person(by=world.users["pat"], person=ned, expected_version=1, pnc_id="99/999999Z")
    assert stale.value.conflicts == [("pnc_id", "PNC ID", "99/999999Z", "12/345678A")]
    ned.refresh_from_db()
    assert ned.pnc_id == "12/345678A"


def test_two_browsers_editing_resettlement(world):
    custody = actions.add_outcome(
        by=world.users["pat"], person=world.ned, outcome_type="dto", offence_date=days_ago(35), outcome_date=days_ago(30), release_date=days_ago(10)
    )
    address = url(world, "resettlement", custody.pk)
    first, second = world.client("pat"), world.client("mandy")
    assert 'name="version" value="0"' in text(first.get(address))
    fields = {name: "not known" for name in actions.RESETTLEMENT_FIELDS}
    assert first.post(address, {**fields, "accommodation_in_place": "yes", "version": 0}).status_code == 302
    page = text(second.post(address, {**fields, "accommodation_in_place": "no", "version": 0}))
    assert "Someone else changed this record" in page
    assert ResettlementRecord.objects.get(outcome=custody).accommodation_in_place == "yes"


def test_deleting_from_a_stale_page_is_refused(world):
    fine = fine_of(world)
    actions.update_outcome(by=world.users["mandy"], outcome=fine, expected_version=1, gravity=6)
    response = world.client("pat").post(url(world, "delete-offence", fine.pk), {"reason": "Entered twice", "version": 1})
    assert "Someone else changed this record" in text(response)
    assert Outcome.objects.filter(pk=fine.pk).exists()


def test_two_browsers_editing_a_review_action(world):
    action = world.ned_action
    actions.update_review_action(by=world.users["mandy"], review_action=action, expected_version=action.version, notes="Mandy's note")
    with pytest.raises(actions.StaleEdit) as stale:
        actions.update_review_action(by=world.users["pat"], review_action=action, expected_version=1, notes="Pat's note")
    assert ("notes", "Notes", "Pat's note", "Mandy's note") in stale.value.conflicts
    assert ReviewAction.objects.get(pk=action.pk).notes == "Mandy's note"


def test_every_correction_moves_the_report_cache_on(world):
    """Cached reports (performance, analysis, disproportionality) are keyed on the newest data
    change: each correction and deletion gives a new key, so no page shows the old figure."""
    services = [world.northmoor]
    keys = [queries.cache_key("performance-page", services, TODAY)]
    fine = fine_of(world)
    actions.update_outcome(by=world.users["pat"], outcome=fine, gravity=5)
    keys.append(queries.cache_key("performance-page", services, TODAY))
    actions.update_young_person(by=world.users["pat"], person=world.ned, sex="female")
    keys.append(queries.cache_key("performance-page", services, TODAY))
    actions.delete_outcome(by=world.users["pat"], outcome=fine, reason="Entered twice")
    keys.append(queries.cache_key("performance-page", services, TODAY))
    assert len(set(keys)) == 4
    # a view is not a change
    world.client("pat").get(url(world, "person"))
    assert queries.cache_key("performance-page", services, TODAY) == keys[-1]


def test_a_refused_edit_and_the_audit_page_say_a_value_in_the_same_words(world):
    """One rule puts a stored value into words: the outcome type by its label and a date in full,
    whether a refused stale edit shows it or the audit page does."""
    from reoffkit.web.accounts.administration import change_words

    fine = fine_of(world)
    actions.update_outcome(by=world.users["mandy"], outcome=fine, expected_version=1, outcome_type="referral_order", outcome_date=days_ago(20))
    with pytest.raises(actions.StaleEdit) as stale:
        actions.update_outcome(by=world.users["pat"], outcome=fine, expected_version=1, outcome_type="yro", outcome_date=days_ago(21))
    conflicts = {field: (yours, now) for field, _label, yours, now in stale.value.conflicts}
    assert conflicts["outcome_type"] == ("Youth rehabilitation order", "Referral order")
    assert conflicts["outcome_date"][1] == f"{days_ago(20):%-d %B %Y}"
    event = [e for e in AuditEvent.objects.filter(object_type="outcome", verb=AuditEvent.Verb.UPDATE).order_by("-pk") if e.object_ids == [str(fine.pk)]][0]
    audited = {label: after for label, _before, after in change_words(event, {})}
    assert audited["Outcome type"] == conflicts["outcome_type"][1]
    assert audited["Outcome date"] == conflicts["outcome_date"][1]
