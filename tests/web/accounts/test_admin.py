"""The audit log, users and services pages, on a real database."""

from __future__ import annotations

import datetime as dt
import html

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from web_helpers import TODAY

from reoffkit.web.tracker import actions
from reoffkit.web.tracker.models import AuditEvent, Role, Service

User = get_user_model()


def text(response) -> str:
    return html.unescape(response.content.decode())


def audit_page(world, persona: str, **filters) -> str:
    response = world.client(persona).get(reverse("audit"), filters)
    assert response.status_code == 200
    return text(response)


# The audit log ---------------------------------------------------------------------------------


def test_a_manager_sees_their_services_events_only(world):
    page = audit_page(world, "mandy")
    # a manager sees the children named (test_audit_page.py)
    assert "Added Ned Testchild (N001)<" in page and "Added Nia Testchild (N002)<" in page
    assert "Otherchild" not in page and f"Added young person {world.eve.pk}<" not in page
    assert "Eastfield" not in page  # neither in the rows nor in the service filter
    assert "Created user pat as Practitioner" in page  # an account of their service is in their log
    assert "Created user olly" not in page and "Created user ada" not in page  # another service's, or no service's
    assert "You see the events of your services only." in page


def test_an_administrator_sees_every_event(world):
    page = audit_page(world, "ada")
    for shown in (f"Added young person {world.ned.pk}<", f"Added young person {world.eve.pk}<", "Eastfield", "Created user pat as Practitioner"):
        assert shown in page, shown


def test_columns_show_when_who_service_what_records_and_purpose(world):
    actions.record_export(
        by=world.users["percy"], service=world.northmoor, purpose="Quarterly board report", object_type="young_person", object_ids=range(1, 15), summary="Exported 14 cohort entries to Excel"
    )
    page = audit_page(world, "ada")  # an administrator sees the ids; a manager, the children named
    row = page[page.index("Exported 14 cohort entries") - 1500 : page.index("Exported 14 cohort entries") + 600]
    assert "percy" in row and "Performance officer" in row and "Northmoor" in row
    assert "Exported" in row and "Young person 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 and 4 more" in row
    assert "Quarterly board report" in row and f"{TODAY:%-d %b %Y}" in row


def test_practitioners_and_board_viewers_may_not_read_the_log(world):
    for persona in ("pat", "bea", "percy"):
        assert world.client(persona).get(reverse("audit")).status_code == 403


def test_filters(world):
    by_user = audit_page(world, "ada", user="olly")
    assert f"Added young person {world.eve.pk}<" in by_user and f"Added young person {world.ned.pk}<" not in by_user
    outcomes = audit_page(world, "ada", verb="create", object_type="outcome")
    assert "Recorded fine for young person" in outcomes and "Added young person" not in outcomes and "Created user" not in outcomes
    eastfield = audit_page(world, "ada", service=str(world.eastfield.pk))
    assert f"Added young person {world.eve.pk}<" in eastfield and f"Added young person {world.ned.pk}<" not in eastfield
    assert "No events match these filters." in audit_page(world, "ada", date_from=(TODAY + dt.timedelta(days=1)).isoformat())
    today = audit_page(world, "ada", date_from=TODAY.isoformat(), date_to=TODAY.isoformat())
    assert "Created user pat" in today


def test_a_manager_cannot_filter_to_another_service_and_bad_dates_are_explained(world):
    page = audit_page(world, "mandy", service=str(world.eastfield.pk))
    assert "Select a valid choice" in page and f"Added young person {world.eve.pk}<" not in page
    page = audit_page(world, "ada", date_from=TODAY.isoformat(), date_to=(TODAY - dt.timedelta(days=1)).isoformat())
    assert "There is a problem" in page and "The end date must be the same as or after the start date." in page


def test_fifty_events_a_page_newest_first_with_filters_kept(world):
    for number in range(60):
        actions.audit(by=world.users["mandy"], verb="view", service=world.northmoor, object_type="young_person", object_ids=[world.ned.pk], summary=f"Paging event {number:02d}")
    first = audit_page(world, "ada", verb="view")
    assert first.count("Paging event") == 50 and "Paging event 59" in first and "Paging event 09" not in first
    assert first.index("Paging event 59") < first.index("Paging event 58")
    assert 'href="?verb=view&page=2"' in first and "Older events" in first
    second = audit_page(world, "ada", verb="view", page="2")
    assert second.count("Paging event") == 10 and "Paging event 00" in second and "Newer events" in second


def test_the_log_is_read_only_through_the_web(world):
    client = world.client("ada")
    events = AuditEvent.objects.count()
    assert client.post(reverse("audit"), {"summary": "changed"}).status_code == 405
    assert AuditEvent.objects.count() == events


# Users -----------------------------------------------------------------------------------------


def new_user(**change) -> dict:
    return {
        "username": "nora",
        "first_name": "Nora",
        "last_name": "Newstarter",
        "email": "nora@example.org",
        "role": "practitioner",
        **change,
    }


def test_the_user_list_shows_roles_and_services(world):
    response = world.client("ada").get(reverse("users"))
    page = text(response)
    for shown in ("pat", "Practitioner", "Board viewer", "Administrator", "All (administrator)", "Eastfield", "Northmoor"):
        assert shown in page, shown
    assert reverse("edit-user", args=[world.users["pat"].pk]) in page


def test_an_administrator_adds_a_user_with_role_and_services_and_no_password(world):
    response = world.client("ada").post(reverse("add-user"), {**new_user(), "services": [str(world.northmoor.pk)]})
    assert response.status_code == 200 and "User nora added" in text(response) and "/set-password/" in text(response)
    nora = User.objects.get(username="nora")
    assert not nora.has_usable_password() and nora.profile.role == Role.PRACTITIONER  # nobody knows a password for it
    assert list(nora.profile.services.all()) == [world.northmoor]
    event = AuditEvent.objects.get(object_type="user", verb="create", object_ids=[str(nora.pk)])
    assert event.username == "ada" and event.summary == "Created user nora as Practitioner" and event.service == world.northmoor


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"username": "pat"}, "A user with that username already exists."),
        ({"role": ""}, "This field is required."),
        ({"role": "practitioner", "services": []}, "Choose at least one service"),
    ],
)
def test_a_bad_new_user_is_refused_with_a_message_and_nothing_saved(world, change, message):
    data = {**new_user(), "services": [str(world.northmoor.pk)], **change}
    response = world.client("ada").post(reverse("add-user"), data)
    page = text(response)
    assert response.status_code == 400 and "There is a problem" in page and message in page
    assert not User.objects.filter(username="nora").exists()


def test_an_administrator_needs_no_service(world):
    response = world.client("ada").post(reverse("add-user"), {**new_user(username="adam", role="administrator")})
    assert response.status_code == 200 and User.objects.get(username="adam").profile.role == Role.ADMINISTRATOR


def test_an_administrator_changes_a_users_role_services_and_active(world):
    pat = world.users["pat"]
    url = reverse("edit-user", args=[pat.pk])
    assert 'value="practitioner" selected' in text(world.client("ada").get(url))
    response = world.client("ada").post(url, {"role": "manager", "services": [str(world.northmoor.pk), str(world.eastfield.pk)]})
    assert response.status_code == 302
    pat.refresh_from_db()
    assert pat.profile.role == Role.MANAGER and not pat.is_active
    assert set(pat.profile.services.all()) == {world.northmoor, world.eastfield}
    event = AuditEvent.objects.filter(object_type="user", verb="update").latest("id")
    assert event.username == "ada" and event.changes["role"] == ["practitioner", "manager"] and event.changes["is_active"] == [True, False]


def test_an_administrator_cannot_lock_themselves_out(world):
    ada = world.users["ada"]
    response = world.client("ada").post(reverse("edit-user", args=[ada.pk]), {"role": "manager", "services": [str(world.northmoor.pk)]})
    page = text(response)
    assert response.status_code == 400 and "You cannot remove your own administrator role" in page and "You cannot deactivate your own account" in page
    ada.refresh_from_db()
    assert ada.is_active and ada.profile.role == Role.ADMINISTRATOR


@pytest.mark.parametrize("persona", ["mandy", "bea", "pat"])
def test_only_administrators_manage_users_and_services(world, persona):
    client = world.client(persona)
    for name in ("users", "add-user", "services", "add-service"):
        assert client.get(reverse(name)).status_code == 403
    assert client.post(reverse("add-user"), {**new_user(), "services": [str(world.northmoor.pk)]}).status_code == 403
    assert client.post(reverse("edit-user", args=[world.users["pat"].pk]), {"role": "administrator", "is_active": "on"}).status_code == 403
    assert client.post(reverse("add-service"), {"name": "Westvale", "districts": "Dock"}).status_code == 403
    assert not User.objects.filter(username="nora").exists() and not Service.objects.filter(name="Westvale").exists()
    world.users["pat"].refresh_from_db()
    assert world.users["pat"].profile.role == Role.PRACTITIONER


# Services --------------------------------------------------------------------------------------


def test_services_list_with_district_counts(world):
    page = text(world.client("ada").get(reverse("services")))
    northmoor = page[page.index(">Northmoor<") :]
    northmoor = northmoor[: northmoor.index("</tr>")]
    assert ">2<" in northmoor and "Hilltop, Riverside" in northmoor


def test_an_administrator_adds_a_service_with_districts_one_a_line(world):
    response = world.client("ada").post(reverse("add-service"), {"name": " Westvale ", "districts": "Dockside\n\n  Old Town  \r\nMarket"})
    assert response.status_code == 302
    westvale = Service.objects.get(name="Westvale")
    assert sorted(westvale.districts.values_list("name", flat=True)) == ["Dockside", "Market", "Old Town"]
    assert (westvale.min_age, westvale.max_age, westvale.include_unproven, westvale.include_breaches) == (10, 17, False, False)
    assert AuditEvent.objects.filter(username="ada", object_type="service", object_ids=[str(westvale.pk)]).exists()
    assert ">3<" in text(world.client("ada").get(reverse("services")))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "Northmoor", "districts": ""}, "Service with this Name already exists."),
        ({"name": "Westvale", "districts": "Dock\ndock"}, "“dock” is listed twice."),
        ({"name": "", "districts": "Dock"}, "This field is required."),
    ],
)
def test_a_bad_service_is_refused_and_nothing_saved(world, data, message):
    services = Service.objects.count()
    response = world.client("ada").post(reverse("add-service"), data)
    assert response.status_code == 400 and message in text(response)
    assert Service.objects.count() == services


def test_the_error_summary_links_to_the_first_service_checkbox(world):
    response = world.client("ada").post(reverse("add-user"), new_user())
    page = response.content.decode()
    assert 'href="#id_services_0"' in page and 'id="id_services_0"' in page
