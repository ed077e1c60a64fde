"""The demo's web database: two services in one partnership, a user of every role in each, users
of both and an administrator, so that the partnership view and each service's isolation can be
seen (docs/deployment.md, "Trying it")."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from reoffkit import demo
from reoffkit.casefile import read_case_file, write_case_file
from reoffkit.engine.rules import quarter_of
from reoffkit.synthetic import generate, services_named
from reoffkit.web.tracker.models import Role, YoungPerson
from reoffkit.web.tracker.permissions import services_of

AS_AT = dt.date(2026, 11, 30)


@pytest.fixture
def loaded(db, tmp_path):
    case_files = {}
    for number, name in enumerate((demo.SERVICE_NAME, demo.PARTNER_NAME)):
        frames = generate(services_named([name], seed=number), first_quarter=quarter_of(AS_AT) - 6, quarters=6, children_per_quarter=4, as_at=AS_AT, seed=number)
        case_files[name] = read_case_file(write_case_file(frames, tmp_path / f"case-file-{number}"), today=AS_AT)
        assert case_files[name].ok
    services, logins = demo.populate(case_files)
    return services, logins


def client_of(username: str) -> Client:
    from django.contrib.auth import get_user_model

    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client


def test_every_role_in_each_service_and_the_partnership(loaded):
    from django.contrib.auth import get_user_model

    services, logins = loaded
    northmoor, eastvale = services[demo.SERVICE_NAME], services[demo.PARTNER_NAME]
    users = {u.username: u for u in get_user_model().objects.select_related("profile")}
    for short, service in (("northmoor", northmoor), ("eastvale", eastvale)):
        for role in demo.SERVICE_ROLES:
            user = users[f"{short}.{role}"]
            assert user.profile.role == role and [s.pk for s in services_of(user)] == [service]
    for name in ("partnership.performance", "partnership.board"):
        assert sorted(s.pk for s in services_of(users[name])) == sorted([northmoor, eastvale])
    assert users["demo.administrator"].profile.role == Role.ADMINISTRATOR
    assert set(logins) == set(users) and all(len(password) >= 12 for _, password in logins.values())
    assert YoungPerson.objects.filter(service_id=northmoor).exists() and YoungPerson.objects.filter(service_id=eastvale).exists()


def test_the_partnership_view_and_the_isolation_can_be_seen(loaded):
    services, _ = loaded
    northmoor, eastvale = services[demo.SERVICE_NAME], services[demo.PARTNER_NAME]
    partnership = reverse("performance", args=[northmoor]) + f"?with={eastvale}"
    assert client_of("partnership.performance").get(partnership).status_code == 200
    assert client_of("northmoor.performance").get(partnership).status_code in (403, 404)
    other_child = YoungPerson.objects.filter(service_id=eastvale).first()
    practitioner = client_of("northmoor.practitioner")
    assert practitioner.get(reverse("cohort", args=[northmoor])).status_code == 200
    assert practitioner.get(reverse("cohort", args=[eastvale])).status_code in (403, 404)
    assert practitioner.get(reverse("person", args=[eastvale, other_child.pk])).status_code in (403, 404)
