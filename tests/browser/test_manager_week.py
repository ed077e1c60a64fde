"""A YOT manager's week in a real browser: find the children with alerts through the cohort's
server-side filters and the alerts page (the counts agree: one definition, counted by child),
allocate a caseworker and an action's owner, agree a management action and follow it up, correct
wrongly entered offences and see the figures follow, run the review meeting filtered and print
only what was chosen, change a counting setting and see it labelled, export the cohort, be refused
the whole case file (the performance officer's) and see it re-imported, and read the audit log.

Every page is screenshotted into the test's folder; the main ones also go where
``browser_helpers.screenshot`` puts them, for a person to look at."""

from __future__ import annotations

import datetime as dt
import io
import re

import openpyxl
import pytest
from browser_helpers import fill_date, screenshot, sign_in

from reoffkit.web.tracker import actions
from reoffkit.web.tracker.models import AuditEvent, Outcome, ReviewAction, Role, YoungPerson

PASSWORD = "a-long-browser-test-password"
TODAY = dt.date.today()
#: The first day of this quarter: entries are dated from it so that which quarter each falls in,
#: and so every count below, is the same whatever day the test runs.
THIS_QUARTER = dt.date(TODAY.year, 3 * ((TODAY.month - 1) // 3) + 1, 1)


def quarters_back(n: int, day: int = 0) -> dt.date:
    """The first day of the quarter ``n`` quarters before this one, plus ``day`` days."""
    months = THIS_QUARTER.year * 12 + THIS_QUARTER.month - 1 - 3 * n
    return dt.date(months // 12, months % 12 + 1, 1) + dt.timedelta(days=day)


def quarter_label(day: dt.date) -> str:
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


@pytest.fixture
def week(transactional_db):
    northmoor = actions.create_service(by="browser-test", name="Northmoor", districts=["Riverside", "Hilltop"])
    users = {
        name: actions.create_staff_user(by="browser-test", username=name, password=PASSWORD, role=role, services=[northmoor], first_name=first, last_name=last)
        for name, role, first, last in (
            ("mandy", Role.MANAGER, "Mandy", "Lead"),
            ("pat", Role.PRACTITIONER, "Pat", "Walker"),
            ("priya", Role.PRACTITIONER, "Priya", "Shah"),
            ("percy", Role.PERFORMANCE, "Percy", "Stats"),
        )
    }
    # a new installation's empty service, for the case file's round trip
    copy = actions.create_service(by="browser-test", name="Northmoor (new installation)", districts=["Riverside", "Hilltop"])
    for name in ("pat", "priya", "percy"):
        users[name].profile.services.add(copy)
    riverside, hilltop = northmoor.districts.get(name="Riverside"), northmoor.districts.get(name="Hilltop")
    by = users["percy"]

    def child(local_id, first, last, district, caseworker, index_type, index_on):
        person, _ = actions.add_cohort_member(
            by=by, service=northmoor,
            new_person=dict(local_id=local_id, first_name=first, last_name=last, date_of_birth=quarters_back(60), sex="male", ethnicity="White",
                            district=district, caseworker=caseworker),
            index_outcome=dict(outcome_type=index_type, offence_date=index_on - dt.timedelta(days=10), outcome_date=index_on),
        )
        return person

    def offence(person, outcome_type, committed, proven, **extra):
        return actions.add_outcome(by=by, person=person, outcome_type=outcome_type, offence_date=committed, outcome_date=proven, recorded_on=proven, **extra)

    # Robin: two cohort entries (two quarters), early reoffending on both: one child on the alerts page
    a, b = quarters_back(2, 5), quarters_back(1, 5)
    robin = child("NM-1", "Robin", "Fallowmere", riverside, users["pat"], "referral_order", a)
    offence(robin, "fine", a + dt.timedelta(days=20), b)  # early for entry A; the index of entry B
    offence(robin, "youth_caution", b + dt.timedelta(days=20), b + dt.timedelta(days=40))  # early for B
    # Sky: two further offences inside the early window (potentially prolific), and a breach
    c = quarters_back(1, 10)
    sky = child("NM-2", "Sky", "Gorsedale", hilltop, users["priya"], "youth_caution", c)
    offence(sky, "fine", c + dt.timedelta(days=10), c + dt.timedelta(days=35))
    offence(sky, "fine", c + dt.timedelta(days=30), c + dt.timedelta(days=45))
    offence(sky, "fine", c + dt.timedelta(days=50), c + dt.timedelta(days=60), breach=True)
    # Alex: no further offence, but an action required and overdue
    alex = child("NM-3", "Alex", "Brackenby", riverside, users["pat"], "youth_caution", quarters_back(1, 15))
    actions.add_review_action(
        by=users["pat"], person=alex, raised_on=TODAY - dt.timedelta(days=20), trigger="periodic_review", action="review", status="required",
        owner=users["pat"], due_on=TODAY - dt.timedelta(days=3),
    )
    # Jo: not allocated; a fine entered for the wrong child makes an early reoffender of them
    d = quarters_back(1, 20)
    jo = child("NM-4", "Jo", "Underhill", hilltop, None, "youth_caution", d)
    offence(jo, "fine", d + dt.timedelta(days=5), d + dt.timedelta(days=30), offence_type="theft")
    return northmoor, copy, users, {"robin": robin, "sky": sky, "alex": alex, "jo": jo}


class Shots:
    """Every page of the walk as a PNG in the test's folder; ``keep=True`` also for a person."""

    def __init__(self, folder):
        self.folder = folder
        self.taken = []

    def __call__(self, page, name: str, keep: bool = False):
        path = self.folder / f"{len(self.taken) + 1:02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        self.taken.append(path)
        if keep:
            screenshot(page, f"manager-week-{name}")
        return path


def alert_counts(page) -> dict[str, int]:
    """The alerts page's "Alerts by type" table: alert label → children."""
    counts = {}
    for row in page.locator("#alert-counts tbody tr").all():
        counts[row.locator("th").inner_text().strip()] = int(row.locator("td").inner_text())
    return counts


def cohort_count(page) -> tuple[int, int]:
    """(entries shown, children) from the cohort page's count line."""
    text = page.locator("#count").inner_text()
    match = re.search(r"Showing (\d+) of \d+ cohort entr(?:y|ies): (\d+) child", text)
    assert match, text
    return int(match.group(1)), int(match.group(2))


def filter_cohort(page, service, **chosen: str):
    """The cohort page with the filters chosen in the panel (by the words the user sees)."""
    page.goto(f"/services/{service.pk}/cohort/")
    labels = {"quarter": "Cohort", "caseworker": "Caseworker", "district": "District", "alert": "Alert", "rag": "RAG of the latest action"}
    for name, words in chosen.items():
        page.get_by_label(labels[name], exact=True).select_option(label=words)
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_load_state()


def nav(page, name: str):
    return page.get_by_role("navigation", name="Primary navigation").get_by_role("link", name=name, exact=True)


def names_in(page, selector: str = "main") -> set[str]:
    text = page.locator(selector).inner_text()
    return {name for name in ("Robin Fallowmere", "Sky Gorsedale", "Alex Brackenby", "Jo Underhill") if name in text}


def test_a_managers_week(page, week, tmp_path):
    northmoor, copy, users, kids = week
    shot = Shots(tmp_path)
    sign_in(page, "mandy", PASSWORD)
    assert page.get_by_role("heading", name="Everyone in follow-up").is_visible()
    shot(page, "cohort", keep=True)

    # Monday: who has an alert? The alerts page counts children; the cohort's filters agree.
    nav(page, "Alerts").click()
    counts = alert_counts(page)
    shot(page, "alerts", keep=True)
    assert counts["Early reoffending"] == 3  # Robin (on two entries, counted once), Sky, Jo
    assert counts["Potentially prolific"] == 1 and counts["Action overdue"] == 1
    assert counts["Reoffended – no action recorded"] == 3  # Robin, Sky, Jo
    assert "4 children in follow-up have at least one alert" in page.locator("#counted-by").inner_text()
    robin_row = page.locator("table[aria-labelledby=early_reoffending] tbody tr", has_text="Robin Fallowmere")
    assert f"{quarter_label(quarters_back(2))}: 2" in robin_row.inner_text()  # each entry's further offences
    assert f"{quarter_label(quarters_back(1))}: 1" in robin_row.inner_text()
    for label in ("Early reoffending", "Potentially prolific", "Action overdue", "Reoffended – no action recorded"):
        filter_cohort(page, northmoor, alert=label)
        entries, children = cohort_count(page)
        assert children == counts[label], label
        assert "alerts are counted by child, as on the alerts page" in page.locator("#count").inner_text()
    filter_cohort(page, northmoor, alert="Early reoffending")
    assert cohort_count(page) == (4, 3) and names_in(page) == {"Robin Fallowmere", "Sky Gorsedale", "Jo Underhill"}
    shot(page, "cohort-early-reoffending")
    filter_cohort(page, northmoor, alert="Has an alert")
    assert cohort_count(page)[1] == 4
    # ... the meeting page, filtered to one alert, counts the same children
    page.goto(f"/services/{northmoor.pk}/meeting/")
    page.get_by_label(re.compile("^Alert")).select_option(label="Early reoffending")
    page.get_by_role("button", name="Show").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="1. Children with alerts (3)").is_visible()

    # the other server-side filters: quarter, caseworker, district, RAG
    filter_cohort(page, northmoor, quarter=quarter_label(quarters_back(2)))
    assert cohort_count(page) == (1, 1) and names_in(page) == {"Robin Fallowmere"}
    filter_cohort(page, northmoor, caseworker="Pat Walker")
    assert names_in(page) == {"Robin Fallowmere", "Alex Brackenby"}
    filter_cohort(page, northmoor, caseworker="Not allocated")
    assert names_in(page) == {"Jo Underhill"}
    filter_cohort(page, northmoor, district="Hilltop")
    assert names_in(page) == {"Sky Gorsedale", "Jo Underhill"}
    filter_cohort(page, northmoor, rag="Red: action required", district="Riverside")
    assert names_in(page) == {"Alex Brackenby"}
    shot(page, "cohort-red-riverside")
    # the filters are in the URL: a bookmark gives the same list
    page.goto(page.url)
    assert names_in(page) == {"Alex Brackenby"}

    # Tuesday: allocate Jo to Priya; hand Alex's overdue action from Pat to Priya
    page.goto(f"/services/{northmoor.pk}/people/{kids['jo'].pk}/")
    page.get_by_role("link", name="Change the child's details").click()
    page.get_by_label("Caseworker").select_option(label="Priya Shah")
    page.get_by_role("button", name="Save details").click()
    page.wait_for_load_state()
    assert "Priya Shah" in page.locator("dl[aria-labelledby=details]").inner_text()
    shot(page, "jo-allocated")
    page.goto(f"/services/{northmoor.pk}/people/{kids['alex'].pk}/")
    page.get_by_role("link", name="Change the action").click()
    page.get_by_label("Owner").select_option(label="Priya Shah")
    shot(page, "alex-action-owner-form")
    page.get_by_role("button", name="Save action").click()
    page.wait_for_load_state()
    assert "Owner: Priya Shah" in page.content()
    filter_cohort(page, northmoor, caseworker="Priya Shah")
    assert names_in(page) == {"Sky Gorsedale", "Jo Underhill"}

    # Wednesday: agree a management action for Sky (amber), then follow it up at review (green)
    page.goto(f"/services/{northmoor.pk}/people/{kids['sky'].pk}/")
    assert "Reoffended – no action recorded" in page.locator("dl[aria-labelledby=alerts]").inner_text()
    page.get_by_role("link", name="Add a review action").click()
    page.get_by_label("Trigger").select_option(label="Further offence")
    page.get_by_label("Action", exact=True).select_option(label="Review")
    page.get_by_label("Status").select_option(label="Pending")
    page.get_by_label("Owner").select_option(label="Priya Shah")
    fill_date(page, "Due by", TODAY + dt.timedelta(days=7))
    page.get_by_label("Notes").fill("Agreed with Priya: review the plan after the second fine.")
    page.get_by_role("button", name="Save action").click()
    page.wait_for_load_state()
    assert "Action added" in page.content()
    assert "Reoffended – no action recorded" not in page.locator("main").inner_text()
    shot(page, "sky-action-agreed", keep=True)
    filter_cohort(page, northmoor, rag="Amber: pending")
    assert names_in(page) == {"Sky Gorsedale"}
    page.goto(f"/services/{northmoor.pk}/people/{kids['sky'].pk}/")
    page.get_by_role("link", name="Change status").first.click()
    page.get_by_label("Status").select_option(label="Completed")
    fill_date(page, "Completed on", TODAY)
    page.get_by_label("Notes").fill("Reviewed at the panel: plan changed, mentoring added.")
    page.get_by_role("button", name="Save status").click()
    page.wait_for_load_state()
    assert "Action marked as" in page.content()
    filter_cohort(page, northmoor, rag="Green: completed")
    assert names_in(page) == {"Sky Gorsedale"}
    shot(page, "cohort-green")

    # Thursday: corrections. Jo's fine was entered for the wrong child: delete it, with a reason
    page.goto(f"/services/{northmoor.pk}/people/{kids['jo'].pk}/")
    assert "Early reoffending" in page.locator("dl[aria-labelledby=alerts]").inner_text()
    page.get_by_role("link", name="Delete the fine").click()
    page.get_by_label("Reason for deleting").fill("Entered for the wrong child: the theft was another young person's.")
    shot(page, "jo-delete-fine")
    page.get_by_role("button", name="Delete this offence").click()
    page.wait_for_load_state()
    assert "No alerts." in page.content()
    # Sky's first fine was in fact a community resolution: not a proven offence, so not counted
    page.goto(f"/services/{northmoor.pk}/people/{kids['sky'].pk}/")
    assert "Potentially prolific" in page.locator("dl[aria-labelledby=alerts]").inner_text()
    first_fine = Outcome.objects.filter(person=kids["sky"], outcome_type="fine", breach=False).order_by("offence_date").first()
    page.locator(f"a[href$='/offences/{first_fine.pk}/change/']").click()
    page.get_by_label("Outcome", exact=True).select_option("community_resolution")
    page.get_by_role("button", name="Save offence").click()
    page.wait_for_load_state()
    assert "Offence changed" in page.content() and "Potentially prolific" not in page.locator("main").inner_text()
    shot(page, "sky-corrected", keep=True)
    # ... and the figures follow on every page
    nav(page, "Alerts").click()
    after = alert_counts(page)
    assert after["Early reoffending"] == 2 and after["Potentially prolific"] == 0 and after["Reoffended – no action recorded"] == 1
    shot(page, "alerts-after-corrections")
    filter_cohort(page, northmoor, alert="Early reoffending")
    assert cohort_count(page) == (3, 2) and names_in(page) == {"Robin Fallowmere", "Sky Gorsedale"}
    filter_cohort(page, northmoor, district="Hilltop")
    sky_row = page.locator("tbody tr", has_text="Sky Gorsedale")
    assert sky_row.locator("td").nth(6).inner_text().strip() == "1"  # one proven further offence left

    # Friday: the review meeting, only Pat's children with an alert and a red action
    nav(page, "Review meeting").click()
    page.get_by_label("Caseworker").select_option(label="Pat Walker")
    page.get_by_label(re.compile("^Alert")).select_option(label="Has an alert")
    page.get_by_role("button", name="Show").click()
    page.wait_for_load_state()
    chosen = page.locator("#chosen").inner_text()
    assert "Caseworker: Pat Walker" in chosen and "Alert: Has an alert" in chosen
    assert names_in(page, "#alerts ~ div table[aria-labelledby=alerts]") == {"Robin Fallowmere", "Alex Brackenby"}
    page.get_by_label("RAG of the latest action").select_option(label="Red: action required")
    page.get_by_role("checkbox", name="Children with alerts").check()
    page.get_by_role("button", name="Show").click()
    page.wait_for_load_state()
    page.emulate_media(media="print")
    printed = page.locator("main").inner_text()
    shot(page, "meeting-printed", keep=True)
    form_printed = page.locator("form.rk-filters").is_visible()
    page.emulate_media(media="screen")
    assert "RAG of the latest action: Red: action required" in printed
    assert names_in(page) == {"Alex Brackenby"}  # Alex: Pat's case, overdue (an alert), red
    assert "2. Actions not completed" not in printed and "3. Further offences" not in printed and "4. Follow-ups ending" not in printed
    assert "Action plan" not in printed
    assert not form_printed  # the choices are printed as words, not as a form

    # the cohort workbook: a manager may export it (pseudonymised unless asked otherwise)
    filter_cohort(page, northmoor, caseworker="Pat Walker")
    page.get_by_role("link", name="Export to Excel").click()
    page.get_by_label("Purpose of this export").fill("Pat's caseload for supervision")
    shot(page, "cohort-export-form")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the workbook").click()
    cohort_book = tmp_path / "northmoor-cohort.xlsx"
    download.value.save_as(cohort_book)
    book = openpyxl.load_workbook(io.BytesIO(cohort_book.read_bytes()), read_only=True)
    cells = " ".join(str(c) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for c in row if c is not None)
    assert "Fallowmere" not in cells and "NM-1" not in cells  # pseudonymised: no names, no local IDs
    event = AuditEvent.objects.filter(verb="export").latest("id")
    assert sorted(event.object_ids) == sorted([str(kids["robin"].pk), str(kids["alex"].pk)]) and event.username == "mandy"
    # the whole case file is the performance officer's: the manager is told so, and by whom
    response = page.goto(f"/services/{northmoor.pk}/import/")
    assert response.status == 403
    refused = page.locator("main").inner_text()
    shot(page, "case-file-refused", keep=True)
    assert "performance officer" in refused.lower(), refused
    assert nav(page, "Import").count() == 0  # not offered in the menu either

    # the performance officer exports the case file; imported again here it changes nothing, and
    # imported into an empty service (a new installation) it gives the same cohort and alerts
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, "percy", PASSWORD)
    page.goto(f"/services/{northmoor.pk}/import/")
    page.get_by_label("Purpose of this export").fill("Copy for the new installation")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the case file").click()
    case_file = tmp_path / "northmoor-case-file.xlsx"
    download.value.save_as(case_file)
    before = {p.local_id: p.version for p in YoungPerson.objects.filter(service=northmoor)}
    page.get_by_label("Case file").set_input_files(str(case_file))
    page.get_by_role("button", name="Check the file").click()
    page.wait_for_load_state()
    shot(page, "reimport-preview", keep=True)
    assert "importing it would change nothing" in page.locator("main").inner_text()
    assert page.get_by_role("button", name="Import these changes").count() == 0
    assert {p.local_id: p.version for p in YoungPerson.objects.filter(service=northmoor)} == before
    page.goto(f"/services/{copy.pk}/import/")
    page.get_by_label("Case file").set_input_files(str(case_file))
    page.get_by_role("button", name="Check the file").click()
    page.wait_for_load_state()
    assert "4 new children" in page.locator("main").inner_text()
    page.get_by_role("button", name="Import these changes").click()
    page.wait_for_url(f"**/services/{copy.pk}/cohort/", timeout=60_000)
    shot(page, "imported-into-new-service")
    copied = cohort_count(page)
    page.goto(f"/services/{copy.pk}/alerts/")
    copied_alerts = alert_counts(page)
    page.goto(f"/services/{northmoor.pk}/alerts/")
    assert copied_alerts == alert_counts(page)
    page.goto(f"/services/{northmoor.pk}/cohort/")
    assert copied == cohort_count(page)
    assert ReviewAction.objects.get(person__service=copy, person__local_id="NM-3").owner == users["priya"]
    # ... and the cohort workbook is refused with a clear message, not imported as a case file
    page.goto(f"/services/{northmoor.pk}/import/")
    page.get_by_label("Case file").set_input_files(str(cohort_book))
    page.get_by_role("button", name="Check the file").click()
    page.wait_for_load_state()
    shot(page, "cohort-workbook-refused-as-case-file", keep=True)
    refusal = page.locator("main").inner_text()
    assert "The file cannot be imported" in refusal and "the cohort export is not" in refusal, refusal
    page.get_by_role("button", name="Sign out").click()

    # the manager changes a counting setting: breaches count as further offences
    sign_in(page, "mandy", PASSWORD)
    # every page whose figures it changes says so
    nav(page, "Settings").click()
    page.get_by_label("Count breaches as further offences").check()
    page.get_by_role("button", name=re.compile("Save")).click()
    page.wait_for_load_state()
    assert "Settings saved" in page.content()
    shot(page, "settings-saved")
    filter_cohort(page, northmoor, district="Hilltop")
    label = page.locator(".rk-counting").inner_text()
    assert "breaches counted" in label and "not the official rules" in label
    sky_row = page.locator("tbody tr", has_text="Sky Gorsedale")
    assert sky_row.locator("td").nth(6).inner_text().strip() == "2"  # the breach now counts
    assert "Potentially prolific" in sky_row.inner_text()  # two in the early window again, the breach one of them
    shot(page, "cohort-breaches-counted", keep=True)
    for path in (f"/services/{northmoor.pk}/alerts/", f"/services/{northmoor.pk}/meeting/", f"/services/{northmoor.pk}/people/{kids['sky'].pk}/"):
        page.goto(path)
        assert "breaches counted" in page.locator(".rk-counting").first.inner_text(), path
    page.goto(f"/services/{northmoor.pk}/performance/")
    assert page.locator(".rk-counting[data-counting=official]").first.is_visible()
    assert "which count breaches" in page.locator(".rk-counting[data-counting=official]").first.inner_text()
    shot(page, "performance-official-rules")

    # the audit log: each change, old and new, naming the child
    nav(page, "Audit log").click()
    page.get_by_label("What was done").select_option(label="Changed")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_load_state()
    shot(page, "audit-changes", keep=True)
    log = page.locator("main table").inner_text()
    assert "Jo Underhill" in log and "Sky Gorsedale" in log and "Alex Brackenby" in log, log
    for child in kids.values():
        assert f"young person {child.pk}" not in log.lower(), log
    assert "Caseworker: none → Priya Shah" in log, log
    assert "Owner: Pat Walker → Priya Shah" in log, log
    assert "Outcome type: Fine → Community resolution" in log, log
    assert "Status: Pending → Completed" in log, log
    assert "Include breaches: no → yes" in log, log
    page.get_by_label("What was done").select_option(label="Deleted")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_load_state()
    deleted = page.locator("main table").inner_text()
    assert "Jo Underhill" in deleted and "Entered for the wrong child" in deleted, deleted
    shot(page, "audit-deleted")
    page.get_by_label("What was done").select_option(label="Exported")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_load_state()
    exported = page.locator("main table").inner_text()
    assert "Pat's caseload for supervision" in exported and "Robin Fallowmere" in exported and "Alex Brackenby" in exported, exported
    assert "Copy for the new installation" in exported and "percy" in exported  # the case file, by the performance officer
    assert ReviewAction.objects.get(person=kids["alex"]).owner == users["priya"]
    assert len(shot.taken) >= 15
