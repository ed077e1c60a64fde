"""The analysis page: the default completed cohort, every section, the critical few linked for case
roles and absent for board viewers, downloads, and bad choices refused."""

from __future__ import annotations

import datetime as dt
import html

import polars as pl
from django.urls import reverse
from web_helpers import TODAY, add_quarter

from reoffkit.engine.rules import quarter_label, quarter_of
from reoffkit.web.tracker import actions


def completed_quarter(world) -> int:
    """A quarter two years back (complete), with 12 children of whom 6 reoffend once — one of them
    prolific on standard intervention."""
    key = quarter_of(TODAY) - 9
    add_quarter(world, key, 12, 6, prefix="A")
    return key


def page(world, persona: str, query: str = "") -> str:
    response = world.client(persona).get(reverse("analysis", args=[world.northmoor.pk]) + query)
    assert response.status_code == 200, response.status_code
    return html.unescape(response.content.decode())


def test_without_a_completed_cohort_the_page_says_so(world):
    assert "No quarterly cohort of Northmoor has completed its follow-up yet" in page(world, "mandy")


def test_the_latest_completed_quarters_are_analysed_by_default(world):
    key = completed_quarter(world)
    text = page(world, "mandy")
    assert f"Cohort {quarter_label(key)}: 12 children, 6 reoffended, 6 further offences" in text
    for heading in ("Who reoffended", "Hotspots", "Which disposals", "not on the YOT caseload", "the prolific few", "Time to the first further offence",
                    "Accuracy of assessments", "Seriousness", "Resettlement after custody", "How complete the records are"):
        assert heading in text, heading
    for number in range(1, 9):
        assert f"Line of enquiry {number}:" in text
    assert "Children who first reoffended within 3 months committed 100% of all further offences" in text


def test_critical_few_link_to_records_for_case_roles_and_are_absent_for_board(world):
    key = completed_quarter(world)
    person = world.northmoor.young_people.get(local_id="A00")
    for number in range(5):
        actions.add_outcome(by=world.users["pat"], person=person, outcome_type="fine",
                            offence_date=Period_start(key) + dt.timedelta(days=40 + number), outcome_date=Period_start(key) + dt.timedelta(days=60 + number))
    actions.add_assessment(by=world.users["pat"], person=person, assessment_date=Period_start(key), tool="assetplus", score=30, likelihood_band="medium", intervention_level="standard")
    query = f"?period={quarter_label(key)}&quarters=1"
    text = page(world, "mandy", query)
    assert "The critical few: 1 case to audit" in text
    assert reverse("person", args=[world.northmoor.pk, person.pk]) in text
    assert "Prolific (6 further offences) on standard intervention" in text
    board = page(world, "bea", query)
    assert "The critical few" not in board and "/people/" not in board and "KidA0" not in board
    assert "Aggregates only" in board


def test_downloads_and_bad_choices(world):
    key = completed_quarter(world)
    client = world.client("percy")
    query = f"?period={quarter_label(key)}&quarters=1"
    csv = client.get(reverse("analysis-chart", args=[world.northmoor.pk, "profile", "csv"]) + query)
    assert csv.status_code == 200
    table = pl.read_csv(csv.content)
    assert table["Children"].sum() == 12 * 4  # four breakdowns of the same 12 children
    assert client.get(reverse("analysis-chart", args=[world.northmoor.pk, "nothing", "png"]) + query).status_code == 404
    assert client.get(reverse("analysis", args=[world.northmoor.pk]) + "?period=2016Q5").status_code == 400
    assert client.get(reverse("analysis", args=[world.northmoor.pk]) + "?quarters=3").status_code == 400
    assert client.get(reverse("analysis", args=[world.northmoor.pk]) + "?by=name").status_code == 400


def Period_start(key: int) -> dt.date:
    from reoffkit.engine.rules import quarter_start

    return quarter_start(key) + dt.timedelta(days=10)


def test_the_frequency_rate_is_per_100_children_codes_are_words_and_the_next_step_links_the_disproportionality_page(world):
    key = completed_quarter(world)
    query = f"?period={quarter_label(key)}&quarters=1"
    text = page(world, "percy", query)
    assert "Further offences per 100 children" in text and "50.0 per 100 children" in text  # 6 offences among 12 children
    assert ">youth_caution<" not in text and ">pre_court<" not in text and "Youth caution" in text and "Pre-court" in text
    link = reverse("disproportionality", args=[world.northmoor.pk])
    assert f'href="{link}"' in text and "ethnic disproportionality analysis" in text
    # a practitioner may not open the disproportionality page: no link to it
    assert f'href="{link}"' not in page(world, "pat", query)


def test_the_heading_writes_the_binary_rate_as_the_board_paper_does(world):
    """One figure, one way of writing it: the analysis page's heading gives the cohort's binary rate
    to one decimal place, as the board paper, the summary and the performance pages do (50.0%, not
    50%)."""
    key = completed_quarter(world)
    text = page(world, "mandy")
    assert f"Cohort {quarter_label(key)}: 12 children, 6 reoffended" in text
    assert "Binary rate 50.0%" in text
