"""Named personas and a small universe for the web tests, built through the actions.

Services: Northmoor (ours) and Eastfield (another service). Personas, all of Northmoor unless said:
``pat`` practitioner · ``mandy`` manager · ``percy`` performance officer · ``bea`` board viewer ·
``ada`` administrator (no service) · ``olly`` practitioner of Eastfield only.
Children: Northmoor's ``ned`` (entered 2 months ago, reoffended early) and ``nia`` (no reoffending);
Eastfield's ``eve``.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client
from web_helpers import PASSWORD, TODAY, days_ago  # noqa: F401 — re-exported for tests

from reoffkit.web.tracker import actions
from reoffkit.web.tracker.models import Role


@dataclass
class World:
    northmoor: object
    eastfield: object
    users: dict
    ned: object
    nia: object
    eve: object
    ned_action: object

    def client(self, name: str) -> Client:
        client = Client()
        client.force_login(self.users[name])
        return client


@pytest.fixture
def world(db) -> World:
    system = "test-setup"
    northmoor = actions.create_service(by=system, name="Northmoor", districts=["Riverside", "Hilltop"])
    eastfield = actions.create_service(by=system, name="Eastfield", districts=["Harbour"])
    users = {}
    for name, role, services in [
        ("pat", Role.PRACTITIONER, [northmoor]),
        ("mandy", Role.MANAGER, [northmoor]),
        ("percy", Role.PERFORMANCE, [northmoor]),
        ("bea", Role.BOARD, [northmoor]),
        ("ada", Role.ADMINISTRATOR, []),
        ("olly", Role.PRACTITIONER, [eastfield]),
    ]:
        users[name] = actions.create_staff_user(by=system, username=name, password=PASSWORD, role=role, services=services)
    riverside = northmoor.districts.get(name="Riverside")
    child = dict(sex="male", ethnicity="White", looked_after=False, yot_caseload=True)
    ned, _ = actions.add_cohort_member(
        by=users["pat"],
        service=northmoor,
        new_person=dict(local_id="N001", first_name="Ned", last_name="Testchild", date_of_birth=days_ago(15 * 365), district=riverside, **child),
        index_outcome=dict(outcome_type="referral_order", offence_date=days_ago(80), outcome_date=days_ago(60), gravity=3),
    )
    actions.add_outcome(by=users["pat"], person=ned, outcome_type="fine", offence_date=days_ago(40), outcome_date=days_ago(30), gravity=2)
    ned_action = actions.add_review_action(
        by=users["pat"], person=ned, raised_on=days_ago(29), trigger="further_offence", action="review", status="required", owner=users["pat"], due_on=days_ago(5)
    )
    nia, _ = actions.add_cohort_member(
        by=users["pat"],
        service=northmoor,
        new_person=dict(local_id="N002", first_name="Nia", last_name="Testchild", date_of_birth=days_ago(16 * 365), district=riverside, **{**child, "sex": "female"}),
        index_outcome=dict(outcome_type="youth_caution", offence_date=days_ago(50), outcome_date=days_ago(45), gravity=2),
    )
    eve, _ = actions.add_cohort_member(
        by=users["olly"],
        service=eastfield,
        new_person=dict(local_id="E001", first_name="Eve", last_name="Otherchild", date_of_birth=days_ago(14 * 365), **{**child, "sex": "female"}),
        index_outcome=dict(outcome_type="youth_caution", offence_date=days_ago(50), outcome_date=days_ago(45), gravity=2),
    )
    return World(northmoor, eastfield, users, ned, nia, eve, ned_action)


@pytest.fixture
def kept_cache():
    """A real cache in memory (the tests' default keeps nothing), with this process's copies of
    kept page fragments forgotten; audit ids repeat between tests, so it starts and ends empty."""
    from django.core.cache import cache
    from django.test import override_settings

    from reoffkit.web.tracker import fragments

    with override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "kept-cache-test"}}):
        cache.clear()
        fragments.clear_local()
        yield
        cache.clear()
        fragments.clear_local()
