"""The alert list, the printable review meeting page and the service settings, on a real database."""

from __future__ import annotations

import datetime as dt
import html

from django.urls import reverse
from web_helpers import TODAY, days_ago

from reoffkit.engine import add_months
from reoffkit.web.tracker import actions, queries
from reoffkit.web.tracker.models import AuditEvent, Service


def text(response) -> str:
    return html.unescape(response.content.decode())


def section(page: str, start_id: str, end_id: str | None = None) -> str:
    """The part of the page from the element with ``id=start_id`` to the one with ``id=end_id``."""
    start = page.index(f'id="{start_id}"')
    end = page.index(f'id="{end_id}"', start) if end_id else len(page)
    return page[start:end]


def add_child(world, local_id: str, first_name: str, *, index_on: dt.date, by: str = "pat"):
    person, _ = actions.add_cohort_member(
        by=world.users[by],
        service=world.northmoor,
        new_person=dict(local_id=local_id, first_name=first_name, last_name="Testchild", date_of_birth=index_on - dt.timedelta(days=15 * 365), sex="female", ethnicity="White"),
        index_outcome=dict(outcome_type="youth_caution", offence_date=index_on - dt.timedelta(days=5), outcome_date=index_on),
    )
    return person


# Alerts ----------------------------------------------------------------------------------------


def test_alert_list_shows_neds_alerts_with_their_reasons_and_not_another_services(world):
    # Eve (Eastfield) reoffends early too: her alert belongs to Eastfield's list only.
    actions.add_outcome(by=world.users["olly"], person=world.eve, outcome_type="fine", offence_date=days_ago(20), outcome_date=days_ago(10))
    assert any(r.alerts for r in queries.cohort_rows(world.eastfield, as_at=TODAY))
    response = world.client("pat").get(reverse("alerts", args=[world.northmoor.pk]))
    assert response.status_code == 200
    page = text(response)
    neds = [alert for row in queries.cohort_rows(world.northmoor, as_at=TODAY) if row.person == world.ned for alert in row.alerts]
    assert {a["alert"] for a in neds} >= {"early_reoffending", "overdue_action"}
    for alert in neds:
        assert alert["label"] in page and alert["reason"] in page
    assert "Ned Testchild" in page and reverse("person", args=[world.northmoor.pk, world.ned.pk]) in page
    assert "Otherchild" not in page and "E001" not in page
    assert "Nia" not in page  # no alerts
    assert " style=" not in page and "<script>" not in page


def test_alert_list_counts_each_type_and_filters_to_one(world):
    url = reverse("alerts", args=[world.northmoor.pk])
    page = text(world.client("pat").get(url))
    counts = section(page, "alert-counts")
    assert "Early reoffending" in counts and "Prolific" in counts  # every type listed, fired or not
    filtered = text(world.client("pat").get(url, {"alert": "overdue_action"}))
    assert "Action overdue" in filtered and "Ned Testchild" in filtered
    assert 'id="overdue_action"' in filtered and 'id="early_reoffending"' not in filtered and "First further offence on" not in filtered
    nothing = text(world.client("pat").get(url, {"alert": "prolific"}))
    assert "No child in follow-up has this alert." in nothing and "Ned Testchild" not in nothing


# The review meeting ----------------------------------------------------------------------------


def meeting_url(world) -> str:
    return reverse("meeting", args=[world.northmoor.pk])


def test_meeting_page_is_one_printable_page_titled_with_service_and_date(world):
    page = text(world.client("pat").get(meeting_url(world)))
    title = f"Review meeting: Northmoor, {TODAY:%-d %B %Y}"
    assert f"<title>{title}" in page and f">{title}</h1>" in page
    assert "use your browser's print command" in page
    assert " style=" not in page and "<script>" not in page
    alerts = section(page, "alerts", "actions")
    assert "Ned Testchild" in alerts and "Early reoffending" in alerts and "Nia" not in alerts


def test_a_child_with_two_entries_in_follow_up_is_one_row_with_each_alert_once(world):
    """Ned's fine is a first-tier sentence: a second cohort entry (in another quarter, or the same one)."""
    rows = [r for r in queries.cohort_rows(world.northmoor, as_at=TODAY) if r.person == world.ned]
    page = text(world.client("pat").get(meeting_url(world)))
    alerts = section(page, "alerts", "actions")
    assert alerts.count("Ned Testchild") == 1
    assert alerts.count("Action overdue") == 1  # the child's overdue action, not once per entry
    for row in rows:
        assert row.entry["quarter"] in alerts
    listed = section(text(world.client("pat").get(reverse("alerts", args=[world.northmoor.pk]))), "overdue_action")
    assert listed.count("Ned Testchild") == 1


def test_meeting_page_shows_neds_overdue_required_action_as_red(world):
    page = text(world.client("pat").get(meeting_url(world)))
    open_actions = section(page, "actions", "further")
    assert "Ned Testchild" in open_actions
    assert "govuk-tag--red" in open_actions and "Action required – not completed" in open_actions
    assert "Overdue" in open_actions and f"{days_ago(5):%-d %b %Y}" in open_actions and "pat" in open_actions


def test_completed_actions_leave_the_meeting_page_and_pending_ones_are_amber(world):
    action = actions.change_action_status(by=world.users["mandy"], action=world.ned_action, status="pending", expected_version=1)
    page = section(text(world.client("pat").get(meeting_url(world))), "actions", "further")
    assert "govuk-tag--orange" in page and "Pending" in page
    actions.change_action_status(by=world.users["mandy"], action=action, status="completed", completed_on=TODAY, expected_version=2)
    page = section(text(world.client("pat").get(meeting_url(world))), "actions", "further")
    assert "Ned Testchild" not in page and "No action is waiting to be done." in page


def test_further_offences_since_a_date_the_last_meeting_or_30_days(world):
    actions.add_outcome(
        by=world.users["pat"], person=world.nia, outcome_type="fine", offence_date=days_ago(30), outcome_date=days_ago(22), recorded_on=days_ago(20)
    )
    client = world.client("pat")
    # No meeting recorded: the last 30 days — Ned's fine (recorded today) and Nia's (20 days ago).
    default = section(text(client.get(meeting_url(world))), "further", "ending")
    assert "last 30 days" in default and "Ned Testchild" in default and "Nia Testchild" in default
    # A chosen date after Nia's offence became known leaves it out.
    chosen = section(text(client.get(meeting_url(world), {"since": days_ago(10).isoformat()})), "further", "ending")
    assert "Ned Testchild" in chosen and "Nia Testchild" not in chosen
    assert f"known since {days_ago(10):%-d %B %Y}" in chosen
    # The last meeting date is the default once recorded.
    actions.record_meeting_date(by=world.users["mandy"], service=world.northmoor, held_on=days_ago(15))
    since_meeting = section(text(client.get(meeting_url(world))), "further", "ending")
    assert "Since the last meeting" in since_meeting and "Nia Testchild" not in since_meeting and "Ned Testchild" in since_meeting
    # A date in the future is refused with a message, not a crash.
    response = client.get(meeting_url(world), {"since": (TODAY + dt.timedelta(days=3)).isoformat()})
    assert response.status_code == 200 and "The date cannot be in the future." in text(response)


def test_follow_ups_ending_within_30_days(world):
    soon = add_child(world, "N010", "Fay", index_on=add_months(TODAY, -12) + dt.timedelta(days=10))
    later = add_child(world, "N011", "Gus", index_on=add_months(TODAY, -12) + dt.timedelta(days=60))
    ending = section(text(world.client("pat").get(meeting_url(world))), "ending")
    assert "Fay Testchild" in ending and "Gus Testchild" not in ending and "Ned Testchild" not in ending
    end = [r for r in queries.cohort_rows(world.northmoor, as_at=TODAY) if r.person == soon][0].entry["follow_up_end"]
    assert f"{end:%-d %b %Y}" in ending
    assert later.pk


def test_a_manager_records_the_meeting_date_and_it_is_audited(world):
    client = world.client("mandy")
    assert 'name="held_on-day"' in text(client.get(meeting_url(world)))
    response = client.post(meeting_url(world), {"held_on": TODAY.isoformat()})
    assert response.status_code == 302
    assert Service.objects.get(pk=world.northmoor.pk).last_meeting_on == TODAY
    event = AuditEvent.objects.latest("id")
    assert (event.username, event.verb, event.service, event.summary) == ("mandy", "update", world.northmoor, "Recorded review meeting date")
    assert event.changes == {"last_meeting_on": [None, TODAY.isoformat()]}


def test_a_future_meeting_date_is_refused_and_practitioners_cannot_record_one(world):
    events = AuditEvent.objects.exclude(verb__in=["login", "view"]).count()
    response = world.client("mandy").post(meeting_url(world), {"held_on": (TODAY + dt.timedelta(days=1)).isoformat()})
    assert response.status_code == 400 and "There is a problem" in text(response) and "The date cannot be in the future." in text(response)
    assert world.client("pat").post(meeting_url(world), {"held_on": TODAY.isoformat()}).status_code == 403
    assert 'name="held_on-day"' not in text(world.client("pat").get(meeting_url(world)))
    assert Service.objects.get(pk=world.northmoor.pk).last_meeting_on is None and AuditEvent.objects.exclude(verb__in=["login", "view"]).count() == events


# Settings --------------------------------------------------------------------------------------


def settings_url(world) -> str:
    return reverse("settings", args=[world.northmoor.pk])


VALID = dict(min_age="10", max_age="17", early_months="3", early_count="2", any_time_count="3", prolific_threshold="5", action_days="14", police_check_green="95", police_check_amber="80", version="1")


def test_settings_page_explains_each_setting_and_shows_current_values(world):
    page = text(world.client("mandy").get(settings_url(world)))
    assert "always count proven offences only" in page and "never count breaches" in page
    assert 'name="early_months"' in page and 'value="3"' in page and 'name="include_unproven"' in page
    assert " style=" not in page and "<script>" not in page


def test_settings_save_through_the_action_with_an_audit_event(world):
    response = world.client("mandy").post(settings_url(world), {**VALID, "include_unproven": "on", "early_months": "4", "action_days": "7"})
    assert response.status_code == 302
    service = Service.objects.get(pk=world.northmoor.pk)
    assert (service.include_unproven, service.include_breaches, service.early_months, service.action_days) == (True, False, 4, 7)
    event = AuditEvent.objects.filter(object_type="service_settings").latest("id")
    assert event.username == "mandy" and event.service == world.northmoor
    assert event.changes == {"include_unproven": [False, True], "early_months": [3, 4], "action_days": [14, 7]}


def test_bad_settings_show_errors_and_save_nothing(world):
    client = world.client("mandy")
    cases = [
        ({"min_age": "16", "max_age": "12"}, "The oldest age must be the same as or more than the youngest age."),
        ({"early_count": "5"}, "must be less than the prolific count (5)"),
        ({"early_count": "3", "any_time_count": "2"}, "cannot be more than the count at any time (2)"),
        ({"early_months": "0"}, "Ensure this value is greater than or equal to 1."),
        ({"action_days": "many"}, "Enter a whole number."),
        ({"max_age": ""}, "This field is required."),
    ]
    for change, message in cases:
        response = client.post(settings_url(world), {**VALID, **change})
        page = text(response)
        assert response.status_code == 400, change
        assert "There is a problem" in page and message in page, change
        assert "govuk-form-group--error" in page
    service = Service.objects.get(pk=world.northmoor.pk)
    assert (service.min_age, service.max_age, service.early_count, service.early_months, service.action_days) == (10, 17, 2, 3, 14)
    assert not AuditEvent.objects.filter(object_type="service_settings").exists()


def test_a_practitioner_may_not_open_or_post_the_settings(world):
    assert world.client("pat").get(settings_url(world)).status_code == 403
    assert world.client("pat").post(settings_url(world), {**VALID, "early_months": "6"}).status_code == 403
    assert Service.objects.get(pk=world.northmoor.pk).early_months == 3


def test_changed_settings_change_the_alerts(world):
    """Lower thresholds: Ned's one early further offence now makes him potentially prolific."""
    url = reverse("alerts", args=[world.northmoor.pk])
    assert 'id="potentially_prolific"' not in text(world.client("pat").get(url))
    world.client("mandy").post(settings_url(world), {**VALID, "early_count": "1", "any_time_count": "1", "prolific_threshold": "2"})
    page = text(world.client("pat").get(url))
    assert 'id="potentially_prolific"' in page and "1 further offences within 3 months of entry" in page


def test_police_check_levels_are_settings_and_amber_cannot_exceed_green(world):
    response = world.client("mandy").post(settings_url(world), {**VALID, "police_check_green": "90", "police_check_amber": "95"})
    assert response.status_code == 400 and "The amber level must be the same as or less than the green level (90%)" in text(response)
    world.client("mandy").post(settings_url(world), {**VALID, "police_check_green": "90", "police_check_amber": "70"})
    world.northmoor.refresh_from_db()
    assert (world.northmoor.police_check_green, world.northmoor.police_check_amber) == (90, 70)


def test_sections_chosen_for_printing_leave_the_action_plan_out(world):
    """'Only what is shown is printed': with sections ticked, the page holds those sections and not
    the action plan's due items, which the full meeting page (nothing ticked) still shows."""
    chosen = text(world.client("mandy").get(meeting_url(world), {"show": "alerts"}))
    assert 'id="alerts"' in chosen and 'id="actions"' not in chosen
    assert "Action plan: overdue and due soon" not in chosen
    everything = text(world.client("mandy").get(meeting_url(world)))
    assert "Action plan: overdue and due soon" in everything


def test_a_child_alerted_on_two_entries_shows_each_entrys_further_offences(world):
    """The alerts page shows the child once with both entries; each entry's count of further
    offences is shown with its quarter, not only the newer entry's."""
    from reoffkit.engine.rules import quarter_label, quarter_of, quarter_start

    first, second = quarter_start(quarter_of(TODAY) - 2) + dt.timedelta(days=5), quarter_start(quarter_of(TODAY) - 1) + dt.timedelta(days=5)
    rory = add_child(world, "N090", "Rory", index_on=first)
    pat = world.users["pat"]
    actions.add_outcome(by=pat, person=rory, outcome_type="fine", offence_date=first + dt.timedelta(days=20), outcome_date=second)
    actions.add_outcome(by=pat, person=rory, outcome_type="youth_caution", offence_date=second + dt.timedelta(days=20), outcome_date=second + dt.timedelta(days=40))
    rows = {r.entry["quarter"]: r.entry["further_offences"] for r in queries.cohort_rows(world.northmoor, as_at=TODAY) if r.person == rory}
    older, newer = quarter_label(quarter_of(first)), quarter_label(quarter_of(second))
    assert rows == {older: 2, newer: 1}
    page = section(text(world.client("mandy").get(reverse("alerts", args=[world.northmoor.pk]))), "early_reoffending")
    row = page[page.index("Rory Testchild") : page.index("</tr>", page.index("Rory Testchild"))]
    assert f"{older}: 2" in row and f"{newer}: 1" in row
