"""Every URL × every role × own service and another service, with the expected status.

Enforcement is on the URL, not the menu: each request below is made directly. ``olly`` is a
practitioner of Eastfield opening Northmoor's URLs (another service: "not found", never the page).
"""

from __future__ import annotations

import pytest
from django.urls import reverse

ROLES = ("pat", "mandy", "percy", "bea", "ada", "olly")

# name -> (how to build the URL from the world, expected status per persona)
OK, FORBIDDEN, NOT_FOUND = 200, 403, 404
CASE = {"pat": OK, "mandy": OK, "percy": OK, "bea": FORBIDDEN, "ada": FORBIDDEN, "olly": NOT_FOUND}
MATRIX = {
    "cohort": ("service", CASE),
    "add-member": ("service", CASE),
    "alerts": ("service", CASE),
    "meeting": ("service", CASE),
    "person": ("person", CASE),
    "add-offence": ("person", CASE),
    "add-assessment": ("person", CASE),
    "add-action": ("person", CASE),
    "change-status": (
        "action",
        {"pat": OK, "mandy": OK, "percy": FORBIDDEN, "bea": FORBIDDEN, "ada": FORBIDDEN, "olly": NOT_FOUND},
    ),
    "cohort-export": (
        "service",
        {"pat": FORBIDDEN, "mandy": OK, "percy": OK, "bea": FORBIDDEN, "ada": FORBIDDEN, "olly": FORBIDDEN},
    ),
    "settings": (
        "service",
        {"pat": FORBIDDEN, "mandy": OK, "percy": FORBIDDEN, "bea": FORBIDDEN, "ada": FORBIDDEN, "olly": FORBIDDEN},
    ),
    "summary": ("service", {"pat": OK, "mandy": OK, "percy": OK, "bea": OK, "ada": FORBIDDEN, "olly": NOT_FOUND}),
    "performance": ("service", {"pat": OK, "mandy": OK, "percy": OK, "bea": OK, "ada": FORBIDDEN, "olly": NOT_FOUND}),
    "performance-chart": ("chart", {"pat": OK, "mandy": OK, "percy": OK, "bea": OK, "ada": FORBIDDEN, "olly": NOT_FOUND}),
    "import": ("service", {"pat": FORBIDDEN, "mandy": FORBIDDEN, "percy": OK, "bea": FORBIDDEN, "ada": FORBIDDEN, "olly": FORBIDDEN}),
    "import-template": ("service", {"pat": FORBIDDEN, "mandy": FORBIDDEN, "percy": OK, "bea": FORBIDDEN, "ada": FORBIDDEN, "olly": FORBIDDEN}),
    "analysis": ("service", {"pat": OK, "mandy": OK, "percy": OK, "bea": OK, "ada": FORBIDDEN, "olly": NOT_FOUND}),
    "reference": ("none", {"pat": FORBIDDEN, "mandy": OK, "percy": OK, "bea": FORBIDDEN, "ada": FORBIDDEN, "olly": FORBIDDEN}),
    "audit": ("none", {"pat": FORBIDDEN, "mandy": OK, "percy": FORBIDDEN, "bea": FORBIDDEN, "ada": OK, "olly": FORBIDDEN}),
    "compare": ("service", {"pat": OK, "mandy": OK, "percy": OK, "bea": OK, "ada": FORBIDDEN, "olly": NOT_FOUND}),
    "national-figures": ("none", {"pat": FORBIDDEN, "mandy": FORBIDDEN, "percy": OK, "bea": FORBIDDEN, "ada": OK, "olly": FORBIDDEN}),
}
ADMIN_ONLY = {"pat": FORBIDDEN, "mandy": FORBIDDEN, "percy": FORBIDDEN, "bea": FORBIDDEN, "ada": OK, "olly": FORBIDDEN}
for name in ("users", "add-user", "services", "add-service"):
    MATRIX[name] = ("none", ADMIN_ONLY)
MATRIX["edit-user"] = ("user", ADMIN_ONLY)


def url_for(world, name: str, kind: str) -> str:
    northmoor = world.northmoor.pk
    args = {
        "service": [northmoor],
        "person": [northmoor, world.ned.pk],
        "action": [northmoor, world.ned.pk, world.ned_action.pk],
        "user": [world.users["pat"].pk],
        "chart": [northmoor, "live", "csv"],
        "none": [],
    }[kind]
    return reverse(name, args=args)


CASES = [(name, persona) for name in MATRIX for persona in ROLES]


@pytest.mark.parametrize(("name", "persona"), CASES, ids=[f"{n}-{p}" for n, p in CASES])
def test_each_url_for_each_role(world, name, persona):
    kind, expected = MATRIX[name]
    response = world.client(persona).get(url_for(world, name, kind))
    assert response.status_code == expected[persona], f"{persona} GET {name}: {response.status_code}"


@pytest.mark.parametrize("name", list(MATRIX))
def test_anonymous_users_are_sent_to_sign_in(client, world, name):
    kind, _ = MATRIX[name]
    response = client.get(url_for(world, name, kind))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_a_child_of_another_service_is_not_found_through_our_service(world):
    """Northmoor's URL with Eastfield's child: not found, even for Northmoor's manager."""
    url = reverse("person", args=[world.northmoor.pk, world.eve.pk])
    assert world.client("mandy").get(url).status_code == NOT_FOUND


@pytest.mark.parametrize("persona", ROLES)
def test_home_sends_each_role_somewhere_it_may_go(world, persona):
    response = world.client(persona).get(reverse("home"), follow=True)
    assert response.status_code == OK


def test_no_write_is_possible_by_post_for_a_board_viewer(world):
    client = world.client("bea")
    person_urls = ["add-offence", "add-assessment", "add-action"]
    for name in person_urls:
        response = client.post(url_for(world, name, "person"), {"offence_date": "2020-01-01"})
        assert response.status_code == FORBIDDEN
    assert client.post(url_for(world, "add-member", "service"), {}).status_code == FORBIDDEN
    assert client.post(url_for(world, "settings", "service"), {"early_months": 1}).status_code == FORBIDDEN


def test_a_manager_reads_the_reference_figures_but_only_a_performance_officer_loads_them(world):
    url = reverse("reference")
    page = world.client("mandy").get(url).content.decode()
    assert "England and Wales" in page or "No reference figures are loaded." in page
    assert 'type="file"' not in page and "Performance officers load newer figures." in page
    upload = {"figures": ("figures.csv", b"area\n")}
    assert world.client("mandy").post(url, upload).status_code == FORBIDDEN
    assert 'type="file"' in world.client("percy").get(url).content.decode()


def test_a_refused_page_says_who_may_open_it(world):
    """A manager refused the import page (and the whole case file, exported from it) is told that
    it is the performance officer's, and how to get a copy; any other refusal names the roles."""
    import_page = world.client("mandy").get(reverse("import", args=[world.northmoor.pk]))
    assert import_page.status_code == FORBIDDEN
    text = import_page.content.decode()
    assert "performance officer" in text and "ask them for a copy of the case file" in text
    case_file = world.client("mandy").post(reverse("export-case-file", args=[world.northmoor.pk]), {"purpose": "a copy for the archive"})
    assert case_file.status_code == FORBIDDEN and "performance officer" in case_file.content.decode()
    settings_page = world.client("pat").get(reverse("settings", args=[world.northmoor.pk])).content.decode()
    assert "This page is for managers only." in settings_page
    assert "ask your manager" not in text  # a manager cannot ask themselves
