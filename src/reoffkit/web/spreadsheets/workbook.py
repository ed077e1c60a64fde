"""The cohort export as a live-tracker workbook (.xlsx, built with openpyxl).

Sheet "Cohort": one row per cohort entry as the cohort page lists them (its filters and order) —
who the child is, the index details, the further offending, the alerts, and the latest review
action. The action and status columns carry drop-down lists of the product's words; the status
column is coloured red, amber or green by those words (the cell always shows the words, so colour is
never the only signal). Sheet "Measures": the measures of the service's recent quarterly cohorts,
the summary page's numbers (``queries.summary_quarters``).

Two kinds (:data:`AUDIENCES`): **within** the service (names, local and PNC IDs, date of birth) and
**outside** it, the default: pseudonymised — no names or IDs but a keyed hash of the child
(:func:`pseudonym`, stable within a service, different between services), the age at index instead
of the date of birth (and no 18th birthday in the alerts' reasons), no action owners, and on the Measures sheet counts from 1 to 4 shown as
"fewer than 5" with every rate made from them left blank (the summary page's rule,
``reoffkit.disclosure.withheld``).

Every cell goes in through :func:`reoffkit.cells.xlsx_row`: a name, an offence type or any other
text is a text cell, never a formula, whatever it begins with.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass
from typing import Callable

from reoffkit.cells import xlsx_row
from reoffkit.engine import CohortMeasures, codes
from reoffkit.web.tracker.models import ACTION_CHOICES, STATUS_CHOICES, TRIGGER_CHOICES
from reoffkit.web.tracker.queries import CohortRow

WITHIN, OUTSIDE = "within", "outside"
AUDIENCES = [
    (OUTSIDE, "People outside the service"),
    (WITHIN, "Only staff of the service"),
]
AUDIENCE_WORDS = {OUTSIDE: "pseudonymised, for outside the service", WITHIN: "identifiable, within the service"}
NO_ACTION = "No action recorded"
FURTHER_DATES_SHOWN = 5
DATE_FORMAT = "dd/mm/yyyy"

#: Red, amber and green as Excel's own "light fill, dark text" styles (readable, and printable).
RAG_STYLES = {"red": ("FFC7CE", "9C0006"), "amber": ("FFEB9C", "9C5700"), "green": ("C6EFCE", "006100")}


# Pseudonyms -------------------------------------------------------------------------------------


def pseudonym_prefix(service) -> str:
    """The service's letters in front of its pseudonyms: the initials of its name (the first two
    letters of a one-word name), so IDs from several services stay apart when combined."""
    words = re.findall(r"[A-Za-z]+", service.name)
    if not words:
        return "YP"
    letters = "".join(word[0] for word in words) if len(words) > 1 else words[0][:2]
    return letters[:3].upper()


def pseudonym(service, person_pk: int) -> str:
    """A keyed-hash ID for a child: HMAC-SHA256 of the child's primary key under a key derived from
    Django's SECRET_KEY and the service's primary key, truncated to 8 hex digits ("NO-3f9a2c1b").
    The same child gets the same ID in every export of the service (while the secret key stays the
    same); another service's key gives unrelated IDs, and without the key the ID cannot be traced
    back to the record."""
    from django.utils.crypto import salted_hmac

    digest = salted_hmac(f"reoffkit.workbook.pseudonym.service-{service.pk}", str(person_pk), algorithm="sha256").hexdigest()
    return f"{pseudonym_prefix(service)}-{digest[:8]}"


# The Cohort sheet -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    header: str
    value: Callable[[CohortRow], object]
    width: int | None = None  # None: fitted to the header and the values


def _action_field(name: str) -> Callable[[CohortRow], object]:
    def value(row: CohortRow) -> object:
        action = row.latest_action
        if action is None:
            return NO_ACTION if name == "status" else None
        if name in ("trigger", "action", "status"):
            return getattr(action, f"get_{name}_display")()
        if name == "owner":
            return (action.owner.get_full_name() or action.owner.get_username()) if action.owner else None
        return getattr(action, name)

    return value


def _further_date(position: int) -> Callable[[CohortRow], object]:
    def value(row: CohortRow) -> object:
        dates = sorted(row.entry.get("further_offence_dates") or [])
        return dates[position] if position < len(dates) else None

    return value


def _alert_reasons(row: CohortRow) -> str:
    return " ".join(f"{alert['label']}: {alert['reason']}" for alert in row.alerts)  # each reason ends with a full stop


#: The turning-18 alert's reason names the 18th birthday, which gives the date of birth away.
WITHOUT_BIRTHDAY = {"turning_18": "Turns 18 before follow-up ends on {follow_up_end:%-d %b %Y}: check adult offending with the police."}


def _pseudonymised_reasons(row: CohortRow) -> str:
    return " ".join(
        f"{alert['label']}: {WITHOUT_BIRTHDAY[alert['alert']].format(**row.entry) if alert['alert'] in WITHOUT_BIRTHDAY else alert['reason']}"
        for alert in row.alerts
    )


IDENTIFIED = [
    Column("Local ID", lambda r: r.person.local_id),
    Column("PNC ID", lambda r: r.person.pnc_id or None),
    Column("First name", lambda r: r.person.first_name),
    Column("Last name", lambda r: r.person.last_name),
    Column("Date of birth", lambda r: r.person.date_of_birth),
]
INDEX = [
    Column("Age at index", lambda r: r.entry["age_at_index"]),
    Column("Cohort", lambda r: r.entry["quarter"]),
    Column("Index date", lambda r: r.entry["index_date"]),
    Column("Index disposal", lambda r: r.disposal_label),
    Column("Disposal tier", lambda r: codes.TIER_LABELS.get(r.entry["tier"], r.entry["tier"])),
    Column("Follow-up ends", lambda r: r.entry["follow_up_end"]),
    Column("Months since entry", lambda r: r.months_since_entry),
]
FURTHER = [
    Column("Further offences", lambda r: r.entry["further_offences"]),
    Column("First further offence", lambda r: r.entry.get("first_further_offence_date")),
    Column("Days to first further offence", lambda r: r.entry.get("days_to_first_further_offence")),
    *(Column(f"Further offence {n}", _further_date(n - 1)) for n in range(1, FURTHER_DATES_SHOWN + 1)),
]
ALERT_WORDS = Column("Alerts", lambda r: "; ".join(alert["label"] for alert in r.alerts) or None)
ALERTS = [ALERT_WORDS, Column("Why the alerts fired", lambda r: _alert_reasons(r) or None, width=60)]
ALERTS_PSEUDONYMISED = [ALERT_WORDS, Column("Why the alerts fired", lambda r: _pseudonymised_reasons(r) or None, width=60)]
TRIGGER, ACTION, STATUS, OWNER = "Action trigger", "Action", "Action status", "Action owner"
ACTIONS_IDENTIFIED = [
    Column(TRIGGER, _action_field("trigger")),
    Column(ACTION, _action_field("action")),
    Column(STATUS, _action_field("status")),
    Column(OWNER, _action_field("owner")),
    Column("Action raised", _action_field("raised_on")),
    Column("Action due", _action_field("due_on")),
    Column("Action completed", _action_field("completed_on")),
]
#: Outside the service the action's owner (a member of staff) is left out too.
ACTIONS_PSEUDONYMISED = [column for column in ACTIONS_IDENTIFIED if column.header != OWNER]


def cohort_columns(audience: str, service) -> list[Column]:
    if audience == WITHIN:
        return [*IDENTIFIED, *INDEX, *FURTHER, *ALERTS, *ACTIONS_IDENTIFIED]
    key = Column("Pseudonymous ID", lambda r: pseudonym(service, r.person.pk))
    return [key, *INDEX, *FURTHER, *ALERTS_PSEUDONYMISED, *ACTIONS_PSEUDONYMISED]


def _words(choices) -> list[str]:
    return [words for _, words in choices]


#: The drop-down lists: the product's words for a review action and its status.
LISTS = {TRIGGER: _words(TRIGGER_CHOICES), ACTION: _words(ACTION_CHOICES), STATUS: _words(STATUS_CHOICES)}
#: Which columns get a drop-down (the trigger is a record of why, kept as recorded).
DROP_DOWNS = (ACTION, STATUS)
#: Rows below the data that still get the drop-downs and colours, for rows added by hand.
SPARE_ROWS = 200


def _list_formula(words: list[str]) -> str:
    formula = '"' + ",".join(words) + '"'
    assert all("," not in w and '"' not in w for w in words) and len(formula) <= 257, "an inline list: no commas, at most 255 characters"
    return formula


def _header(sheet, headers: list[str]) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill

    sheet.append(xlsx_row(sheet, headers))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDDDDD")
        cell.alignment = Alignment(vertical="top", wrap_text=True)
    sheet.freeze_panes = "A2"


def _fit_widths(sheet, widths: dict[int, int | None]) -> None:
    """Each column as wide as its header or longest value (dates 12), between 8 and 40 characters,
    unless given."""
    from openpyxl.utils import get_column_letter

    for index, column in enumerate(sheet.iter_cols(), start=1):
        longest = 0
        for cell in column:
            if isinstance(cell.value, (dt.date, dt.datetime)):
                size = 11
            elif cell.value is None:
                size = 0
            else:
                size = len(str(cell.value))
            longest = max(longest, size if cell.row > 1 else min(size, 24))
        sheet.column_dimensions[get_column_letter(index)].width = widths.get(index) or max(8, min(40, longest + 2))


def _date_formats(sheet) -> None:
    for line in sheet.iter_rows(min_row=2):
        for cell in line:
            if isinstance(cell.value, (dt.date, dt.datetime)):
                cell.number_format = DATE_FORMAT


def _cohort_sheet(sheet, rows: list[CohortRow], columns: list[Column]) -> None:
    from openpyxl.formatting.rule import CellIsRule
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    sheet.title = "Cohort"
    headers = [column.header for column in columns]
    _header(sheet, headers)
    for row in rows:
        sheet.append(xlsx_row(sheet, [column.value(row) for column in columns]))
    _date_formats(sheet)
    last = max(2, len(rows) + 1)
    letter = {header: get_column_letter(index) for index, header in enumerate(headers, start=1)}
    reasons = letter["Why the alerts fired"]
    for cell in sheet[reasons][1:]:
        cell.alignment = Alignment(wrap_text=True, vertical="top")

    for header in DROP_DOWNS:
        words = LISTS[header]
        validation = DataValidation(
            type="list",
            formula1=_list_formula(words),
            allow_blank=True,
            showErrorMessage=True,
            errorTitle="Not one of the choices",
            error=f"Choose one of: {'; '.join(words)}.",
            showInputMessage=True,
            promptTitle=header,
            prompt="Choose from the list.",
        )
        validation.add(f"{letter[header]}2:{letter[header]}{last + SPARE_ROWS}")
        sheet.add_data_validation(validation)

    status = letter[STATUS]
    for code, (colour, words) in codes.ACTION_STATUS_RAG.items():
        fill, text = RAG_STYLES[colour]
        sheet.conditional_formatting.add(
            f"{status}2:{status}{last + SPARE_ROWS}",
            CellIsRule(operator="equal", formula=[f'"{words}"'], fill=PatternFill("solid", bgColor=fill, fgColor=fill), font=Font(color=text)),
        )

    sheet.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{max(1, len(rows) + 1)}"
    _fit_widths(sheet, {index: column.width for index, column in enumerate(columns, start=1)})


# The Measures sheet -----------------------------------------------------------------------------

MEASURE_HEADERS = [
    "Cohort",
    "Months",
    "Cohort size",
    "Reoffenders",
    "Further offences",
    "Binary rate",
    "Binary rate 95% low",
    "Binary rate 95% high",
    "Frequency rate",
    "Further offences per reoffender",
    "Status",
    "Final on",
]
#: Header → the CohortMeasures field and its number format.
MEASURE_FIELDS = {
    "Cohort size": ("cohort_size", "0"),
    "Reoffenders": ("reoffenders", "0"),
    "Further offences": ("reoffences", "0"),
    "Binary rate": ("binary_rate", "0.0%"),
    "Binary rate 95% low": ("binary_ci_low", "0.0%"),
    "Binary rate 95% high": ("binary_ci_high", "0.0%"),
    "Frequency rate": ("frequency_rate", "0.00"),
    "Further offences per reoffender": ("reoffences_per_reoffender", "0.00"),
}


def measure_row(measures: CohortMeasures, *, suppress: bool, follow_up_months: int) -> list[object]:
    """One quarter's measures as numbers; with ``suppress``, counts from 1 to 4 are "fewer than 5"
    and the rates made from them are blank."""
    from reoffkit.disclosure import FEWER, withheld

    hidden = withheld(measures) if suppress else set()
    start, end = measures.period_start, measures.period_end
    values: list[object] = [f"{start.year}Q{(start.month - 1) // 3 + 1}", f"{start:%b}–{end:%b %Y}"]
    for header in MEASURE_HEADERS[2:-2]:
        name, _ = MEASURE_FIELDS[header]
        if name in hidden:
            values.append(FEWER if name in ("cohort_size", "reoffenders", "reoffences") else None)
        else:
            values.append(getattr(measures, name))
    if measures.provisional:
        values.append(f"Provisional: {measures.follow_up_months_elapsed} of {follow_up_months} months of follow-up")
    else:
        values.append("Final")
    values.append(measures.follow_up_complete_on)
    return values


def _measures_sheet(sheet, quarters: list[CohortMeasures], *, suppress: bool, follow_up_months: int, as_at: dt.date) -> None:
    from openpyxl.styles import Alignment
    from openpyxl.utils import get_column_letter

    sheet.title = "Measures"
    _header(sheet, MEASURE_HEADERS)
    for measures in quarters:
        sheet.append(xlsx_row(sheet, measure_row(measures, suppress=suppress, follow_up_months=follow_up_months)))
    for index, header in enumerate(MEASURE_HEADERS, start=1):
        if header in MEASURE_FIELDS:
            for cell in sheet[get_column_letter(index)][1:]:
                if isinstance(cell.value, (int, float)):
                    cell.number_format = MEASURE_FIELDS[header][1]
    _date_formats(sheet)
    if quarters:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(MEASURE_HEADERS))}{len(quarters) + 1}"
    notes = [
        f"Measures of the service's quarterly cohorts as at {as_at:%-d %B %Y}, by the service's counting rules (the summary page's numbers).",
        "Binary rate: the share of the cohort who reoffended. Frequency rate: further offences per child in the cohort.",
        "Provisional: the follow-up or the waiting period for offences to be proven is not over, so the figures can still rise.",
    ]
    if suppress:
        notes.append("Counts from 1 to 4 are shown as \"fewer than 5\" and the rates calculated from them are left blank, so no small group of children can be recognised.")
    sheet.append([])
    for note in notes:
        sheet.append(xlsx_row(sheet, [note]))
        sheet.cell(sheet.max_row, 1).alignment = Alignment(wrap_text=False)
    widths = {1: 10, 2: 18, 11: 44, 12: 12}
    for index, header in enumerate(MEASURE_HEADERS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = widths.get(index, max(10, min(18, len(header) + 2)))
        sheet.cell(1, index).alignment = Alignment(wrap_text=True, vertical="top")


# The workbook -----------------------------------------------------------------------------------


def cohort_workbook(
    rows: list[CohortRow],
    *,
    service,
    audience: str,
    quarters: list[CohortMeasures],
    as_at: dt.date,
    title: str,
) -> bytes:
    """The .xlsx of ``rows`` and the measures of ``quarters`` for ``audience`` (WITHIN or OUTSIDE)."""
    from openpyxl import Workbook

    if audience not in (WITHIN, OUTSIDE):
        raise ValueError(f"unknown audience {audience!r}")
    book = Workbook()
    _cohort_sheet(book.active, rows, cohort_columns(audience, service))
    _measures_sheet(
        book.create_sheet(),
        quarters,
        suppress=audience == OUTSIDE,
        follow_up_months=service.counting_rules().follow_up_months,
        as_at=as_at,
    )
    book.active = 0
    book.properties.title = title
    book.properties.creator = "reoffkit"
    book.properties.subject = f"Cohort export ({AUDIENCE_WORDS[audience]})"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
