"""The action plan and the board papers in the web application: roles, audited changes, stale
edits, overdue items on the alerts and meeting pages, adding an action from a finding, the .xlsx
register out and a plan in (all or nothing), and the board paper made by a job, kept and downloaded."""

from __future__ import annotations

import datetime as dt
import html
import re
import io

import pytest
from django.urls import reverse
from web_helpers import TODAY, add_quarter

from reoffkit.engine.rules import quarter_label, quarter_of
from reoffkit.web.board import actions
from reoffkit.web.board.models import BoardPaper, PlanItem
from reoffkit.web.tracker.actions import StaleEdit
from reoffkit.web.tracker.models import AuditEvent


def item_for(world, **values) -> PlanItem:
    defaults = dict(issue="Early reoffending after youth cautions", actions="Contact within a week\nRe-assess early reoffenders",
                    owner=world.users["pat"], due_on=TODAY + dt.timedelta(days=60))
    values = {**defaults, **values}
    values.setdefault("raised_on", min(TODAY, values["due_on"] - dt.timedelta(days=40)))
    return actions.add_item(by=world.users["mandy"], service=world.northmoor, **values)


def text(response) -> str:
    return html.unescape(response.content.decode())


PLAN_PAGES = ["plan", "plan-add", "plan-import", "board-papers"]
EXPECTED = {
    "plan": {"pat": 200, "mandy": 200, "percy": 200, "bea": 200, "ada": 403, "olly": 404},
    "plan-add": {"pat": 403, "mandy": 200, "percy": 200, "bea": 403, "ada": 403, "olly": 404},
    "plan-import": {"pat": 403, "mandy": 200, "percy": 200, "bea": 403, "ada": 403, "olly": 404},
    "plan-export": {"pat": 403, "mandy": 200, "percy": 200, "bea": 200, "ada": 403, "olly": 404},
    "board-papers": {"pat": 403, "mandy": 200, "percy": 200, "bea": 200, "ada": 403, "olly": 404},
}


@pytest.mark.parametrize(("name", "persona"), [(n, p) for n in EXPECTED for p in EXPECTED[n]])
def test_who_may_open_each_page(world, name, persona):
    response = world.client(persona).get(reverse(name, args=[world.northmoor.pk]))
    assert response.status_code == EXPECTED[name][persona]


def test_practitioners_see_only_the_items_assigned_to_them_and_board_viewers_read_all(world):
    mine = item_for(world)
    other = item_for(world, issue="Custody remands rising", owner=None, partner_agency="Police", partner_person="Inspector Lane")
    assert "Custody remands rising" not in text(world.client("pat").get(reverse("plan", args=[world.northmoor.pk])))
    assert world.client("pat").get(reverse("plan-item", args=[world.northmoor.pk, other.pk])).status_code == 404
    assert world.client("pat").get(reverse("plan-item", args=[world.northmoor.pk, mine.pk])).status_code == 200
    board = text(world.client("bea").get(reverse("plan", args=[world.northmoor.pk])))
    assert "Custody remands rising" in board and "Inspector Lane, Police" in board and "Add an item" not in board
    # a board viewer cannot change an item by posting to it
    response = world.client("bea").post(reverse("plan-item", args=[world.northmoor.pk, mine.pk]), {"form": "item", "version": 1, "issue": "x"})
    assert response.status_code == 403
    # the practitioner may add progress to their own item, not change it
    response = world.client("pat").post(reverse("plan-item", args=[world.northmoor.pk, mine.pk]), {"form": "note", "text": "Called every family"})
    assert response.status_code == 302 and mine.notes.get().text == "Called every family"
    assert world.client("pat").post(reverse("plan-item", args=[world.northmoor.pk, mine.pk]), {"form": "item", "version": 1}).status_code == 403


def form_data(world, **values) -> dict:
    data = {"issue": "Reoffending after referral orders", "source_kind": "", "source_ref": "", "actions": "Review panels", "owner": world.users["pat"].pk,
            "partner_agency": "", "partner_person": "", "due_on": (TODAY + dt.timedelta(days=30)).isoformat(), "status": "not_started", "dropped_reason": ""}
    return {**data, **values}


def test_adding_and_changing_an_item_is_audited_and_a_stale_edit_is_refused(world):
    client = world.client("mandy")
    response = client.post(reverse("plan-add", args=[world.northmoor.pk]), form_data(world))
    item = PlanItem.objects.get()
    assert response.status_code == 302 and item.created_by == world.users["mandy"]
    assert AuditEvent.objects.filter(verb="create", object_type="action_plan_item", object_ids=[str(item.pk)], username="mandy").exists()
    url = reverse("plan-item", args=[world.northmoor.pk, item.pk])
    response = client.post(url, {**form_data(world, status="in_progress"), "form": "item", "version": 1})
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.status, item.version) == ("in_progress", 2)
    event = AuditEvent.objects.filter(verb="update", object_type="action_plan_item").get()
    assert event.changes == {"status": ["not_started", "in_progress"]}
    stale = client.post(url, {**form_data(world, status="done"), "form": "item", "version": 1})
    assert stale.status_code == 200 and "changed by someone else" in text(stale)
    item.refresh_from_db()
    assert item.status == "in_progress"
    with pytest.raises(StaleEdit):
        actions.update_item(by=world.users["mandy"], item=item, expected_version=1, status="done")


def test_bad_items_are_refused_with_a_message_and_nothing_saved(world):
    client = world.client("percy")
    response = client.post(reverse("plan-add", args=[world.northmoor.pk]), form_data(world, owner="", partner_agency="", status="dropped"))
    page = text(response)
    assert response.status_code == 200 and "Choose who owns it" in page and "Say why the item was dropped" in page
    assert not PlanItem.objects.exists() and not AuditEvent.objects.filter(object_type="action_plan_item").exists()


def test_the_rating_follows_the_dates_and_overdue_items_show_on_alerts_and_meeting_pages(world):
    item_for(world, issue="Overdue item about reviews", due_on=TODAY - dt.timedelta(days=1))
    item_for(world, issue="Later item about training", due_on=TODAY + dt.timedelta(days=100))
    item_for(world, issue="Soon item about panels", due_on=TODAY + dt.timedelta(days=5), owner=world.users["mandy"])
    for page in ("alerts", "meeting"):
        shown = text(world.client("mandy").get(reverse(page, args=[world.northmoor.pk])))
        section = shown[shown.index("Action plan: overdue and due soon"):]
        assert "Overdue item about reviews" in section and "Overdue by 1 day" in section and "Soon item about panels" in section
        assert "Later item about training" not in section
    # a practitioner's meeting page lists only the items assigned to them
    pat = text(world.client("pat").get(reverse("meeting", args=[world.northmoor.pk])))
    assert "Overdue item about reviews" in pat and "Soon item about panels" not in pat


def completed_quarter(world) -> int:
    key = quarter_of(TODAY) - 9
    add_quarter(world, key, 12, 6, prefix="A")
    return key


def test_an_action_from_a_finding_is_prefilled_from_the_analysis_page(world):
    key = completed_quarter(world)
    page = text(world.client("mandy").get(reverse("analysis", args=[world.northmoor.pk]) + f"?period={quarter_label(key)}&quarters=1"))
    assert "Add an action from this finding" in page
    link = re.search(r'href="([^"]*/action-plan/add/\?[^"]*)"', page).group(1)
    form = text(world.client("mandy").get(link))
    assert "Line of enquiry" in form and 'value="analysis" selected' in form
    assert "Add an action from this finding" not in text(world.client("bea").get(reverse("analysis", args=[world.northmoor.pk]) + f"?period={quarter_label(key)}&quarters=1"))


def test_the_register_exports_as_xlsx_audited_and_formula_safe(world):
    from openpyxl import load_workbook

    item_for(world, issue="=1+1 looks like a formula")
    response = world.client("bea").get(reverse("plan-export", args=[world.northmoor.pk]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["A4"].value == "=1+1 looks like a formula" and sheet["A4"].data_type == "s"
    assert AuditEvent.objects.filter(verb="export", object_type="action_plan_item", username="bea").exists()


def workbook(rows) -> io.BytesIO:
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["Issue", "Actions", "By whom", "By when"])
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    out.name = "plan.xlsx"
    return out


def test_a_plan_is_imported_all_or_nothing(world):
    client = world.client("percy")
    url = reverse("plan-import", args=[world.northmoor.pk])
    bad = client.post(url, {"workbook": workbook([["Issue one", "Act", "pat", dt.datetime(2027, 1, 31)], ["Issue two", "Act", "Police", "soon"]])})
    assert bad.status_code == 400 and "row 3, column 'By when': 'soon' — expected a date such as 2027-03-31" in text(bad)
    assert not PlanItem.objects.exists()
    good = client.post(url, {"workbook": workbook([["Issue one", "Act", "pat", dt.datetime(2027, 1, 31)], ["Issue two", "Act", "Police", dt.datetime(2027, 2, 28)]])})
    assert good.status_code == 302
    one, two = PlanItem.objects.order_by("id")
    assert (one.owner, one.partner_agency, two.owner, two.partner_agency) == (world.users["pat"], "", None, "Police")
    event = AuditEvent.objects.get(verb="import", object_type="action_plan_item")
    assert event.object_ids == [str(one.pk), str(two.pk)] and event.username == "percy"


def test_a_plan_import_makes_only_a_user_who_may_act_an_owner(world):
    """A board viewer reads the plan and writes nothing: an imported plan naming one as "by whom"
    is refused with the row, as the add form offers only practitioners, managers and performance
    officers; nothing is saved."""
    client = world.client("percy")
    url = reverse("plan-import", args=[world.northmoor.pk])
    response = client.post(url, {"workbook": workbook([["Issue one", "Act", "pat", dt.datetime(2027, 1, 31)], ["Issue two", "Act", "BEA", dt.datetime(2027, 2, 28)]])})
    assert response.status_code == 400
    assert "Row 3: 'By whom' names bea, a board viewer, who cannot own an action" in text(response)
    assert not PlanItem.objects.exists()


def test_an_owner_whose_role_cannot_act_writes_no_progress_note(world):
    """An item owned by a user who is now a board viewer (their role changed after it was given to
    them) is read, not written: no note form, and a posted note is refused and not saved."""
    item = item_for(world, issue="Owned before a change of role")
    item.owner = world.users["bea"]
    item.save()
    client = world.client("bea")
    url = reverse("plan-item", args=[world.northmoor.pk, item.pk])
    page = client.get(url)
    assert page.status_code == 200 and 'name="form" value="note"' not in text(page)
    assert client.post(url, {"form": "note", "text": "written by a board viewer"}).status_code == 403
    assert not item.notes.exists()


def test_a_board_paper_is_made_by_a_job_kept_audited_and_downloaded_again(world, settings, tmp_path):
    from docx import Document

    settings.DATA_DIR = tmp_path
    key = completed_quarter(world)
    item_for(world, issue="Overdue plan item", due_on=TODAY - dt.timedelta(days=2))
    client = world.client("bea")
    response = client.post(reverse("board-papers", args=[world.northmoor.pk]), {"period": quarter_label(key - 3)})
    assert response.status_code == 302
    paper = BoardPaper.objects.get()
    follow = client.get(response["Location"])
    assert follow.status_code == 302 and follow["Location"] == reverse("board-paper", args=[world.northmoor.pk, paper.pk])
    assert paper.made_by == world.users["bea"] and oct(tmp_path.joinpath("board-papers").stat().st_mode & 0o777) == "0o700"
    assert AuditEvent.objects.filter(verb="create", object_type="board_paper", username="bea").exists()
    download = client.get(reverse("board-paper-file", args=[world.northmoor.pk, paper.pk, "docx"]))
    content = b"".join(download.streaming_content)
    document = Document(io.BytesIO(content))
    words = "\n".join([p.text for p in document.paragraphs] + [c.text for t in document.tables for r in t.rows for c in r.cells])
    # the numbers of the analysis page, as a board viewer sees them
    analysis = text(client.get(reverse("analysis", args=[world.northmoor.pk]) + f"?period={quarter_label(key - 3)}&quarters=4"))
    assert "12 children, 6 reoffended" in analysis
    assert f"Of the 12 children in the {quarter_label(key - 3)}–{quarter_label(key)} cohort, 6 reoffended within 12 months: a binary rate of 50.0%" in words
    assert "Overdue plan item" in words and "RED: Overdue by 2 days" in words
    assert "Synthetic data" in document.sections[0].header.paragraphs[1].text
    for name in ("Ned", "Testchild", "KidA0", "Quartermember"):
        assert name not in words
    assert AuditEvent.objects.filter(verb="export", object_type="board_paper", username="bea").exists()
    page = client.get(reverse("board-paper-file", args=[world.northmoor.pk, paper.pk, "html"]))
    assert page.status_code == 200 and b"@media print" in page.content and "img-src data:" in page["Content-Security-Policy"]
    # practitioners and other services never see papers
    assert world.client("pat").get(reverse("board-paper", args=[world.northmoor.pk, paper.pk])).status_code == 403
    assert world.client("olly").get(reverse("board-paper", args=[world.northmoor.pk, paper.pk])).status_code == 404


def test_a_paper_without_a_completed_cohort_still_builds_and_says_so(world, settings, tmp_path):
    from docx import Document

    settings.DATA_DIR = tmp_path
    response = world.client("mandy").post(reverse("board-papers", args=[world.northmoor.pk]), {"period": ""})
    assert response.status_code == 302
    paper = BoardPaper.objects.get()
    document = Document(paper.file)
    words = "\n".join(p.text for p in document.paragraphs)
    assert "No quarterly cohort has completed its follow-up" in words and "No completed cohort: disproportionality is reported" in words


def test_a_paper_says_when_the_population_is_missing(world, settings, tmp_path):
    from docx import Document

    settings.DATA_DIR = tmp_path
    key = completed_quarter(world)
    world.client("mandy").post(reverse("board-papers", args=[world.northmoor.pk]), {"period": quarter_label(key - 3)})
    words = "\n".join(p.text for p in Document(BoardPaper.objects.get().file).paragraphs)
    assert "No 10–17 population table is chosen for Northmoor. A performance officer chooses the service's population" in words


def test_a_partnership_paper_covers_the_services_chosen_and_only_the_users_own(world, settings, tmp_path):
    from docx import Document
    from reoffkit.web.tracker.actions import update_staff_user

    settings.DATA_DIR = tmp_path
    update_staff_user(by="test-setup", user=world.users["bea"], role="board", services=[world.northmoor, world.eastfield])
    client = world.client("bea")
    response = client.post(reverse("board-papers", args=[world.northmoor.pk]), {"period": "", "with": [world.eastfield.pk]})
    assert response.status_code == 302
    paper = BoardPaper.objects.get()
    assert paper.services == [world.northmoor.pk, world.eastfield.pk]
    assert "board report for 2 services" in Document(paper.file).paragraphs[0].text
    other = world.client("mandy").post(reverse("board-papers", args=[world.northmoor.pk]), {"period": "", "with": [world.eastfield.pk]})
    assert other.status_code == 404 and BoardPaper.objects.count() == 1


def test_the_add_form_offers_its_default_due_date_as_a_date_input_reads_it(world):
    """The due date is GOV.UK's date input (day, month, year) with the default filled in, so the
    form can be sent as it is offered."""
    page = text(world.client("mandy").get(reverse("plan-add", args=[world.northmoor.pk]) + "?issue=Late+reviews"))
    due = TODAY + dt.timedelta(days=90)
    for part, value in (("day", due.day), ("month", due.month), ("year", due.year)):
        assert re.search(rf'name="due_on-{part}" type="text" inputmode="numeric" value="{value}"', page), part
