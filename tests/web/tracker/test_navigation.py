"""Navigation: one set of links for the service being looked at and a service switcher for users
of several services (never the same links repeated per service); a favicon served locally."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from reoffkit.web.tracker import actions
from reoffkit.web.tracker.models import Role


def test_a_user_of_two_services_gets_one_menu_and_a_switcher_to_the_same_page(world):
    mandy = actions.update_staff_user(by=world.users["ada"], user=world.users["mandy"], role=Role.MANAGER, services=[world.northmoor, world.eastfield])
    client = Client()
    client.force_login(mandy)
    page = client.get(reverse("alerts", args=[world.northmoor.pk])).content.decode()
    menu = page[page.index('aria-label="Primary navigation"'): page.index("</nav>", page.index('aria-label="Primary navigation"'))]
    assert menu.count(">Alerts</a>") == 1 and menu.count(">Cohort</a>") == 1 and menu.count(">Performance</a>") == 1
    assert reverse("alerts", args=[world.eastfield.pk]) not in menu
    switcher = page[page.index('id="service-switcher"'): page.index('aria-label="Primary navigation"')]
    assert "Service: Northmoor" in switcher and f'href="{reverse("alerts", args=[world.eastfield.pk])}">Eastfield</a>' in switcher
    # From a child's record the switcher opens the other service's start page, not someone else's child.
    record = client.get(reverse("person", args=[world.northmoor.pk, world.ned.pk])).content.decode()
    assert f'href="{reverse("cohort", args=[world.eastfield.pk])}">Eastfield</a>' in record
    # Looking at Eastfield, the menu is Eastfield's.
    other = client.get(reverse("cohort", args=[world.eastfield.pk])).content.decode()
    assert "Service: Eastfield" in other and f'href="{reverse("alerts", args=[world.eastfield.pk])}"' in other


def test_a_user_of_one_service_has_no_switcher_and_every_page_has_a_local_favicon(world, client):
    page = world.client("pat").get(reverse("cohort", args=[world.northmoor.pk])).content.decode()
    assert 'id="service-switcher"' not in page
    assert '<link rel="icon" href="/static/reoffkit-icons/favicon.svg"' in page
    assert client.get(reverse("login")).content.decode().count('rel="icon"') == 1
