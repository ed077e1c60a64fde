"""Settings that keep their word: each counting choice a service may change is shown on every page
whose figures it changes, and the performance page — every figure of which is set against national
or official ones — counts by the official rules whatever is chosen, as the settings page promises."""

from __future__ import annotations

import html

import pytest
from django.urls import reverse

from web_helpers import days_ago

from reoffkit.web.tracker import actions

CHOICES = {
    "include_unproven": (True, "charged and admitted offences as well as proven ones"),
    "include_breaches": (True, "breaches counted"),
    "min_age": (12, "ages 12 to 17 at entry"),
    "max_age": (18, "ages 10 to 18 at entry"),
}
NOT_OFFICIAL = "not the official rules, so these figures are not comparable with official ones"


def text(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return html.unescape(response.content.decode())


def live_pages(world) -> dict[str, str]:
    s = world.northmoor.pk
    return {
        "cohort": reverse("cohort", args=[s]),
        "alerts": reverse("alerts", args=[s]),
        "meeting": reverse("meeting", args=[s]),
        "person": reverse("person", args=[s, world.ned.pk]),
    }


def test_by_default_every_page_says_it_counts_by_the_official_rules(world):
    client = world.client("mandy")
    for name, url in live_pages(world).items():
        page = text(client, url)
        assert "proven offences only; breaches not counted; ages 10 to 17 at entry" in page and NOT_OFFICIAL not in page, name
    performance = text(client, reverse("performance", args=[world.northmoor.pk]))
    assert "Counted by the official rules" in performance and "apply to the cohort list and alerts, not here" not in performance


@pytest.mark.parametrize("setting", list(CHOICES))
def test_each_setting_is_shown_on_every_page_it_changes_and_never_reaches_the_national_comparison(world, setting):
    client = world.client("mandy")
    # Nia (16, no further offence yet) breaches her order and is charged: each choice changes a count.
    actions.add_outcome(by=world.users["pat"], person=world.nia, outcome_type="fine", offence_date=days_ago(30), outcome_date=days_ago(25), breach=True)
    actions.add_outcome(by=world.users["pat"], person=world.nia, outcome_type="charged", offence_date=days_ago(20))
    performance_url = reverse("performance", args=[world.northmoor.pk])
    before = text(client, performance_url)
    settings = {name: getattr(world.northmoor, name) for name in actions.SETTINGS_FIELDS}
    value, words = CHOICES[setting]
    service = actions.update_service_settings(by=world.users["mandy"], service=world.northmoor, **{**settings, setting: value})
    assert getattr(service, setting) == value
    for name, url in live_pages(world).items():
        page = text(client, url)
        assert words in page and NOT_OFFICIAL in page, f"{setting} not shown on {name}"
    after = text(client, performance_url)
    assert "Counted by the official rules" in after and "apply to the cohort list and alerts, not here" in after and words.split(" at entry")[0] not in after.split('id="live"')[1]
    # Every figure, table and chart of the comparison is the same as under the official rules.
    assert after.split('id="live"', 1)[1] == before.split('id="live"', 1)[1]
