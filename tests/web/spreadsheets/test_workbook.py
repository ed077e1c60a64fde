"""The cohort workbook: its live-tracker shape, the pseudonymised export for sharing outside the
service, and LibreOffice Calc as a second real client (``make office`` installs it).

Besides the shared world (Northmoor's Ned: required action owned by pat, early reoffending; Nia: no
action; Eastfield's Eve), ``tracker`` adds two Northmoor children: Hal (a PNC ID, a pending action
owned by mandy with a due date) and Fay (six further offences after her referral order).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from types import SimpleNamespace

import pytest
from django.test import override_settings
from django.urls import reverse
from office import soffice
from openpyxl import load_workbook
from web_helpers import TODAY, days_ago

from reoffkit.disclosure import FEWER, SUPPRESSED
from reoffkit.engine import CohortMeasures, codes
from reoffkit.web.spreadsheets import workbook
from reoffkit.web.tracker import actions, queries
from reoffkit.web.tracker.models import ACTION_CHOICES, AuditEvent, Role
from reoffkit.web.tracker.views.summary import quarter_figures

STATUS_WORDS = [words for _, words in codes.ACTION_STATUS_RAG.values()]
ACTION_WORDS = [words for _, words in ACTION_CHOICES]
FAY_OFFENCES = [days_ago(days) for days in (140, 130, 120, 110, 100, 90)]

WITHIN_HEADERS = [
    "Local ID", "PNC ID", "First name", "Last name", "Date of birth",
    "Age at index", "Cohort", "Index date", "Index disposal", "Disposal tier", "Follow-up ends", "Months since entry",
    "Further offences", "First further offence", "Days to first further offence",
    "Further offence 1", "Further offence 2", "Further offence 3", "Further offence 4", "Further offence 5",
    "Alerts", "Why the alerts fired",
    "Action trigger", "Action", "Action status", "Action owner", "Action raised", "Action due", "Action completed",
]  # fmt: skip
OUTSIDE_HEADERS = ["Pseudonymous ID", *WITHIN_HEADERS[5:25], *WITHIN_HEADERS[26:]]
MEASURE_HEADERS = [
    "Cohort", "Months", "Cohort size", "Reoffenders", "Further offences", "Binary rate", "Binary rate 95% low",
    "Binary rate 95% high", "Frequency rate", "Further offences per reoffender", "Status", "Final on",
]  # fmt: skip


@pytest.fixture
def tracker(world):
    pat, mandy = world.users["pat"], world.users["mandy"]
    hilltop = world.northmoor.districts.get(name="Hilltop")
    hal, _ = actions.add_cohort_member(
        by=pat,
        service=world.northmoor,
        new_person=dict(
            local_id="N003", pnc_id="09/123456A", first_name="Hal", last_name="Zephyr", date_of_birth=days_ago(14 * 365 + 30),
            sex="male", ethnicity="Black", looked_after=True, district=hilltop, yot_caseload=False,
        ),
        index_outcome=dict(outcome_type="youth_conditional_caution", offence_date=days_ago(230), outcome_date=days_ago(200), gravity=2),
    )  # fmt: skip
    hal_action = actions.add_review_action(
        by=pat, person=hal, raised_on=days_ago(20), trigger="periodic_review", action="re_assessment", status="pending", owner=mandy, due_on=days_ago(-10)
    )
    fay, _ = actions.add_cohort_member(
        by=pat,
        service=world.northmoor,
        new_person=dict(
            local_id="N005", pnc_id="10/654321B", first_name="Fay", last_name="Quillfeather", date_of_birth=days_ago(17 * 365 + 250),
            sex="female", ethnicity="White", looked_after=False, district=hilltop, yot_caseload=True,
        ),
        index_outcome=dict(outcome_type="referral_order", offence_date=days_ago(160), outcome_date=days_ago(150), gravity=3),
    )  # fmt: skip
    for offence in FAY_OFFENCES:
        actions.add_outcome(by=pat, person=fay, outcome_type="fine", offence_date=offence, outcome_date=offence + dt.timedelta(days=5), gravity=2)
    return SimpleNamespace(hal=hal, hal_action=hal_action, fay=fay)


def export_url(service) -> str:
    return reverse("cohort-export", args=[service.pk])


def export(world, audience: str | None, persona: str = "percy", service=None, **filters):
    data = {**filters, "purpose": "Board pack for the partnership"}
    if audience is not None:
        data["audience"] = audience
    response = world.client(persona).post(export_url(service or world.northmoor), data)
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    return response


def book_of(response):
    return load_workbook(io.BytesIO(response.content))


def records(sheet) -> list[dict]:
    header = [cell.value for cell in sheet[1]]
    return [dict(zip(header, (cell.value for cell in line))) for line in sheet.iter_rows(min_row=2)]


def day(value) -> dt.date | None:
    return value.date() if isinstance(value, dt.datetime) else value


def rows_of(records_: list[dict], key: str, value) -> list[dict]:
    return [r for r in records_ if r[key] == value]


def first_entry(rows: list[dict]) -> dict:
    """The earliest of a child's cohort entries (a later fine can make another entry)."""
    return min(rows, key=lambda r: r["Index date"])


# The live-tracker shape --------------------------------------------------------------------------


def test_the_cohort_sheet_has_the_trackers_columns_in_order(world, tracker):
    book = book_of(export(world, "within"))
    assert book.sheetnames == ["Cohort", "Measures"]
    assert [cell.value for cell in book["Cohort"][1]] == WITHIN_HEADERS
    assert [cell.value for cell in book["Measures"][1]] == MEASURE_HEADERS
    pseudonymised = book_of(export(world, "outside"))
    assert [cell.value for cell in pseudonymised["Cohort"][1]] == OUTSIDE_HEADERS


def test_one_row_per_cohort_entry_in_the_pages_order(world, tracker):
    listing = percy_listing(world)
    shown = records(book_of(export(world, "within"))["Cohort"])
    assert [(r["Local ID"], day(r["Index date"])) for r in shown] == [(row.person.local_id, row.entry["index_date"]) for row in listing.rows]
    assert {"N001", "N002", "N003", "N005"} <= {r["Local ID"] for r in shown} and "E001" not in {r["Local ID"] for r in shown}


def percy_listing(world, **params):
    from django.http import QueryDict

    from reoffkit.web.tracker.views.cohort import cohort_listing

    query = QueryDict(mutable=True)
    query.update(params)
    return cohort_listing(world.northmoor, query, today=TODAY)


def test_index_further_offence_alert_and_action_columns(world, tracker):
    shown = records(book_of(export(world, "within"))["Cohort"])
    fay = first_entry(rows_of(shown, "Local ID", "N005"))
    assert (fay["First name"], fay["Last name"], fay["PNC ID"], day(fay["Date of birth"])) == ("Fay", "Quillfeather", "10/654321B", tracker.fay.date_of_birth)
    assert day(fay["Index date"]) == days_ago(150) and fay["Index disposal"] == "Referral order" and fay["Disposal tier"] == "First-tier"
    assert fay["Age at index"] == 17 and re.fullmatch(r"\d{4}Q[1-4]", fay["Cohort"])
    assert day(fay["Follow-up ends"]) > TODAY
    assert fay["Further offences"] == 6
    assert day(fay["First further offence"]) == FAY_OFFENCES[0] and fay["Days to first further offence"] == 10
    assert [day(fay[f"Further offence {n}"]) for n in range(1, 6)] == FAY_OFFENCES[:5]  # the sixth is counted, not listed
    assert "Turns 18 in follow-up" in fay["Alerts"] and "Early reoffending" in fay["Alerts"]
    eighteenth = tracker.fay.date_of_birth.replace(year=tracker.fay.date_of_birth.year + 18)
    assert f"Turns 18 on {eighteenth:%-d %b %Y}" in fay["Why the alerts fired"]
    assert fay["Action status"] == "No action recorded" and fay["Action"] is None

    hal = first_entry(rows_of(shown, "Local ID", "N003"))
    assert (hal["Action trigger"], hal["Action"], hal["Action status"]) == ("Periodic review", "Re-assessment", "Pending")
    assert hal["Action owner"] == "mandy" and day(hal["Action due"]) == days_ago(-10) and day(hal["Action raised"]) == days_ago(20)
    assert hal["Action completed"] is None and hal["Further offences"] == 0 and hal["First further offence"] is None

    ned = first_entry(rows_of(shown, "Local ID", "N001"))
    assert ned["Action status"] == "Action required – not completed" and ned["Action owner"] == "pat"
    assert "Early reoffending" in ned["Alerts"] and "First further offence on" in ned["Why the alerts fired"]


def test_dates_are_real_dates_shown_day_first(world, tracker):
    sheet = book_of(export(world, "within"))["Cohort"]
    header = [cell.value for cell in sheet[1]]
    for name in ("Index date", "Follow-up ends", "Date of birth"):
        cell = sheet.cell(2, header.index(name) + 1)
        assert isinstance(cell.value, dt.datetime) and cell.number_format == "dd/mm/yyyy", name


def column_of(sheet, header: str) -> str:
    return next(cell.column_letter for cell in sheet[1] if cell.value == header)


def list_words(validation) -> list[str]:
    formula = validation.formula1
    assert formula.startswith('"') and formula.endswith('"'), formula
    return formula[1:-1].split(",")


def validations_by_column(sheet) -> dict[str, list[str]]:
    """Column letter → the words of the list validation that covers its first data row."""
    found = {}
    for validation in sheet.data_validations.dataValidation:
        assert validation.type == "list"
        for ref in str(validation.sqref).split():
            found[re.match(r"[A-Z]+", ref).group()] = list_words(validation)
    return found


@pytest.mark.parametrize("audience", ["within", "outside"])
def test_action_and_status_have_drop_downs_of_the_products_words(world, tracker, audience):
    sheet = book_of(export(world, audience))["Cohort"]
    by_column = validations_by_column(sheet)
    assert by_column == {column_of(sheet, "Action"): ACTION_WORDS, column_of(sheet, "Action status"): STATUS_WORDS}
    assert STATUS_WORDS == ["Action required – not completed", "Pending", "Completed"]
    for validation in sheet.data_validations.dataValidation:
        assert validation.allow_blank and validation.showErrorMessage and not validation.showDropDown  # openpyxl: True would hide the arrow
        (ref,) = str(validation.sqref).split()
        first, last = ref.split(":")
        assert first.endswith("2") and int(re.sub(r"[A-Z]+", "", last)) >= sheet.max_row  # every data row, and spare rows below


def rag_rules(sheet) -> dict[str, tuple[str, str]]:
    """Status words → (range, fill colour) of the conditional formats that key on them."""
    found = {}
    for formatting in sheet.conditional_formatting:
        for rule in formatting.rules:
            assert rule.type == "cellIs" and rule.operator == "equal"
            (formula,) = rule.formula
            fill = rule.dxf.fill
            colour = (fill.bgColor.rgb if fill.bgColor is not None and fill.bgColor.rgb not in (None, "00000000") else fill.fgColor.rgb)
            found[formula.strip('"')] = (str(formatting.sqref), colour[-6:])
    return found


@pytest.mark.parametrize("audience", ["within", "outside"])
def test_status_is_coloured_by_its_words(world, tracker, audience):
    sheet = book_of(export(world, audience))["Cohort"]
    rules = rag_rules(sheet)
    status = column_of(sheet, "Action status")
    assert set(rules) == set(STATUS_WORDS)
    expected = {"Action required – not completed": "FFC7CE", "Pending": "FFEB9C", "Completed": "C6EFCE"}
    for words, (ref, colour) in rules.items():
        assert ref.startswith(f"{status}2:{status}") and colour == expected[words], words
    # Colour is never the only signal: every status cell says it in words.
    values = {cell.value for cell in sheet[status][1:]}
    assert values <= set(STATUS_WORDS) | {"No action recorded"} and {"Pending", "Action required – not completed"} <= values


def test_autofilter_frozen_header_and_widths(world, tracker):
    book = book_of(export(world, "within"))
    sheet = book["Cohort"]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:{sheet.cell(1, len(WITHIN_HEADERS)).column_letter}{sheet.max_row}"
    for cell in sheet[1]:
        assert cell.font.bold
        width = sheet.column_dimensions[cell.column_letter].width
        assert 8 <= width <= 60, (cell.value, width)
        assert width >= min(len(cell.value), 24) + 2, (cell.value, width)  # long headers wrap
        longest = max((len(str(c.value)) for c in sheet[cell.column_letter][1:] if c.value is not None and not isinstance(c.value, dt.datetime)), default=0)
        assert width >= min(longest + 2, 40), (cell.value, width)
    assert sheet.column_dimensions[column_of(sheet, "Why the alerts fired")].width == 60
    assert sheet.column_dimensions[column_of(sheet, "Index date")].width >= 12
    measures = book["Measures"]
    assert measures.freeze_panes == "A2"
    assert all(10 <= measures.column_dimensions[c.column_letter].width <= 44 for c in measures[1])


# The Measures sheet -------------------------------------------------------------------------------


def measure_records(sheet) -> list[dict]:
    return [r for r in records(sheet) if r["Cohort"] and re.fullmatch(r"\d{4}Q[1-4]", str(r["Cohort"]))]


def test_measures_are_the_engines_and_the_summary_pages(world, tracker):
    shown = measure_records(book_of(export(world, "within"))["Measures"])
    expected = queries.summary_quarters(world.northmoor, as_at=TODAY, count=6)
    assert len(shown) == len(expected) >= 2
    for row, measures in zip(shown, expected):
        assert row["Cohort"] == f"{measures.period_start.year}Q{(measures.period_start.month - 1) // 3 + 1}"
        assert (row["Cohort size"], row["Reoffenders"], row["Further offences"]) == (measures.cohort_size, measures.reoffenders, measures.reoffences)
        for header, name in [("Binary rate", "binary_rate"), ("Binary rate 95% low", "binary_ci_low"), ("Binary rate 95% high", "binary_ci_high"),
                             ("Frequency rate", "frequency_rate"), ("Further offences per reoffender", "reoffences_per_reoffender")]:  # fmt: skip
            assert row[header] == pytest.approx(getattr(measures, name)) if getattr(measures, name) is not None else row[header] is None, header
        assert day(row["Final on"]) == measures.follow_up_complete_on
        assert row["Status"] == "Final" if not measures.provisional else row["Status"].startswith("Provisional")


def test_pseudonymised_measures_suppress_counts_under_5_as_the_summary_page_does(world, tracker):
    shown = measure_records(book_of(export(world, "outside"))["Measures"])
    expected = queries.summary_quarters(world.northmoor, as_at=TODAY, count=6)
    assert len(shown) == len(expected)
    suppressed_somewhere = False
    for row, measures in zip(shown, expected):
        page = quarter_figures(measures, suppress=True)
        for header, words in [("Cohort size", page.cohort_size), ("Reoffenders", page.reoffenders), ("Further offences", page.reoffences)]:
            if words == FEWER:
                assert row[header] == "fewer than 5"
                suppressed_somewhere = True
            else:
                assert row[header] == int(words) and not 1 <= row[header] <= 4
        for header, words in [("Binary rate", page.binary_rate), ("Frequency rate", page.frequency_rate),
                              ("Further offences per reoffender", page.reoffences_per_reoffender)]:  # fmt: skip
            if words == SUPPRESSED:
                assert row[header] is None, header
        if page.binary_rate == SUPPRESSED:
            assert row["Binary rate 95% low"] is None and row["Binary rate 95% high"] is None
    assert suppressed_somewhere, "the small test cohorts have counts from 1 to 4"
    notes = [r["Cohort"] for r in records(book_of(export(world, "outside"))["Measures"]) if r["Cohort"] and "fewer than 5" in str(r["Cohort"])]
    assert notes, "the sheet says what was suppressed"


def measures(**counts) -> CohortMeasures:
    base = dict(
        period_start=dt.date(2025, 1, 1), period_end=dt.date(2025, 3, 31), cohort_size=12, reoffenders=3, reoffences=7, binary_rate=0.25,
        binary_ci_low=0.09, binary_ci_high=0.53, frequency_rate=7 / 12, reoffences_per_reoffender=7 / 3, provisional=False,
        follow_up_complete_on=dt.date(2026, 9, 30), follow_up_months_elapsed=12, as_at=dt.date(2026, 12, 1),
    )  # fmt: skip
    return CohortMeasures(**{**base, **counts})


def test_measure_row_blanks_only_the_rates_made_from_a_suppressed_count():
    row = dict(zip(MEASURE_HEADERS, workbook.measure_row(measures(), suppress=True, follow_up_months=12)))
    assert (row["Cohort"], row["Months"]) == ("2025Q1", "Jan–Mar 2025")
    assert (row["Cohort size"], row["Reoffenders"], row["Further offences"]) == (12, "fewer than 5", 7)
    assert row["Binary rate"] is None and row["Binary rate 95% low"] is None and row["Binary rate 95% high"] is None
    assert row["Further offences per reoffender"] is None
    assert row["Frequency rate"] == pytest.approx(7 / 12)  # from two counts of 5 or more
    zero = dict(zip(MEASURE_HEADERS, workbook.measure_row(measures(reoffenders=0, reoffences=0, binary_rate=0.0, frequency_rate=0.0, reoffences_per_reoffender=None), suppress=True, follow_up_months=12)))
    assert (zero["Reoffenders"], zero["Binary rate"]) == (0, 0.0)  # a zero is no small group
    plain = dict(zip(MEASURE_HEADERS, workbook.measure_row(measures(), suppress=False, follow_up_months=12)))
    assert (plain["Reoffenders"], plain["Binary rate"]) == (3, 0.25)


# Pseudonymised export ----------------------------------------------------------------------------


def every_cell_text(book) -> list[str]:
    texts = []
    for sheet in book.worksheets:
        for line in sheet.iter_rows():
            for cell in line:
                if cell.value is not None:
                    texts.append(str(cell.value))
                    if isinstance(cell.value, (dt.date, dt.datetime)):
                        texts.append(day(cell.value).isoformat())
        texts.append(sheet.title)
    props = book.properties
    texts += [str(v) for v in (props.title, props.subject, props.creator, props.description, props.keywords) if v]
    return texts


def test_pseudonymised_export_has_no_name_id_or_date_of_birth_anywhere(world, tracker):
    response = export(world, "outside")
    book = book_of(response)
    texts = every_cell_text(book)
    children = [world.ned, world.nia, tracker.hal, tracker.fay]
    forbidden = []
    for child in children:
        child.refresh_from_db()
        forbidden += [child.first_name, child.last_name, child.local_id] + ([child.pnc_id] if child.pnc_id else [])
    def mentions(word: str, text: str) -> bool:
        return re.search(rf"(?<![A-Za-z0-9]){re.escape(word)}(?![A-Za-z0-9])", text, re.IGNORECASE) is not None

    for text in texts:
        for word in forbidden:
            assert not mentions(word, text), (word, text)
    dates_of_birth = {child.date_of_birth for child in children}
    birthdays = {born.replace(year=born.year + 18) for born in dates_of_birth}  # the 18th gives the date of birth away
    for sheet in book.worksheets:
        for line in sheet.iter_rows():
            for cell in line:
                if isinstance(cell.value, (dt.date, dt.datetime)):
                    assert day(cell.value) not in dates_of_birth | birthdays, cell.coordinate
                elif isinstance(cell.value, str):
                    for born in dates_of_birth | birthdays:
                        for shown in (born.strftime("%d/%m/%Y"), born.isoformat(), born.strftime("%-d %b %Y"), born.strftime("%-d %B %Y")):
                            assert shown not in cell.value, (cell.coordinate, cell.value)
    # The raw file too (shared strings, properties), not only what openpyxl reads back.
    import zipfile

    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        raw = b" ".join(archive.read(name) for name in archive.namelist()).decode("utf-8", "replace")
    for word in forbidden:
        assert not mentions(word, raw), word
    assert any("Turns 18 before follow-up ends on" in text for text in texts)  # the alert stays, without the birthday
    header = [cell.value for cell in book["Cohort"][1]]
    assert "Date of birth" not in header and "Age at index" in header and "Action owner" not in header
    assert "pseudonymised" in response["Content-Disposition"]


def pseudonyms(response) -> list[str]:
    return [r["Pseudonymous ID"] for r in records(book_of(response)["Cohort"])]


def test_pseudonymous_ids_are_keyed_hashes_stable_across_exports(world, tracker):
    first, second = pseudonyms(export(world, "outside")), pseudonyms(export(world, None))  # no answer: outside
    assert first == second
    assert all(re.fullmatch(r"NO-[0-9a-f]{8}", value) for value in first)
    listing = percy_listing(world)
    expected = [workbook.pseudonym(world.northmoor, row.person.pk) for row in listing.rows]
    assert first == expected
    assert len(set(first)) == len({row.person.pk for row in listing.rows})  # one per child, repeated for a second entry
    import hashlib
    import hmac

    from django.conf import settings

    key = hashlib.sha256((f"reoffkit.workbook.pseudonym.service-{world.northmoor.pk}" + settings.SECRET_KEY).encode()).digest()
    assert workbook.pseudonym(world.northmoor, tracker.fay.pk) == "NO-" + hmac.new(key, str(tracker.fay.pk).encode(), hashlib.sha256).hexdigest()[:8]


def test_pseudonymous_ids_differ_between_services(world, tracker):
    world.users["erin"] = actions.create_staff_user(by="test-setup", username="erin", password="x" * 20, role=Role.PERFORMANCE, services=[world.eastfield])
    (eve_id,) = pseudonyms(export(world, "outside", persona="erin", service=world.eastfield))
    assert re.fullmatch(r"EA-[0-9a-f]{8}", eve_id)
    assert eve_id == workbook.pseudonym(world.eastfield, world.eve.pk)
    for pk in (world.eve.pk, world.ned.pk, tracker.fay.pk):
        assert workbook.pseudonym(world.eastfield, pk)[3:] != workbook.pseudonym(world.northmoor, pk)[3:]


def test_a_different_secret_key_gives_different_ids(world, tracker):
    before = workbook.pseudonym(world.northmoor, tracker.fay.pk)
    with override_settings(SECRET_KEY="another-deployment-" + "x" * 40):
        assert workbook.pseudonym(world.northmoor, tracker.fay.pk) != before


def test_the_audit_event_records_the_kind_of_export(world, tracker):
    export(world, "outside", sex="female")
    export(world, "within", sex="female")
    outside, within = AuditEvent.objects.filter(verb="export").order_by("id")
    for event in (outside, within):
        assert (event.username, event.service, event.purpose, event.object_type) == ("percy", world.northmoor, "Board pack for the partnership", "young_person")
        assert sorted(event.object_ids) == sorted([str(world.nia.pk), str(tracker.fay.pk)])
        assert "Fay" not in event.summary and "Nia" not in event.summary
    assert "(pseudonymised, for outside the service)" in outside.summary
    assert "(identifiable, within the service)" in within.summary


def test_an_unknown_audience_gives_no_file_and_no_audit(world, tracker):
    response = world.client("percy").post(export_url(world.northmoor), {"audience": "everyone", "purpose": "Board pack for the partnership"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert '<a href="#id_audience">Who will see it?: Choose who will see the workbook</a>' in page
    assert 'id="id_audience-error"' in page and 'id="id_audience" name="audience" type="radio" value="outside"' in page
    assert not AuditEvent.objects.filter(verb="export").exists()


# LibreOffice Calc as a second client ---------------------------------------------------------------

#: CSV filter options: comma, double quote, UTF-8 (76), from line 1.
CSV_FILTER = 'csv:Text - txt - csv (StarCalc):44,34,76,1'


def saved(tmp_path, response, name: str):
    path = tmp_path / name
    path.write_bytes(response.content)
    return path


def test_libreoffice_reads_the_workbook_as_csv(world, tracker, tmp_path):
    source = saved(tmp_path, export(world, "within", sort="local_id", dir="asc"), "cohort.xlsx")
    lines = list(csv.reader(io.StringIO(soffice(tmp_path, source, CSV_FILTER).decode("utf-8"))))
    assert lines[0] == WITHIN_HEADERS
    by_id = {}
    for line in lines[1:]:
        by_id.setdefault(line[0], []).append(dict(zip(WITHIN_HEADERS, line)))
    hal = by_id["N003"][0]
    assert (hal["PNC ID"], hal["First name"], hal["Last name"]) == ("09/123456A", "Hal", "Zephyr")
    assert hal["Index date"] == days_ago(200).strftime("%d/%m/%Y") and hal["Index disposal"] == "Youth conditional caution"
    assert (hal["Action"], hal["Action status"], hal["Action owner"]) == ("Re-assessment", "Pending", "mandy")
    ned = min(by_id["N001"], key=lambda r: dt.datetime.strptime(r["Index date"], "%d/%m/%Y"))
    assert ned["Action status"] == "Action required – not completed" and "Early reoffending" in ned["Alerts"]
    fay = min(by_id["N005"], key=lambda r: dt.datetime.strptime(r["Index date"], "%d/%m/%Y"))
    assert fay["Further offences"] == "6" and fay["Further offence 5"] == FAY_OFFENCES[4].strftime("%d/%m/%Y")
    assert by_id["N002"][0]["Action status"] == "No action recorded"


def test_libreoffice_reads_the_pseudonymised_workbook_without_names(world, tracker, tmp_path):
    response = export(world, "outside")
    text = soffice(tmp_path, saved(tmp_path, response, "shared.xlsx"), CSV_FILTER).decode("utf-8")
    lines = list(csv.reader(io.StringIO(text)))
    assert lines[0] == OUTSIDE_HEADERS
    assert [line[0] for line in lines[1:]] == pseudonyms(response)
    for word in ("Hal", "Zephyr", "Quillfeather", "Testchild", "N003", "09/123456A"):
        assert word not in text


def test_validations_and_conditional_formats_survive_a_libreoffice_round_trip(world, tracker, tmp_path):
    source = saved(tmp_path, export(world, "within"), "tracker.xlsx")
    resaved = tmp_path / "resaved.xlsx"
    resaved.write_bytes(soffice(tmp_path, source, "xlsx:Calc MS Excel 2007 XML"))
    book = load_workbook(resaved)
    assert book.sheetnames == ["Cohort", "Measures"]
    sheet = book["Cohort"]
    assert [cell.value for cell in sheet[1]] == WITHIN_HEADERS
    by_column = validations_by_column(sheet)
    assert by_column == {column_of(sheet, "Action"): ACTION_WORDS, column_of(sheet, "Action status"): STATUS_WORDS}
    status = column_of(sheet, "Action status")
    found = {}
    for formatting in sheet.conditional_formatting:
        for rule in formatting.rules:
            if rule.formula:
                found[rule.formula[0].strip('"')] = (str(formatting.sqref), rule)
    assert set(found) == set(STATUS_WORDS), found
    for words, (ref, rule) in found.items():
        assert ref.startswith(f"{status}2:{status}") and rule.type == "cellIs" and rule.operator == "equal", words
        assert rule.dxf is not None and rule.dxf.fill is not None, words
    assert sheet.auto_filter.ref == book_of(export(world, "within"))["Cohort"].auto_filter.ref
    values = {cell.value for cell in sheet[status][1:]}
    assert {"Pending", "Action required – not completed", "No action recorded"} <= values
    measures = records(book["Measures"])
    assert measures[0]["Cohort"] and isinstance(measures[0]["Cohort size"], int)
