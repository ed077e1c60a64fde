"""A record's value as a person reads it: one rule for the audit page and for a refused stale edit."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import FieldDoesNotExist
from django.db.models import DateField

from reoffkit.engine import codes


def _person(user) -> str:
    return user.get_full_name() or user.get_username()


def value_words(model, name: str, value, users: dict | None = None) -> str:
    """``value`` of field ``name`` of ``model`` in words: choices and outcome types by their label,
    yes/no, dates in full, a person by name (``users`` by id, for values kept as ids), another
    record by its name; "none" for a relation not set, "blank" for any other empty value.

    ``value`` is either the live value (a date, a user) or the plain JSON the audit log keeps (an
    ISO date, an id)."""
    try:
        model_field = model._meta.get_field(name)
    except FieldDoesNotExist:
        model_field = None
    if value is None or value == "":
        return "none" if model_field is not None and model_field.is_relation else "blank"
    if model_field is None:
        return str(value)
    if name == "outcome_type":
        known = codes.outcome_type_table().get(value)
        return known.label if known else str(value)
    if getattr(model_field, "choices", None):
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "yes" if value else "no"
    if hasattr(value, "get_full_name"):
        return _person(value)
    if model_field.is_relation and hasattr(value, "pk"):
        return str(getattr(value, "name", value))
    if model_field.is_relation and hasattr(model_field.related_model, "get_full_name"):
        user = (users or {}).get(value)
        return _person(user) if user else f"user {value}"
    if model_field.is_relation:
        related = model_field.related_model.objects.filter(pk=value).first()
        return str(getattr(related, "name", related)) if related else str(value)
    if isinstance(value, dt.date):
        return f"{value:%-d %B %Y}"
    if isinstance(model_field, DateField) and isinstance(value, str):
        try:
            return f"{dt.date.fromisoformat(value[:10]):%-d %B %Y}"
        except ValueError:
            return value
    return str(value)
