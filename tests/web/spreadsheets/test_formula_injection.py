"""The workbooks the web application writes hold user text as text, never as a formula: the cohort
(tracker) workbook, the case-file export and the blank template — read by openpyxl, in their XML,
and by LibreOffice Calc; and the case-file export imports back to exactly the same text."""

from __future__ import annotations

import csv
import io
from types import SimpleNamespace

import pytest
from django.urls import reverse
from formulas import HOSTILE, formula_cells
from office import soffice
from openpyxl import load_workbook
from web_helpers import PASSWORD, days_ago

from reoffkit.casefile import read_case_file
from reoffkit.web.spreadsheets.importing import commit_import, plan_import
from reoffkit.web.tracker import actions
from reoffkit.web.tracker.models import Outcome, Role, YoungPerson

CSV_FILTER = "csv:Text - txt - csv (StarCalc):44,34,76,1"
LINK, PLUS, MINUS, AT, EQUALS = HOSTILE[:5]


@pytest.fixture
def hostile(world):
    """A Northmoor child whose names, local ID, PNC ID, district and offence type begin like
    formulas, with a review action owned by a member of staff whose name does too."""
    owner = actions.create_staff_user(
        by=world.users["ada"], username="oscar", password=PASSWORD, role=Role.PRACTITIONER, services=[world.northmoor],
        first_name=AT, last_name=EQUALS,
    )  # fmt: skip
    district = actions.add_district(by=world.users["ada"], service=world.northmoor, name=HOSTILE[5])
    child, _ = actions.add_cohort_member(
        by=world.users["pat"],
        service=world.northmoor,
        new_person=dict(
            local_id=MINUS, pnc_id=PLUS, first_name=LINK, last_name=EQUALS, date_of_birth=days_ago(15 * 365),
            sex="female", ethnicity="White", looked_after=False, district=district, yot_caseload=True,
        ),
        index_outcome=dict(outcome_type="referral_order", offence_date=days_ago(70), outcome_date=days_ago(60), gravity=3, offence_type=EQUALS),
    )  # fmt: skip
    actions.add_review_action(
        by=world.users["pat"], person=child, raised_on=days_ago(20), trigger="further_offence", action="review", status="pending", owner=owner,
        due_on=days_ago(-5), notes=LINK,
    )  # fmt: skip
    return SimpleNamespace(child=child, owner=owner)


def cohort_workbook(world) -> bytes:
    response = world.client("percy").post(reverse("cohort-export", args=[world.northmoor.pk]), {"audience": "within", "purpose": "Check the export"})
    assert response.status_code == 200
    return response.content


def test_the_cohort_workbook_holds_hostile_text_as_text(world, hostile):
    content = cohort_workbook(world)
    assert formula_cells(content) == []
    sheet = load_workbook(io.BytesIO(content))["Cohort"]
    header = [c.value for c in sheet[1]]
    row = next(dict(zip(header, line)) for line in sheet.iter_rows(min_row=2) if line[0].value == MINUS)
    expected = {"Local ID": MINUS, "PNC ID": PLUS, "First name": LINK, "Last name": EQUALS, "Action owner": f"{AT} {EQUALS}"}
    assert {name: row[name].value for name in expected} == expected
    assert all(row[name].data_type == "s" and row[name].quotePrefix for name in expected)  # Excel keeps them text when edited
    assert isinstance(row["Age at index"].value, int) and row["Age at index"].data_type == "n"


def test_libreoffice_shows_the_cohort_workbooks_hostile_text_unevaluated(world, hostile, tmp_path):
    """Had any of them been a formula, Calc would show its result ("2" for =1+1, "1" for -1+2)."""
    source = tmp_path / "cohort.xlsx"
    source.write_bytes(cohort_workbook(world))
    lines = list(csv.reader(io.StringIO(soffice(tmp_path, source, CSV_FILTER).decode("utf-8"))))
    row = next(dict(zip(lines[0], line)) for line in lines[1:] if line[0] == MINUS)
    assert (row["PNC ID"], row["First name"], row["Last name"], row["Action owner"]) == (PLUS, LINK, EQUALS, f"{AT} {EQUALS}")


def test_the_case_file_export_has_no_formula_and_imports_back_to_the_same_text(world, hostile, tmp_path, settings):
    settings.DATA_DIR = tmp_path / "data"
    client = world.client("percy")
    response = client.post(reverse("export-case-file", args=[world.northmoor.pk]), {"purpose": "moving to the new installation"})
    assert response.status_code == 200
    assert formula_cells(response.content) == []
    template = client.get(reverse("import-template", args=[world.northmoor.pk]))
    assert template.status_code == 200 and formula_cells(template.content) == []

    exported = tmp_path / "exported.xlsx"
    exported.write_bytes(response.content)
    copy = actions.create_service(by=world.users["ada"], name="Northmoor copy")
    actions.update_staff_user(by=world.users["ada"], user=world.users["percy"], role=Role.PERFORMANCE, services=[world.northmoor, copy])
    case = read_case_file(exported)
    assert case.ok, [str(p) for p in case.problems if p.severity == "error"]
    commit_import(plan_import(copy, case), by=world.users["percy"])
    person = YoungPerson.objects.select_related("district").get(service=copy, local_id=MINUS)
    assert (person.pnc_id, person.first_name, person.last_name, person.district.name) == (PLUS, LINK, EQUALS, HOSTILE[5])
    assert Outcome.objects.get(person=person, offence_type=EQUALS).outcome_type == "referral_order"
