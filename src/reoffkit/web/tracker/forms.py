"""Shared form plumbing: GOV.UK classes on every widget, dates typed as day, month and year
(GOV.UK's date input, whatever the browser's locale), a refused stale save shown on the form."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils.html import format_html, format_html_join

#: A date given as one value (a bookmarked query string such as ?since=01/01/2025, or a script).
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y"]
PARTS = ("day", "month", "year")


class DateInput(forms.Widget):
    """GOV.UK's date input: three text boxes, day, month and year, named ``NAME-day``,
    ``NAME-month`` and ``NAME-year``. The day box carries the field's id (so labels and the error
    summary lead to it). A single ``NAME`` value is still read, for links and scripts."""

    input_type = "ukdate"

    def value_from_datadict(self, data, files, name):
        parts = {part: (data.get(f"{name}-{part}") or "").strip() for part in PARTS}
        if any(f"{name}-{part}" in data for part in PARTS):
            return parts
        return data.get(name)

    def value_omitted_from_data(self, data, files, name):
        return name not in data and not any(f"{name}-{part}" in data for part in PARTS)

    def format_value(self, value):
        if isinstance(value, dict):
            return value
        if isinstance(value, (dt.date, dt.datetime)):
            return {"day": str(value.day), "month": str(value.month), "year": str(value.year)}
        if isinstance(value, str) and value:
            for fmt in DATE_INPUT_FORMATS:
                try:
                    return self.format_value(dt.datetime.strptime(value, fmt).date())
                except ValueError:
                    continue
            return {"day": value, "month": "", "year": ""}
        return {"day": "", "month": "", "year": ""}

    def id_for_label(self, id_):
        return id_

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        ident = attrs.get("id") or f"id_{name}"
        error = "--error" in attrs.get("class", "")
        parts = self.format_value(value)
        items = []
        for part, width in (("day", 2), ("month", 2), ("year", 4)):
            box_id = ident if part == "day" else f"{ident}-{part}"
            css = f"govuk-input govuk-date-input__input govuk-input--width-{width}" + (" govuk-input--error" if error else "")
            items.append(
                (box_id, part.capitalize(), css, box_id, f"{name}-{part}", parts.get(part, ""))
            )
        boxes = format_html_join(
            "",
            '<div class="govuk-date-input__item"><div class="govuk-form-group"><label class="govuk-label govuk-date-input__label" for="{}">{}</label>'
            '<input class="{}" id="{}" name="{}" type="text" inputmode="numeric" value="{}"></div></div>',
            items,
        )
        return format_html('<div class="govuk-date-input" id="{}-input">{}</div>', ident, boxes)


class DateField(forms.DateField):
    """A date typed in GOV.UK's date input; its errors name the part that is missing or wrong, as
    GOV.UK's pattern does ("… must include a month", "… must be a real date")."""

    widget = DateInput

    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", DATE_INPUT_FORMATS)
        kwargs["error_messages"] = {"invalid": "Enter a real date, like 15 10 2016.", **kwargs.get("error_messages", {})}
        super().__init__(**kwargs)
        if not self.help_text:
            self.help_text = "For example, 27 3 2024"

    def to_python(self, value):
        if not isinstance(value, dict):
            return super().to_python(value)
        if not any(value.values()):
            return None
        name = self.label or "The date"
        missing = [part for part in PARTS if not value.get(part)]
        if missing:
            raise ValidationError(f"{name} must include a {' and a '.join(missing)}", code="invalid")
        if not all(value[part].isdigit() for part in PARTS):
            raise ValidationError(f"{name} must be a real date", code="invalid")
        if len(value["year"]) != 4:
            raise ValidationError(f"{name}: the year must include 4 numbers", code="invalid")
        try:
            return dt.date(int(value["year"]), int(value["month"]), int(value["day"]))
        except ValueError:
            raise ValidationError(f"{name} must be a real date", code="invalid") from None


def add_errors_of(form, errors) -> None:
    """Add errors found by a model's or an action's own checks (a ``ValidationError`` or a dict of
    field → message) to the fields that have none yet, so that every error shows at once."""
    if isinstance(errors, ValidationError):
        errors = errors.message_dict if hasattr(errors, "error_dict") else {None: errors.messages}
    for field, message in errors.items():
        if field is None or field not in form.fields:
            form.add_error(None, message)
        elif field not in form.errors:
            form.add_error(field, message)


def show_stale(form, stale) -> None:
    """Put a refused stale save (``actions.StaleEdit``) on ``form``: the message with each changed
    field's value now beside the user's (by the form's labels), the same on each field, and the
    current version in the hidden field (saving again is then a deliberate choice)."""
    from reoffkit.web.tracker.actions import stale_message

    form.data = form.data.copy()
    form.data["version"] = str(stale.version)
    labels = {name: str(field.label) for name, field in form.fields.items() if field.label}
    form.add_error(None, stale_message(stale.conflicts, labels))
    for field, _, yours, current in stale.conflicts:
        if field in form.fields:
            form.add_error(field, f"Changed by someone else to: {current}. Yours: {yours}.")
    if hasattr(form, "_mark_errors"):
        form._mark_errors()


class GovukForm(forms.Form):
    """A form whose widgets carry GOV.UK Frontend classes and point at their hint and error."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            widget = field.widget
            css = {
                forms.Select: "govuk-select",
                forms.Textarea: "govuk-textarea",
                forms.CheckboxInput: "govuk-checkboxes__input",
            }.get(type(widget), "govuk-input")
            if isinstance(widget, DateInput):
                css = "govuk-date-input"
            elif isinstance(widget, forms.NumberInput):
                css = "govuk-input govuk-input--width-5"
            widget.attrs["class"] = css
            if field.help_text:
                widget.attrs["aria-describedby"] = f"id_{name}-hint"

    def full_clean(self) -> None:
        super().full_clean()
        self._mark_errors()

    def _mark_errors(self) -> None:
        for name in self.errors:
            if name not in self.fields:
                continue
            widget = self.fields[name].widget
            base = widget.attrs.get("class", "govuk-input").split()[0]
            if f"{base}--error" not in widget.attrs.get("class", ""):
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} {base}--error".strip()
            described = [d for d in widget.attrs.get("aria-describedby", "").split() if d]
            widget.attrs["aria-describedby"] = " ".join([*described, f"id_{name}-error"])

    def add_model_errors(self, error) -> None:
        """Show a model ``ValidationError`` on the fields it names (or on the form)."""
        if hasattr(error, "error_dict"):
            for field, messages in error.message_dict.items():
                self.add_error(field if field in self.fields else None, messages)
        else:
            self.add_error(None, error.messages)
        self._mark_errors()


class PurposeForm(forms.Form):
    """Why an export is made: recorded in the audit log with it."""

    purpose = forms.CharField(max_length=300, min_length=5, label="Purpose of this export")
