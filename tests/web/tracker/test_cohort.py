"""The cohort page, its Excel export and adding a cohort member, on a real database.

Besides the shared world (Northmoor's Ned: required action, early reoffending; Nia: no action;
Eastfield's Eve), ``cohort`` adds two Northmoor children: Hal (Hilltop, looked after, not on the
caseload, pending action, an older quarter, a PNC ID) and Cal (Riverside, completed action).
"""

from __future__ import annotations

import datetime as dt
import html
import io
import re
from types import SimpleNamespace

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from web_helpers import TODAY, days_ago

from reoffkit.engine.rules import quarter_label, quarter_of
from reoffkit.web.tracker import actions
from reoffkit.web.tracker.models import AuditEvent, Outcome, YoungPerson
from reoffkit.web.tracker.queries import CohortRow
from reoffkit.web.tracker.views.cohort import filter_rows, sort_rows

INDEX_DATES = {"Ned": days_ago(60), "Nia": days_ago(45), "Hal": days_ago(200), "Cal": days_ago(100)}
#: Ned's fine 30 days ago is a second cohort entry when it falls in a later quarter than his
#: referral order (one entry per child per quarter), so his rows depend on today's date.
ENTRIES = sorted(
    [*INDEX_DATES.items(), *([("Ned", days_ago(30))] if quarter_of(days_ago(30)) != quarter_of(days_ago(60)) else [])],
    key=lambda entry: entry[1],
    reverse=True,
)
DEFAULT_ORDER = [name for name, _ in ENTRIES]
LAST_NAMES = {"Ned": "Testchild", "Nia": "Testchild", "Hal": "Zephyr", "Cal": "Abbott"}
LOCAL_IDS = {"Ned": "N001", "Nia": "N002", "Hal": "N003", "Cal": "N004"}


def entries_of(*names: str) -> int:
    return sum(1 for name, _ in ENTRIES if name in names)


def text(response) -> str:
    return html.unescape(response.content.decode())


def names_in_order(page: str) -> list[str]:
    """First names of the children in the table, top to bottom."""
    if "<tbody" not in page:
        return []
    body = page[page.index("<tbody") :]
    return re.findall(r"/people/\d+/\">(\w+) ", body)


def cohort_url(world, **params) -> str:
    url = reverse("cohort", args=[world.northmoor.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


@pytest.fixture
def cohort(world):
    pat = world.users["pat"]
    hilltop = world.northmoor.districts.get(name="Hilltop")
    riverside = world.northmoor.districts.get(name="Riverside")
    hal, _ = actions.add_cohort_member(
        by=pat,
        service=world.northmoor,
        new_person=dict(
            local_id="N003", pnc_id="09/123456A", first_name="Hal", last_name="Zephyr", date_of_birth=days_ago(14 * 365 + 30),
            sex="male", ethnicity="Black", looked_after=True, district=hilltop, yot_caseload=False,
        ),
        index_outcome=dict(outcome_type="youth_conditional_caution", offence_date=days_ago(230), outcome_date=days_ago(200), gravity=2),
    )
    actions.add_review_action(by=pat, person=hal, raised_on=days_ago(20), trigger="periodic_review", action="review", status="pending")
    cal, _ = actions.add_cohort_member(
        by=pat,
        service=world.northmoor,
        new_person=dict(
            local_id="N004", first_name="Cal", last_name="Abbott", date_of_birth=days_ago(16 * 365 + 110),
            sex="female", ethnicity="Asian", looked_after=False, district=riverside, yot_caseload=True,
        ),
        index_outcome=dict(outcome_type="yro", offence_date=days_ago(130), outcome_date=days_ago(100), gravity=4),
    )
    actions.add_review_action(
        by=pat, person=cal, raised_on=days_ago(30), trigger="periodic_review", action="review", status="completed", completed_on=days_ago(10)
    )
    return SimpleNamespace(hal=hal, cal=cal)


# The list ---------------------------------------------------------------------------------------


def test_list_shows_this_services_children_only(world, cohort):
    response = world.client("pat").get(cohort_url(world))
    assert response.status_code == 200
    page = text(response)
    assert sorted(names_in_order(page)) == sorted(DEFAULT_ORDER)
    assert "Eve Otherchild" not in page and "Otherchild" not in page and "E001" not in page
    assert f"Showing {len(ENTRIES)} of {len(ENTRIES)} cohort entries" in page
    for shown in ("N001", "Referral order", "Youth conditional caution", quarter_label(quarter_of(INDEX_DATES["Hal"]))):
        assert shown in page, shown
    assert " style=" not in page and "<script>" not in page


def test_latest_action_and_alerts_show_in_words_with_their_reasons(world, cohort):
    page = text(world.client("pat").get(cohort_url(world, sort="name", dir="asc")))
    ned_row = page[page.index(">Ned ") : page.index(">Nia ")]
    assert "govuk-tag--red" in ned_row and "Action required – not completed" in ned_row
    assert "Early reoffending" in ned_row and "Action overdue" in ned_row
    assert "<details" in ned_row and "First further offence on" in ned_row  # the reason, readable without JS
    assert "Pending" in page and "Completed" in page and "No action recorded" in page


def test_default_is_newest_entry_first(world, cohort):
    page = text(world.client("pat").get(cohort_url(world)))
    assert names_in_order(page) == DEFAULT_ORDER
    assert 'aria-sort="descending"' in page


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"sex": "female"}, {"Nia", "Cal"}),
        ({"district": "Hilltop"}, {"Hal"}),
        ({"looked_after": "yes"}, {"Hal"}),
        ({"yot_caseload": "no"}, {"Hal"}),
        ({"ethnicity": "Asian"}, {"Cal"}),
        ({"tier": "community"}, {"Cal"}),
        ({"index_disposal": "referral_order"}, {"Ned"}),
        ({"likelihood_band": "not+assessed"}, {"Ned", "Nia", "Hal", "Cal"}),
        ({"likelihood_band": "high"}, set()),
        ({"alert": "any"}, {"Ned"}),
        ({"alert": "none"}, {"Nia", "Hal", "Cal"}),
        ({"alert": "early_reoffending"}, {"Ned"}),
        ({"alert": "prolific"}, set()),
        ({"status": "required"}, {"Ned"}),
        ({"status": "pending"}, {"Hal"}),
        ({"status": "completed"}, {"Cal"}),
        ({"status": "none"}, {"Nia"}),
        ({"sex": "female", "status": "none"}, {"Nia"}),
    ],
    ids=lambda value: "&".join(f"{k}={v}" for k, v in value.items()) if isinstance(value, dict) else None,
)
def test_each_filter_narrows_the_list(world, cohort, params, expected):
    page = text(world.client("pat").get(cohort_url(world, **params)))
    shown = names_in_order(page)
    assert set(shown) == expected
    if params not in ({"alert": "early_reoffending"}, {"index_disposal": "referral_order"}):  # only Ned's first entry
        assert len(shown) == entries_of(*expected)
    assert f"Showing {len(shown)} of {len(ENTRIES)} cohort entr" in page
    if expected:
        assert "Selected filters" in page and "Clear filters" in page
    else:
        assert "No cohort entries match these filters." in page


def test_age_filter_uses_the_age_at_entry(world, cohort):
    page = text(world.client("pat").get(cohort_url(world, age="16")))
    assert set(names_in_order(page)) == {"Cal"}  # Nia, born 16 × 365 days ago, was 15 at entry


def test_quarter_shows_that_quarters_cohort(world, cohort):
    quarter = quarter_label(quarter_of(INDEX_DATES["Hal"]))
    expected = [name for name, day in ENTRIES if quarter_label(quarter_of(day)) == quarter]
    page = text(world.client("pat").get(cohort_url(world, quarter=quarter)))
    assert sorted(names_in_order(page)) == sorted(expected)
    assert f"Cohort {quarter}" in page
    assert f"Showing {len(expected)} of {len(expected)} cohort entr" in page
    # The choices are the recent quarters that have entries.
    options = re.findall(r'<option value="(\d{4}Q\d)"', page)
    assert set(options) == {quarter_label(quarter_of(day)) for _, day in ENTRIES}


def test_a_filter_value_the_form_does_not_know_is_ignored_and_said_so(world, cohort):
    page = text(world.client("pat").get(cohort_url(world, sex="robot", district="Hilltop")))
    assert set(names_in_order(page)) == {"Hal"}
    assert "This filter was ignored" in page


def test_removing_a_selected_filter_keeps_the_others(world, cohort):
    page = text(world.client("pat").get(cohort_url(world, sex="female", status="none")))
    links = re.findall(r'class="moj-filter__tag" href="([^"]+)"', page)
    assert len(links) == 2
    removed_sex = [link for link in links if "sex=" not in link][0]
    assert "status=none" in removed_sex
    assert set(names_in_order(text(world.client("pat").get(cohort_url(world) + removed_sex.replace("&amp;", "&"))))) == {"Nia"}


STATUS_RANK = {"Cal": 0, "Nia": 1, "Hal": 2, "Ned": 3}  # completed < none < pending < required


@pytest.mark.parametrize(
    ("sort", "direction", "key"),
    [
        ("name", "asc", lambda name: (LAST_NAMES[name], name)),
        ("name", "desc", lambda name: (LAST_NAMES[name], name)),
        ("index_date", "asc", None),
        ("local_id", "asc", LOCAL_IDS.get),
        ("status", "desc", STATUS_RANK.get),
    ],
)
def test_sorting(world, cohort, sort, direction, key):
    page = text(world.client("pat").get(cohort_url(world, sort=sort, dir=direction)))
    if key is None:
        expected = DEFAULT_ORDER[::-1]
    else:  # a stable sort of the newest-first order, as the page does it
        expected = sorted(DEFAULT_ORDER, key=key, reverse=direction == "desc")
    assert names_in_order(page) == expected
    assert f'aria-sort="{"ascending" if direction == "asc" else "descending"}"' in page


def test_sort_links_keep_the_filters_and_reverse_the_current_column(world, cohort):
    page = text(world.client("pat").get(cohort_url(world, sex="female", sort="name", dir="asc")))
    name_header = re.search(r'<th[^>]*aria-sort="ascending"><a class="govuk-link" href="([^"]+)">Name', page)
    assert name_header, "the Name column is marked as sorted ascending"
    assert "sex=female" in name_header.group(1) and "dir=desc" in name_header.group(1)
    assert page.count('aria-sort="none"') == 8


def test_buttons_follow_permissions(world, cohort):
    pat_page = text(world.client("pat").get(cohort_url(world)))
    assert "Add a cohort member" in pat_page and "Export to Excel" not in pat_page
    percy_page = text(world.client("percy").get(cohort_url(world, sex="female")))
    assert "Add a cohort member" in percy_page and "Export to Excel" in percy_page
    assert reverse("cohort-export", args=[world.northmoor.pk]) + "?sex=female" in percy_page


def test_other_service_is_not_found_and_board_viewer_refused(world):
    assert world.client("olly").get(cohort_url(world)).status_code == 404
    assert world.client("bea").get(cohort_url(world)).status_code == 403


# Pure filtering and sorting ---------------------------------------------------------------------


def row(name: str, *, status: str = "none", alerts=(), **entry) -> CohortRow:
    base = dict(
        age_at_index=15, sex="male", ethnicity="White", looked_after=False, district="Riverside", tier="pre_court",
        index_disposal="youth_caution", intervention_level=None, likelihood_band=None, yot_caseload=True,
        quarter="2025Q3", index_date=dt.date(2025, 8, 1), follow_up_end=dt.date(2026, 8, 1), further_offences=0,
    )
    person = SimpleNamespace(first_name=name, last_name="Test", local_id=name.upper())
    action = None if status == "none" else SimpleNamespace(status=status)
    return CohortRow(entry={**base, **entry}, person=person, alerts=[{"alert": a} for a in alerts], latest_action=action, months_since_entry=3)


def test_filter_rows_matches_every_criterion_and_ignores_blanks():
    rows = [
        row("a", sex="female", intervention_level="standard", alerts=["prolific"]),
        row("b", looked_after=True, likelihood_band="high", status="pending"),
        row("c", yot_caseload=False, status="completed", age_at_index=17),
    ]

    def names(criteria):
        return [r.person.first_name for r in filter_rows(rows, criteria)]

    assert names({}) == ["a", "b", "c"]
    assert names({"sex": "", "quarter": "2025Q3", "unknown": "x"}) == ["a", "b", "c"]
    assert names({"sex": "female"}) == ["a"]
    assert names({"intervention_level": "not assessed"}) == ["b", "c"]
    assert names({"likelihood_band": "high"}) == ["b"]
    assert names({"looked_after": "no"}) == ["a", "c"]
    assert names({"yot_caseload": "no"}) == ["c"]
    assert names({"alert": "prolific"}) == ["a"]
    assert names({"alert": "none"}) == ["b", "c"]
    assert names({"status": "none"}) == ["a"]
    assert names({"age": "17", "status": "completed"}) == ["c"]
    assert names({"age": "17", "status": "pending"}) == []


def test_sort_rows_falls_back_to_newest_entry_first():
    rows = [row("a", index_date=dt.date(2025, 7, 1), further_offences=2), row("b", index_date=dt.date(2025, 9, 1), further_offences=5)]
    assert [r.person.first_name for r in sort_rows(rows, "nonsense", "desc")] == ["b", "a"]
    assert [r.person.first_name for r in sort_rows(rows, "further", "asc")] == ["a", "b"]


# Export -----------------------------------------------------------------------------------------


def export_url(world) -> str:
    return reverse("cohort-export", args=[world.northmoor.pk])


def test_export_asks_for_a_purpose_and_carries_the_filters(world, cohort):
    response = world.client("percy").get(export_url(world) + "?sex=female&sort=name&dir=asc")
    page = text(response)
    assert response.status_code == 200
    assert "Export 2 cohort entries to Excel" in page and "Sex: Female" in page
    for hidden in ('name="sex" value="female"', 'name="sort" value="name"', 'name="dir" value="asc"'):
        assert hidden in page


def test_export_without_a_purpose_gives_no_file_and_no_audit(world, cohort):
    response = world.client("percy").post(export_url(world), {"sex": "female", "purpose": ""})
    page = text(response)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert "There is a problem" in page and "Enter why you are exporting the cohort" in page
    assert 'name="sex" value="female"' in page  # the filters survive the error
    assert not AuditEvent.objects.filter(verb="export").exists()


def test_export_asks_who_will_see_it_and_defaults_to_outside_the_service(world, cohort):
    page = text(world.client("percy").get(export_url(world)))
    assert "Who will see it?" in page
    assert re.search(r'<input class="govuk-radios__input" id="id_audience" name="audience" type="radio" value="outside"[^>]* checked>', page)
    assert re.search(r'value="within"[^>]*>', page) and not re.search(r'value="within"[^>]* checked>', page)


def test_export_returns_the_filtered_workbook_and_audits_it(world, cohort):
    response = world.client("percy").post(
        export_url(world), {"sex": "female", "sort": "name", "dir": "asc", "audience": "within", "purpose": "Quarterly board report"}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"] == f'attachment; filename="northmoor-cohort-{TODAY.isoformat()}.xlsx"'
    sheet = load_workbook(io.BytesIO(response.content))["Cohort"]
    header = [cell.value for cell in sheet[1]]
    assert header[:6] == ["Local ID", "PNC ID", "First name", "Last name", "Date of birth", "Age at index"]
    assert "Further offences" in header and "Action status" in header and "Alerts" in header
    rows = [dict(zip(header, (cell.value for cell in line))) for line in sheet.iter_rows(min_row=2)]
    assert [(r["Local ID"], r["First name"]) for r in rows] == [("N004", "Cal"), ("N002", "Nia")]
    assert isinstance(rows[0]["Index date"], dt.datetime) and rows[0]["Index date"].date() == INDEX_DATES["Cal"]
    assert rows[0]["Index disposal"] == "Youth rehabilitation order" and rows[0]["Action status"] == "Completed"
    assert rows[1]["Action status"] == "No action recorded"
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == f"A1:{sheet.cell(1, len(header)).column_letter}3"
    event = AuditEvent.objects.get(verb="export")
    assert (event.username, event.service, event.purpose, event.object_type) == ("percy", world.northmoor, "Quarterly board report", "young_person")
    assert sorted(event.object_ids) == sorted([str(cohort.cal.pk), str(world.nia.pk)])
    assert event.summary == "Exported 2 cohort entries (identifiable, within the service)" and "Nia" not in event.summary


def test_exported_alerts_carry_their_reasons(world, cohort):
    response = world.client("percy").post(export_url(world), {"alert": "early_reoffending", "audience": "within", "purpose": "Review meeting pack"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    header = [cell.value for cell in sheet[1]]
    (ned,) = [dict(zip(header, (c.value for c in line))) for line in sheet.iter_rows(min_row=2)]
    assert ned["Local ID"] == "N001" and "Early reoffending" in ned["Alerts"]
    assert "First further offence on" in ned["Why the alerts fired"]


def test_only_managers_and_performance_officers_may_export(world, cohort):
    for persona in ("pat", "bea"):
        assert world.client(persona).post(export_url(world), {"purpose": "Quarterly board report"}).status_code == 403
    assert world.client("olly").get(export_url(world)).status_code in (403, 404)
    assert not AuditEvent.objects.filter(verb="export").exists()


# Adding a cohort member -------------------------------------------------------------------------


def add_url(world) -> str:
    return reverse("add-member", args=[world.northmoor.pk])


def new_child(**changes) -> dict:
    data = {
        "local_id": "N100",
        "pnc_id": "",
        "first_name": "Robin",
        "last_name": "Fallowmere",
        "date_of_birth": days_ago(15 * 365).isoformat(),
        "sex": "male",
        "ethnicity": "Mixed",
        "district": "",
        "looked_after": "on",
        "yot_caseload": "on",
        "outcome_type": "referral_order",
        "offence_date": days_ago(50).isoformat(),
        "outcome_date": days_ago(40).isoformat(),
        "release_date": "",
        "offence_type": "Theft",
        "gravity": "3",
    }
    data.update(changes)
    return data


def counts():
    return YoungPerson.objects.count(), Outcome.objects.count()


def test_add_member_creates_the_person_and_outcome_and_audits_them(world):
    hilltop = world.northmoor.districts.get(name="Hilltop")
    client = world.client("pat")
    response = client.post(add_url(world), new_child(district=str(hilltop.pk)))
    person = YoungPerson.objects.get(service=world.northmoor, local_id="N100")
    assert response.status_code == 302 and response["Location"] == reverse("person", args=[world.northmoor.pk, person.pk])
    assert (person.first_name, person.district, person.looked_after, person.yot_caseload) == ("Robin", hilltop, True, True)
    outcome = person.outcomes.get()
    assert (outcome.outcome_type, outcome.outcome_date, outcome.gravity, outcome.offence_type) == ("referral_order", days_ago(40), 3, "Theft")
    events = AuditEvent.objects.filter(username="pat", verb="create", object_type__in=["young_person", "outcome"]).order_by("-id")[:2]
    assert {e.object_type for e in events} == {"young_person", "outcome"}
    assert all("Robin" not in e.summary for e in events)
    assert "The young person was added to the cohort." in text(client.get(response["Location"]))
    assert "Robin Fallowmere" in text(client.get(cohort_url(world)))


def test_custody_needs_a_release_date_and_enters_on_release(world):
    client = world.client("pat")
    before = counts()
    page = text(client.post(add_url(world), new_child(outcome_type="dto")))
    assert "There is a problem" in page and "enter the release date" in page and counts() == before
    response = client.post(add_url(world), new_child(outcome_type="dto", outcome_date=days_ago(200).isoformat(), offence_date=days_ago(220).isoformat(), release_date=days_ago(20).isoformat()))
    assert response.status_code == 302
    assert YoungPerson.objects.get(local_id="N100").outcomes.get().release_date == days_ago(20)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"outcome_date": (TODAY + dt.timedelta(days=3)).isoformat()}, "outcome_date", "The date cannot be in the future."),
        ({"offence_date": (TODAY + dt.timedelta(days=1)).isoformat()}, "offence_date", "The date cannot be in the future."),
        ({"date_of_birth": days_ago(18 * 365 + 60).isoformat()}, "date_of_birth", "this service's cohort is aged 10 to 17"),
        ({"outcome_type": "community_resolution"}, "outcome_type", "Choose an outcome that puts a child in the cohort"),
        ({"outcome_date": days_ago(60).isoformat()}, "outcome_date", "on or after the offence date"),
        ({"gravity": "9"}, "gravity", "less than or equal to 8"),
        ({"date_of_birth": "31/02/2010"}, "date_of_birth", "Enter a real date"),
        ({"local_id": ""}, "local_id", "Enter the local ID"),
    ],
    ids=["future-outcome", "future-offence", "aged-18", "community-resolution", "outcome-before-offence", "gravity-9", "not-a-date", "no-local-id"],
)
def test_bad_input_gives_field_errors_and_saves_nothing(world, changes, field, message):
    client = world.client("pat")
    before, events = counts(), AuditEvent.objects.count()
    response = client.post(add_url(world), new_child(**changes))
    page = text(response)
    assert response.status_code == 200
    assert "There is a problem" in page and f'href="#id_{field}"' in page
    error = re.search(rf'id="id_{field}-error" class="govuk-error-message">(.*?)</p>', page, re.S)
    assert error and message in error.group(1)
    assert counts() == before and AuditEvent.objects.count() == events


def test_community_resolution_is_not_offered(world):
    page = text(world.client("pat").get(add_url(world)))
    assert 'value="referral_order"' in page and 'value="community_resolution"' not in page and 'value="charged"' not in page


def test_a_duplicate_local_id_is_shown_and_never_creates_a_second_person(world):
    client = world.client("pat")
    before = counts()
    data = new_child(local_id="n001", first_name="Someone", last_name="Else")
    page = text(client.post(add_url(world), data))
    assert "Possible duplicate" in page and "Ned Testchild" in page and "Same local ID" in page
    assert "This is a different child" not in page
    assert counts() == before
    # Insisting on a new person does not get round it.
    page = text(client.post(add_url(world), {**data, "confirm_new": "true"}))
    assert "Possible duplicate" in page and counts() == before
    assert YoungPerson.objects.filter(service=world.northmoor, local_id__iexact="N001").count() == 1


def test_the_outcome_can_be_added_to_the_existing_young_person(world):
    client = world.client("pat")
    data = new_child(local_id="N001", first_name="Ned", last_name="Testchild", outcome_type="youth_caution")
    page = text(client.post(add_url(world), data))
    assert 'name="use_existing" value="%d"' % world.ned.pk in page
    people = YoungPerson.objects.count()
    response = client.post(add_url(world), {**data, "use_existing": str(world.ned.pk)})
    assert response.status_code == 302 and response["Location"] == reverse("person", args=[world.northmoor.pk, world.ned.pk])
    assert YoungPerson.objects.count() == people
    assert world.ned.outcomes.filter(outcome_type="youth_caution", outcome_date=days_ago(40)).exists()
    assert "The index outcome was added to this young person's record." in text(client.get(response["Location"]))


def test_a_pnc_id_match_is_offered_and_cannot_be_added_as_new(world, cohort):
    client = world.client("pat")
    before = counts()
    data = new_child(pnc_id="09/123456a")
    page = text(client.post(add_url(world), data))
    assert "Possible duplicate" in page and "Hal Zephyr" in page and "Same PNC ID" in page
    assert "This is a different child" not in page
    assert text(client.post(add_url(world), {**data, "confirm_new": "true"})).count("Possible duplicate") >= 1
    assert counts() == before


def test_a_name_and_date_of_birth_match_is_offered_and_a_different_child_can_be_confirmed(world):
    client = world.client("pat")
    before = counts()
    data = new_child(first_name="nia", last_name="TESTCHILD", date_of_birth=world.nia.date_of_birth.isoformat())
    page = text(client.post(add_url(world), data))
    assert "Possible duplicate" in page and "Nia Testchild" in page and "Same name and date of birth" in page
    assert "This is a different child" in page and counts() == before
    response = client.post(add_url(world), {**data, "confirm_new": "true"})
    assert response.status_code == 302
    assert YoungPerson.objects.filter(service=world.northmoor, first_name__iexact="nia", date_of_birth=world.nia.date_of_birth).count() == 2


def test_another_services_child_is_not_a_duplicate_and_cannot_be_chosen(world):
    client = world.client("pat")
    data = new_child(local_id="E001", first_name="Eve", last_name="Otherchild", date_of_birth=world.eve.date_of_birth.isoformat())
    response = client.post(add_url(world), {**data, "use_existing": str(world.eve.pk)})
    assert response.status_code == 302
    assert not world.eve.outcomes.filter(outcome_date=days_ago(40)).exists()
    assert YoungPerson.objects.get(service=world.northmoor, local_id="E001").first_name == "Eve"


def test_district_choices_are_this_services(world):
    page = text(world.client("pat").get(add_url(world)))
    assert ">Riverside<" in page and ">Hilltop<" in page and ">Harbour<" not in page


def test_add_member_permissions(world):
    assert world.client("bea").get(add_url(world)).status_code == 403
    assert world.client("olly").post(add_url(world), new_child()).status_code == 404
    assert not YoungPerson.objects.filter(local_id="N100").exists()
