"""UK date entry (GOV.UK's date input: day, month and year boxes, whatever the browser's locale)
and every form error at once in a GOV.UK error summary."""

from __future__ import annotations

import html

from django.urls import reverse
from web_helpers import days_ago


def text(response) -> str:
    return html.unescape(response.content.decode())


def dated(name: str, when=None, **parts) -> dict:
    """A date as GOV.UK's date input posts it; ``parts`` as typed (day, month, year) instead."""
    values = {"day": str(when.day), "month": str(when.month), "year": str(when.year)} if when else {}
    values.update(parts)
    return {f"{name}-{part}": value for part, value in values.items()}


def summary_links(page: str) -> list[str]:
    body = page.split('govuk-error-summary__list"')[1].split("</ul>")[0]
    return [chunk.split('"')[0] for chunk in body.split('href="')[1:]]


def test_dates_are_typed_as_day_month_and_year(world):
    page = text(world.client("pat").get(reverse("add-offence", args=[world.northmoor.pk, world.ned.pk])))
    assert 'type="date"' not in page
    for part in ("day", "month", "year"):
        assert f'name="offence_date-{part}"' in page
    assert 'id="id_offence_date" name="offence_date-day"' in page  # the label and error summary lead to the day
    assert '<legend class="govuk-fieldset__legend govuk-fieldset__legend--s">Offence date</legend>' in page


def test_a_date_typed_day_month_year_is_saved(world):
    client = world.client("pat")
    post = {"outcome_type": "fine", **dated("offence_date", days_ago(20)), **dated("outcome_date", days_ago(10))}
    assert client.post(reverse("add-offence", args=[world.northmoor.pk, world.ned.pk]), post).status_code == 302
    assert world.ned.outcomes.filter(offence_date=days_ago(20), outcome_date=days_ago(10)).exists()


def test_each_part_of_a_date_is_checked_as_gov_uk_does(world):
    client = world.client("pat")
    address = reverse("add-offence", args=[world.northmoor.pk, world.ned.pk])
    for parts, message in (
        ({"day": "3", "month": "", "year": "2024"}, "Offence date must include a month"),
        ({"day": "", "month": "", "year": "2024"}, "Offence date must include a day and a month"),
        ({"day": "31", "month": "2", "year": "2024"}, "Offence date must be a real date"),
        ({"day": "3", "month": "x", "year": "2024"}, "Offence date must be a real date"),
        ({"day": "3", "month": "2", "year": "24"}, "Offence date: the year must include 4 numbers"),
    ):
        page = text(client.post(address, {"outcome_type": "charged", **dated("offence_date", **parts)}))
        assert message in page, (parts, page[:0])
        assert f'name="offence_date-day" type="text" inputmode="numeric" value="{parts["day"]}"' in page  # what was typed comes back
        assert "govuk-input--error" in page


def test_every_error_of_the_add_member_form_at_once(world):
    """Missing names, a date without its month and a child too old for the cohort: one page, one
    summary with all of them (the age check used to come only after the rest was put right)."""
    post = {
        "local_id": "N900", "first_name": "", "last_name": "Late", **dated("date_of_birth", days_ago(30 * 365)), "sex": "male",
        "ethnicity": "White", "outcome_type": "youth_caution", **dated("offence_date", days_ago(20)),
        **dated("outcome_date", day="5", month="", year=str(days_ago(10).year)),
    }
    page = text(world.client("pat").post(reverse("add-member", args=[world.northmoor.pk]), post))
    assert "There is a problem" in page
    links = summary_links(page)
    assert {"#id_first_name", "#id_outcome_date"} <= set(links), links
    assert "Enter the first name" in page and "Outcome date must include a month" in page
    # with the outcome date put right, the age is the only error left, and it was not hidden before it
    post.update(dated("outcome_date", days_ago(10)), first_name="Lou")
    page = text(world.client("pat").post(reverse("add-member", args=[world.northmoor.pk]), post))
    assert "this service's cohort is aged 10 to 17" in page and summary_links(page) == ["#id_date_of_birth"]


def test_the_age_error_comes_with_the_other_errors(world):
    post = {
        "local_id": "N901", "first_name": "", "last_name": "Old", **dated("date_of_birth", days_ago(30 * 365)), "sex": "male",
        "ethnicity": "White", "outcome_type": "youth_caution", **dated("offence_date", days_ago(20)), **dated("outcome_date", days_ago(10)),
    }
    page = text(world.client("pat").post(reverse("add-member", args=[world.northmoor.pk]), post))
    assert set(summary_links(page)) == {"#id_first_name", "#id_date_of_birth"}


def test_the_offence_forms_model_checks_come_with_the_field_errors(world):
    post = {"outcome_type": "charged", **dated("offence_date", days_ago(20)), **dated("outcome_date", days_ago(10)), "gravity": "9"}
    page = text(world.client("pat").post(reverse("add-offence", args=[world.northmoor.pk, world.ned.pk]), post))
    assert set(summary_links(page)) == {"#id_outcome_date", "#id_gravity"}
    assert "A charged or admitted offence has no outcome date until it is proven." in page


def test_a_bookmarked_single_value_date_still_works(world):
    page = text(world.client("mandy").get(reverse("meeting", args=[world.northmoor.pk]), {"since": days_ago(5).strftime("%d/%m/%Y")}))
    assert f'name="since-day" type="text" inputmode="numeric" value="{days_ago(5).day}"' in page
