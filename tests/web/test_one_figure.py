"""One figure everywhere, on the demo's synthetic data: alert counts (by child) on the alerts page
and the cohort filters; the four quarters added together, named by their dates, with the same
figures on the performance page, ``reoffkit performance`` and ``reoffkit measures``; live cohorts
labelled provisional, with the day they become final."""

from __future__ import annotations

import html
import json
import re

import polars as pl
import pytest
from django.urls import reverse
from web_helpers import PASSWORD, TODAY

from reoffkit.casefile import read_case_file, write_case_file
from reoffkit.cli import main as cli
from reoffkit.demo import SERVICE_NAME, demo_name
from reoffkit.engine import ALERT_LABELS
from reoffkit.synthetic import generate, services_named
from reoffkit.web.spreadsheets.loading import load_case_frames
from reoffkit.web.tracker import actions
from reoffkit.web.tracker.models import Role
from reoffkit.engine.rules import quarter_of


@pytest.fixture
def demo(db, tmp_path):
    """A smaller demo service (the demo's generator): about ten quarters up to today."""
    current = quarter_of(TODAY)
    frames = generate(services_named([SERVICE_NAME], seed=11), first_quarter=current - 12, quarters=13, children_per_quarter=18, as_at=TODAY, seed=2026, owners=("demo.practitioner",))
    folder = write_case_file(frames, tmp_path / "case-file")
    case_file = read_case_file(folder, today=TODAY)
    assert case_file.ok
    service = actions.create_service(by="test-setup", name=SERVICE_NAME)
    users = {
        role: actions.create_staff_user(by="test-setup", username=f"demo.{role}", password=PASSWORD, role=role, services=[service])
        for role in (Role.PRACTITIONER, Role.MANAGER, Role.PERFORMANCE)
    }
    load_case_frames(by=users[Role.MANAGER], service=service, frames=case_file.frames(), name_for=demo_name, owner_for=lambda owner: users[Role.PRACTITIONER])
    return {"service": service, "users": users, "folder": folder}


def page(client, url, params=None) -> str:
    response = client.get(url, params or {})
    assert response.status_code == 200, url
    return html.unescape(response.content.decode())


def test_alert_counts_are_by_child_on_the_alerts_page_and_the_cohort_filters(demo, client):
    client.force_login(demo["users"][Role.MANAGER])
    service = demo["service"]
    alerts = page(client, reverse("alerts", args=[service.pk]))
    assert "Alerts are counted by child" in alerts
    table = alerts[alerts.index('id="alert-counts"'):]
    compared = 0
    for code, label in ALERT_LABELS.items():
        on_alerts_page = int(re.search(re.escape(label) + r"(?:</a>)?</th>\s*<td[^>]*>(\d+)</td>", table).group(1))
        cohort = page(client, reverse("cohort", args=[service.pk]), {"alert": code})
        shown = re.search(r"cohort entr(?:y|ies): (\d+) child", cohort)
        assert int(shown.group(1)) == on_alerts_page, code
        compared += on_alerts_page > 0
    assert compared >= 3  # the demo fires several types of alert
    any_alert = page(client, reverse("cohort", args=[service.pk]), {"alert": "any"})
    children = int(re.search(r"(\d+) child(?:ren)? in follow-up ha(?:s|ve) at least one alert", alerts).group(1))
    assert int(re.search(r"cohort entr(?:y|ies): (\d+) child", any_alert).group(1)) == children


def test_the_four_quarters_added_together_are_named_by_their_dates_with_one_figure_on_page_and_command_line(demo, client, tmp_path, capsys):
    client.force_login(demo["users"][Role.PERFORMANCE])
    performance = page(client, reverse("performance", args=[demo["service"].pk]))
    assert cli(["performance", str(demo["folder"]), "--out", str(tmp_path / "out"), "--as-at", TODAY.isoformat()]) == 0
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    aggregate = [row for row in summary["live"] if row["cohort_basis"] == "aggregated_quarters"][0]
    name = f"Four quarters {aggregate['months']} ({aggregate['cohort']}) added together"
    assert name in performance
    rate = f"{100 * aggregate['binary_rate']:.1f}%"
    row = performance[performance.index(name):]
    row = row[: row.index("</tr>")]
    assert rate in row and "Provisional" in row and f"final {pl.Series([aggregate['final_on']]).str.to_date()[0]:%-d %b %Y}" in row
    assert aggregate["months"] in summary["findings"]["live"] and rate in summary["findings"]["live"]
    capsys.readouterr()
    first = aggregate["cohort"].split("–")[0]
    assert cli(["measures", str(demo["folder"]), "--period", first, "--quarters", "4", "--as-at", TODAY.isoformat(), "--format", "json"]) == 0
    measured = json.loads(capsys.readouterr().out)
    assert measured["binary_rate"] == pytest.approx(aggregate["binary_rate"]) and measured["cohort_size"] == aggregate["cohort_size"]
    assert measured["provisional"] is True and measured["follow_up_complete_on"] == aggregate["final_on"]
    assert cli(["measures", str(demo["folder"]), "--period", first, "--quarters", "4", "--as-at", TODAY.isoformat()]) == 0
    assert aggregate["months"] in capsys.readouterr().out
