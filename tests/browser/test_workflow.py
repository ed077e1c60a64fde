"""A practitioner's month in a real browser (Debian's Chromium via Playwright), a board viewer kept
out of a child's record, and an accessibility scan of the main pages."""

from __future__ import annotations

import datetime as dt

import pytest
from browser_helpers import axe_violations, fill_date, screenshot, sign_in

from reoffkit.web.tracker import actions
from reoffkit.web.tracker.models import AuditEvent, Role, YoungPerson

PASSWORD = "a-long-browser-test-password"
TODAY = dt.date.today()


def ago(days: int) -> dt.date:
    return TODAY - dt.timedelta(days=days)


@pytest.fixture
def service(transactional_db):
    northmoor = actions.create_service(by="browser-test", name="Northmoor", districts=["Riverside"])
    for username, role in (("pat", Role.PRACTITIONER), ("bea", Role.BOARD), ("mandy", Role.MANAGER)):
        actions.create_staff_user(by="browser-test", username=username, password=PASSWORD, role=role, services=[northmoor])
    return northmoor


def test_practitioner_adds_a_member_records_reoffending_and_completes_the_action(page, service):
    sign_in(page, "pat", PASSWORD)
    assert page.get_by_role("heading", name="My cases and actions").is_visible()  # a practitioner's landing page
    page.get_by_role("link", name="Cohort", exact=True).click()
    page.get_by_role("link", name="Add a cohort member").click()
    page.get_by_label("Local ID").fill("NM-1001")
    page.get_by_label("First name").fill("Robin")
    page.get_by_label("Last name").fill("Fallowmere")
    fill_date(page, "Date of birth", ago(15 * 365))
    page.get_by_label("Sex").select_option("male")
    page.get_by_label("Ethnicity").select_option("White")
    page.get_by_label("Index outcome").select_option("referral_order")
    fill_date(page, "Offence date", ago(50))
    fill_date(page, "Outcome date", ago(40))
    page.get_by_role("button", name="Add to the cohort").click()
    page.wait_for_load_state()
    assert "Robin Fallowmere" in page.content()
    screenshot(page, "01-new-cohort-member")

    page.get_by_role("link", name="Add a further offence").click()
    page.get_by_label("Outcome", exact=True).select_option("fine")
    fill_date(page, "Offence date", ago(20))
    fill_date(page, "Outcome date", ago(10))
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    body = page.content()
    assert "Early reoffending" in body  # first further offence within 3 months of entry
    screenshot(page, "02-alert-after-further-offence")

    page.get_by_role("link", name="Add a review action").click()
    page.get_by_label("Trigger").select_option("further_offence")
    page.get_by_label("Action", exact=True).select_option("re_assessment")
    page.get_by_label("Status").select_option("required")
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    assert "Action required – not completed" in page.content()

    page.get_by_role("link", name="Change status").first.click()
    page.get_by_label("Status").select_option("completed")
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    tag = page.locator(".govuk-tag--green", has_text="Completed").first
    assert tag.is_visible()
    screenshot(page, "03-action-completed")

    person = YoungPerson.objects.get(local_id="NM-1001")
    verbs = set(AuditEvent.objects.filter(username="pat").values_list("verb", flat=True))
    assert {"login", "create", "update", "view"} <= verbs
    assert AuditEvent.objects.filter(verb="view", object_type="young_person", object_ids=[str(person.pk)], username="pat").exists()


def test_board_viewer_cannot_open_a_childs_record_by_url(page, service):
    manager = service.staff.get(user__username="mandy").user
    person, _ = actions.add_cohort_member(
        by=manager,
        service=service,
        new_person=dict(local_id="NM-2", first_name="Sky", last_name="Gorsedale", date_of_birth=TODAY - dt.timedelta(days=16 * 365), sex="female", ethnicity="Mixed"),
        index_outcome=dict(outcome_type="youth_caution", offence_date=TODAY - dt.timedelta(days=30), outcome_date=TODAY - dt.timedelta(days=20)),
    )
    sign_in(page, "bea", PASSWORD)
    response = page.goto(f"/services/{service.pk}/people/{person.pk}/")
    assert response.status == 403
    assert "Gorsedale" not in page.content()
    screenshot(page, "04-board-viewer-refused")


def test_main_pages_have_no_serious_accessibility_violations(browser, live_server, page, service):
    manager = service.staff.get(user__username="mandy").user
    person, _ = actions.add_cohort_member(
        by=manager,
        service=service,
        new_person=dict(local_id="NM-3", first_name="Ash", last_name="Mossbury", date_of_birth=TODAY - dt.timedelta(days=15 * 365), sex="male", ethnicity="White"),
        index_outcome=dict(outcome_type="yro", offence_date=TODAY - dt.timedelta(days=70), outcome_date=TODAY - dt.timedelta(days=60)),
    )
    sign_in(page, "mandy", PASSWORD)
    cookies = page.context.cookies()
    pages = [
        "/login/",
        f"/services/{service.pk}/cohort/",
        f"/services/{service.pk}/cohort/add/",
        f"/services/{service.pk}/people/{person.pk}/",
        f"/services/{service.pk}/alerts/",
        f"/services/{service.pk}/meeting/",
        f"/services/{service.pk}/settings/",
        f"/services/{service.pk}/summary/",
    ]
    problems = {path: axe_violations(browser, live_server, cookies, path) for path in pages}
    serious = {path: [(v["id"], v["impact"], len(v["nodes"])) for v in found] for path, found in problems.items() if found}
    assert serious == {}
