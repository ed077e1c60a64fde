"""One red/amber/green rating, one look: the national comparison, the disproportionality page and
the action plan draw a rating through the same tag, in words as well as colour, amber in the same
orange as a pending action."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.template.loader import render_to_string

import reoffkit.web

TAG = "tracker/includes/rating_tag.html"


@pytest.mark.parametrize(
    ("rag", "none", "shown"),
    [
        ("red", None, '<strong class="govuk-tag govuk-tag--red">Red</strong>'),
        ("amber", None, '<strong class="govuk-tag govuk-tag--orange">Amber</strong>'),
        ("green", None, '<strong class="govuk-tag govuk-tag--green">Green</strong>'),
        (None, None, "–"),
        (None, "Dropped", '<strong class="govuk-tag govuk-tag--grey">Dropped</strong>'),
    ],
)
def test_a_rating_is_a_tag_in_words(rag, none, shown):
    assert render_to_string(TAG, {"rag": rag, "none": none}).strip() == shown


def test_no_page_draws_a_rating_of_its_own():
    templates = Path(reoffkit.web.__file__).parent.rglob("templates/**/*.html")
    own = [str(path) for path in templates if path.name != "rating_tag.html" and ">Amber</strong>" in path.read_text()]
    assert own == []
