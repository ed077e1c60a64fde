"""Crafted and random query strings and form fields: every view answers, never with a server error.

The URL resolver is walked, so a view added later is driven too. Each URL is opened by every
persona that may open it; Hypothesis adds random query strings (with the values known to have
broken pages: year 0 and 9999 quarters, a year-1 date) and random extra form fields on POST.
"""

from __future__ import annotations

import string

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reoffkit.web.tracker.models import Outcome

PERSONAS = ("pat", "mandy", "percy", "bea", "ada")
NASTY = [
    "0000Q1", "9999Q4", "0001Q1", "2024Q5", "2024Q0", "-1", "0", "99999999999999999999", "1e9", "", " ",
    "01/01/0001", "0001-01-01", "9999-12-31", "31/12/9999", "2024-02-30", "abc", "\x00", "%", "‮", "2024Q1" * 50,
]
KEYS = [
    "quarter", "period", "quarters", "since", "since-day", "since-month", "since-year", "by", "with", "page", "alert", "sort", "dir",
    "scheme", "table", "again", "pies", "status", "district", "age", "sex", "ethnicity", "tier", "verb", "user", "object_type",
    "date_from", "date_to", "from", "to", "as_at", "timed_out", "token", "name", "fmt", "held_on",
]
FORM_KEYS = KEYS + ["purpose", "audience", "done", "sheet-0", "column-0-0", "word-x-0", "use_mapping", "original", "areas", "save"]
values = st.one_of(st.sampled_from(NASTY), st.sampled_from(NASTY), st.text(alphabet=string.printable, max_size=12), st.integers(-10**12, 10**12).map(str))
queries = st.lists(st.tuples(st.sampled_from(KEYS), values), max_size=4)


def _patterns(resolver=None, prefix=""):
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            yield from _patterns(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern) and entry.name:
            yield entry


def _arguments(world, pattern: URLPattern) -> dict | None:
    """Keyword arguments for the pattern's URL, from the test world (None: not one we can build)."""
    outcome = Outcome.objects.filter(person=world.ned).first()
    known = {
        "service_id": world.northmoor.pk,
        "person_id": world.ned.pk,
        "action_id": world.ned_action.pk,
        "outcome_id": outcome.pk,
        "user_id": world.users["pat"].pk,
        "name": "live",
        "fmt": "csv",
        "token": "0" * 32,
        "job_id": "0" * 32,
    }
    names = list(pattern.pattern.converters)
    if any(name not in known for name in names):
        return None
    return {name: known[name] for name in names}


def reachable(world):
    """(url name, url, persona) for every view and each persona whose role may open it (the view's
    declared permission; views that declare none are opened by every persona)."""
    from reoffkit.web.tracker.permissions import has_permission

    found = []
    for pattern in _patterns():
        if pattern.name in ("logout",):
            continue
        kwargs = _arguments(world, pattern)
        if kwargs is None:
            continue
        url = reverse(pattern.name, kwargs=kwargs)
        permission = getattr(pattern.callback, "permission", None)
        for persona in PERSONAS:
            if permission is None or has_permission(world.users[persona], permission):
                found.append((pattern.name, url, persona))
    return found


def _is_server_error(client: Client, method: str, url: str, data) -> tuple[bool, str]:
    try:
        response = getattr(client, method)(url, data)
    except Exception as error:  # noqa: BLE001 — the test client re-raises what the view raised
        return True, f"{type(error).__name__}: {error}"
    return response.status_code >= 500, str(response.status_code)


CRAFTED = [
    ("cohort", "pat", "quarter", "0000Q1"),
    ("cohort", "pat", "quarter", "9999Q4"),
    ("cohort-export", "percy", "quarter", "9999Q4"),
    ("meeting", "mandy", "since", "01/01/0001"),
    ("analysis", "pat", "period", "9999Q4"),
    ("disproportionality", "percy", "period", "0000Q1"),
    ("disproportionality", "percy", "period", "9999Q4"),
]


@pytest.mark.parametrize(("name", "persona", "key", "value"), CRAFTED)
def test_each_crafted_parameter_gets_a_400_page_saying_what_was_expected(world, name, persona, key, value):
    response = world.client(persona).get(reverse(name, args=[world.northmoor.pk]), {key: value})
    assert response.status_code == 400
    page = response.content.decode()
    assert "The address could not be used" in page and f"<strong>{key}</strong>" in page and value in page
    assert ("a calendar quarter like 2025Q3" if key != "since" else "a date like 15/10/2025") in page


def test_every_view_is_walked(world):
    """The walk reaches the views known to have failed, for the roles that use them."""
    names = {name for name, _, _ in reachable(world)}
    assert {"cohort", "alerts", "meeting", "summary", "performance", "analysis", "disproportionality", "import-mapping", "audit"} <= names


@pytest.mark.django_db
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_no_query_string_or_extra_field_makes_a_server_error(world, data):
    targets = getattr(world, "_targets", None)
    if targets is None:
        targets = world._targets = reachable(world)
    name, url, persona = data.draw(st.sampled_from(targets), label="view")
    params = data.draw(queries, label="query")
    client = world.client(persona)
    broken, status = _is_server_error(client, "get", url, params and _multi(params))
    assert not broken, f"{persona} GET {url}?{params}: {status}"
    fields = data.draw(st.lists(st.tuples(st.sampled_from(FORM_KEYS), values), max_size=4), label="form")
    broken, status = _is_server_error(client, "post", url, _multi(fields))
    assert not broken, f"{persona} POST {url} {fields}: {status}"


def _multi(pairs):
    out: dict[str, list[str]] = {}
    for key, value in pairs:
        out.setdefault(key, []).append(value)
    return out
