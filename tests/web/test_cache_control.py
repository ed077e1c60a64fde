"""Every response to a signed-in user says ``Cache-Control: no-store, private``: every URL of the
application (found by walking the URL configuration, so a new page is covered without listing it
here), for every persona, whatever the answer (a page, a download, a redirect, 403 or 404)."""

from __future__ import annotations

import uuid

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from reoffkit.web.jobs.models import Job
from reoffkit.web.tracker.models import Outcome

NO_STORE = "no-store, private"
PERSONAS = ("pat", "mandy", "percy", "bea", "ada", "olly")


def named_routes(patterns=None) -> list[tuple[str, list[str]]]:
    """(URL name, its parameters) for every named URL."""
    found = []
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            found += named_routes(entry.url_patterns)
        elif isinstance(entry, URLPattern) and entry.name:
            found.append((entry.name, list(getattr(entry.pattern, "converters", {}))))
    return found


def _assessment(world):
    from reoffkit.web.tracker import actions

    found = world.ned.assessments.first()
    return found or actions.add_assessment(
        by=world.users["pat"], person=world.ned, assessment_date=world.ned.outcomes.first().offence_date, tool="asset", likelihood_band="low", intervention_level="standard"
    )


def arguments(world, parameters: list[str], job_id: str) -> dict:
    values = {
        "service_id": world.northmoor.pk,
        "person_id": world.ned.pk,
        "action_id": world.ned_action.pk,
        "outcome_id": Outcome.objects.filter(person=world.ned).first().pk,
        "assessment_id": _assessment(world).pk,
        "user_id": world.users["pat"].pk,
        "job_id": job_id,
        "token": uuid.uuid4().hex,
        "uidb64": "MQ",
        "name": "live",
        "fmt": "csv",
        "item_id": 1,  # an action plan item and a board paper (none exist: "not found" is not stored either)
        "paper_id": 1,
    }
    missing = [p for p in parameters if p not in values]
    assert not missing, f"a URL takes {missing}: give this test a value for it"
    return {p: values[p] for p in parameters}


def test_every_url_answers_a_signed_in_user_with_no_store(world):
    routes = named_routes()
    assert len(routes) > 25  # the walk found the application's URLs
    for persona in PERSONAS:
        client = world.client(persona)
        # A job of their own (a failed one: its page shows the reason), so the job page is a page.
        job = Job.objects.create(kind="import", created_by=world.users[persona], service=world.northmoor, state=Job.State.FAILED, message="Test")
        for name, parameters in routes:
            if name == "logout":  # signs the user out: its answer is to someone no longer signed in
                continue
            url = reverse(name, kwargs=arguments(world, parameters, str(job.pk)))
            response = client.get(url)
            assert response.get("Cache-Control") == NO_STORE, f"{persona} GET {url}: {response.status_code} {response.get('Cache-Control')!r}"


@pytest.mark.parametrize(
    ("persona", "name", "data"),
    [
        ("percy", "cohort-export", {"audience": "within", "purpose": "Check the export"}),
        ("percy", "export-case-file", {"purpose": "Moving installation"}),
        ("pat", "add-offence", {}),
    ],
)
def test_downloads_and_form_posts_are_not_stored(world, persona, name, data, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    args = [world.northmoor.pk] if name != "add-offence" else [world.northmoor.pk, world.ned.pk]
    response = world.client(persona).post(reverse(name, args=args), data)
    assert response.status_code in (200, 302) and response["Cache-Control"] == NO_STORE


def test_static_files_stay_cacheable_for_a_signed_in_user(world):
    response = world.client("pat").get("/static/reoffkit/app.css")
    assert response.status_code == 200 and "no-store" not in response.get("Cache-Control", "")
