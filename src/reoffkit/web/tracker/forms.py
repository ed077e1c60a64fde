"""Shared form plumbing: GOV.UK classes on every widget, UK and ISO dates accepted."""

from __future__ import annotations

from django import forms

DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y"]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class DateField(forms.DateField):
    widget = DateInput

    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", DATE_INPUT_FORMATS)
        kwargs["error_messages"] = {"invalid": "Enter a real date, like 15/10/2016.", **kwargs.get("error_messages", {})}
        super().__init__(**kwargs)


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
                css = "govuk-input govuk-input--width-10"
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
