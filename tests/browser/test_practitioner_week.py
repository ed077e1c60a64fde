"""A practitioner's week in a real browser: sign in to my cases, record an offence, correct it,
act on an action, see the meeting page filtered to their cases; then the filtered cohort exported.
Screenshots of each changed page are written for a person to look at."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from browser_helpers import fill_date, screenshot, sign_in

from reoffkit.web.tracker import actions
from reoffkit.web.tracker.models import AuditEvent, Outcome, Role

PASSWORD = "a-long-browser-test-password"
TODAY = dt.date.today()


def ago(days: int) -> dt.date:
    return TODAY - dt.timedelta(days=days)


@pytest.fixture
def week(transactional_db):
    northmoor = actions.create_service(by="browser-test", name="Northmoor", districts=["Riverside", "Hilltop"])
    users = {
        name: actions.create_staff_user(by="browser-test", username=name, password=PASSWORD, role=role, services=[northmoor], first_name=first, last_name="Worker")
        for name, role, first in (("pat", Role.PRACTITIONER, "Pat"), ("mandy", Role.MANAGER, "Mandy"), ("percy", Role.PERFORMANCE, "Percy"))
    }
    child = dict(sex="male", ethnicity="White", district=northmoor.districts.get(name="Riverside"))
    robin, _ = actions.add_cohort_member(
        by=users["mandy"], service=northmoor,
        new_person=dict(local_id="NM-1", first_name="Robin", last_name="Fallowmere", date_of_birth=ago(15 * 365), caseworker=users["pat"], **child),
        index_outcome=dict(outcome_type="referral_order", offence_date=ago(70), outcome_date=ago(60)),
    )
    sky, _ = actions.add_cohort_member(
        by=users["mandy"], service=northmoor,
        new_person=dict(local_id="NM-2", first_name="Sky", last_name="Gorsedale", date_of_birth=ago(16 * 365), caseworker=users["mandy"], **child),
        index_outcome=dict(outcome_type="youth_caution", offence_date=ago(40), outcome_date=ago(30)),
    )
    actions.add_review_action(
        by=users["mandy"], person=robin, raised_on=ago(20), trigger="periodic_review", action="review", status="required", owner=users["pat"], due_on=ago(2)
    )
    return northmoor, users, robin, sky


def test_a_practitioners_week(page, week):
    northmoor, users, robin, sky = week
    sign_in(page, "pat", PASSWORD)
    # Monday: my cases and my actions are the landing page
    assert page.get_by_role("heading", name="My cases and actions").is_visible()
    cases = page.locator("table[aria-labelledby=my-cases]")
    assert cases.get_by_role("link", name="Robin Fallowmere").is_visible() and "Sky Gorsedale" not in cases.inner_text()
    assert "Overdue" in page.locator("table[aria-labelledby=my-actions]").inner_text()
    screenshot(page, "week-01-my-cases")

    # Tuesday: record a further offence, typed as day, month and year
    cases.get_by_role("link", name="Robin Fallowmere").click()
    page.get_by_role("link", name="Add a further offence").click()
    page.get_by_label("Outcome", exact=True).select_option("fine")
    fill_date(page, "Offence date", ago(20))
    fill_date(page, "Outcome date", ago(12))
    page.get_by_label("Gravity").fill("2")
    page.get_by_role("button", name="Save offence").click()
    page.wait_for_load_state()
    assert "Early reoffending" in page.content()
    screenshot(page, "week-02-offence-recorded")

    # Wednesday: the offence was a caution, not a fine, on another day: correct it
    page.get_by_role("link", name="Change the fine").click()
    screenshot(page, "week-03-change-offence-form")
    page.get_by_label("Outcome", exact=True).select_option("youth_caution")
    fill_date(page, "Offence date", ago(21))
    page.get_by_role("button", name="Save offence").click()
    page.wait_for_load_state()
    assert "Offence changed" in page.content() and "Youth caution" in page.content()
    outcome = Outcome.objects.get(person=robin, offence_date=ago(21))
    assert outcome.outcome_type == "youth_caution"
    event = AuditEvent.objects.filter(verb="update", object_type="outcome").latest("id")
    assert event.changes["outcome_type"] == ["fine", "youth_caution"]

    # ... and a bad correction shows every error at once
    page.get_by_role("link", name="Change the youth caution").click()
    group = page.get_by_role("group", name="Offence date")
    group.get_by_label("Month").fill("")
    page.get_by_label("Gravity").fill("12")
    page.get_by_role("button", name="Save offence").click()
    page.wait_for_load_state()
    summary = page.locator(".govuk-error-summary")
    assert "Offence date must include a month" in summary.inner_text() and "Enter a gravity from 1 to 8" in summary.inner_text()
    screenshot(page, "week-04-all-errors-at-once")
    page.get_by_role("link", name="Cancel").click()
    page.get_by_role("link", name="Delete the youth caution").click()
    page.get_by_role("button", name="Delete this offence").click()
    page.wait_for_load_state()
    assert "Enter why it is being deleted." in page.locator(".govuk-error-summary").inner_text()
    screenshot(page, "week-04b-delete-offence-needs-a-reason")
    page.get_by_role("link", name="Cancel").click()

    # Thursday: act on the overdue action
    page.get_by_role("link", name="My cases").click()
    page.locator("table[aria-labelledby=my-actions]").get_by_role("link", name="Change status").click()
    page.get_by_label("Status").select_option("completed")
    page.get_by_role("button", name="Save status").click()
    page.wait_for_load_state()
    assert page.locator(".govuk-tag--green", has_text="Completed").first.is_visible()
    page.get_by_role("link", name="My cases").click()
    assert "You own no action that is still to be done." in page.content()

    # Friday: the review meeting, filtered to Pat's children
    page.get_by_role("link", name="Review meeting").click()
    page.get_by_label("Caseworker").select_option(label="Pat Worker")
    page.get_by_role("button", name="Show").click()
    page.wait_for_load_state()
    body = page.content()
    assert "Only children matching: Caseworker: Pat Worker" in body and "Robin Fallowmere" in body and "Sky Gorsedale" not in body
    screenshot(page, "week-05-meeting-filtered")
    page.emulate_media(media="print")
    screenshot(page, "week-06-meeting-printed")
    page.emulate_media(media="screen")

    # The cohort, filtered to Pat's cases
    page.get_by_role("link", name="Cohort", exact=True).click()
    page.get_by_label("Caseworker").select_option(label="Pat Worker")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_load_state()
    assert "Robin Fallowmere" in page.content() and "Sky Gorsedale" not in page.content()
    screenshot(page, "week-07-cohort-by-caseworker")
    filtered = page.url

    # the performance officer exports the same filtered cohort
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, "percy", PASSWORD)
    page.goto(filtered)
    page.get_by_role("link", name="Export to Excel").click()
    page.get_by_label("Purpose of this export").fill("Pat's caseload for supervision")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the workbook").click()
    book = openpyxl.load_workbook(io.BytesIO(open(download.value.path(), "rb").read()), read_only=True)
    assert book.sheetnames
    event = AuditEvent.objects.filter(verb="export").latest("id")
    assert event.object_ids == [str(robin.pk)] and event.purpose == "Pat's caseload for supervision"


def test_a_stale_form_in_a_second_browser_is_refused(page, week, browser, live_server):
    northmoor, users, robin, sky = week
    sign_in(page, "pat", PASSWORD)
    page.goto(f"/services/{northmoor.pk}/people/{robin.pk}/change/")
    other = browser.new_context(base_url=live_server.url, viewport={"width": 1400, "height": 1000}).new_page()
    sign_in(other, "mandy", PASSWORD)
    other.goto(f"/services/{northmoor.pk}/people/{robin.pk}/change/")
    other.get_by_label("PNC ID").fill("12/345678A")
    other.get_by_role("button", name="Save details").click()
    other.wait_for_load_state()
    page.get_by_label("PNC ID").fill("99/999999Z")
    page.get_by_role("button", name="Save details").click()
    page.wait_for_load_state()
    summary = page.locator(".govuk-error-summary").inner_text()
    assert "Someone else changed this record" in summary and "PNC ID: yours 99/999999Z, now 12/345678A" in summary
    screenshot(page, "week-08-stale-edit-refused")
    robin.refresh_from_db()
    assert robin.pnc_id == "12/345678A"
    other.context.close()
