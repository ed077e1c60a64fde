"""No page gives two elements the same id: a label, a link to a part of the page (``#cohorts``) and
assistive technology each find the first element of an id, so a second one is never reached. And no
page writes a count of a thousand or more without its thousands separated (29,401, not 29401), as
the national figures, partnerships and large services reach.

Every page of the permission matrix that each role may open, and the other pages of a service,
with the reports drawn (the national comparison with the SYNTHETIC national table loaded and the service
placed in it, the disproportionality page, the analysis)."""

from __future__ import annotations

import collections
import re
import datetime as dt
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from test_permission_matrix import MATRIX, OK, url_for


class _Ids(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: collections.Counter = collections.Counter()

    def handle_starttag(self, tag, attrs) -> None:
        for name, value in attrs:
            if name == "id" and value:
                self.ids[value] += 1


def repeated_ids(html: str) -> list[str]:
    parser = _Ids()
    parser.feed(html)
    return sorted(name for name, count in parser.ids.items() if count > 1)


#: A numeric table cell holding a bare run of four or more digits (a count written 29401).
_UNGROUPED = re.compile(r'govuk-table__cell--numeric"[^>]*>\s*(-?\d{4,})\s*<')


def ungrouped_counts(html: str) -> list[str]:
    return sorted(set(_UNGROUPED.findall(html)))


def test_the_check_finds_a_count_written_without_its_separator():
    cells = '<td class="govuk-table__cell govuk-table__cell--numeric">29401</td><td class="govuk-table__cell govuk-table__cell--numeric">1,204</td>'
    assert ungrouped_counts(cells + '<td class="govuk-table__cell govuk-table__cell--numeric">812</td>') == ["29401"]


def test_the_check_finds_an_id_given_twice():
    assert repeated_ids('<h2 id="cohorts">x</h2><input id="cohorts"><p id="one"></p>') == ["cohorts"]


#: Pages not in the permission matrix (each checked where the role may open it).
EXTRA = {
    "plan": "service", "plan-add": "service", "plan-import": "service", "board-papers": "service", "disproportionality": "service",
    "service-population": "service", "population-tables": "none", "my-work": "service", "import-mapping": "service",
    "change-password": "none", "edit-person": "person",
}


@pytest.fixture
def placed(world):
    from reoffkit.reference.synthetic_national import synthetic_national
    from reoffkit.web.compare import actions

    data = synthetic_national(as_at=dt.date(2026, 12, 1))
    actions.load_figures(by="test", data=data, title="SYNTHETIC national table", publisher="reoffkit")
    actions.set_service_comparison(by=world.users["mandy"], service=world.northmoor, area_code=data.areas[0].area_code, rag_against="country:England and Wales")
    return world


def _pages(world, persona):
    """(name, HTML) of every page ``persona`` may open: the permission matrix's, :data:`EXTRA` and
    the national comparison with its report."""
    client = world.client(persona)
    for name, kind in [*((name, kind) for name, (kind, expected) in MATRIX.items() if expected[persona] == OK), *EXTRA.items()]:
        response = client.get(url_for(world, name, kind))
        if response.status_code == OK and response["Content-Type"].startswith("text/html"):
            yield name, response.content.decode()
    if persona != "ada":
        response = client.get(reverse("compare", args=[world.northmoor.pk]) + "?figures=synthetic")
        assert response.status_code == OK and "Funnel plots" in response.content.decode()
        yield "compare (with its report)", response.content.decode()


_LINK = re.compile(r'<a [^>]*href="(/[^"#]*)')


@pytest.mark.parametrize("persona", ["pat", "mandy", "percy", "bea", "ada"])
def test_no_page_links_to_a_page_its_reader_may_not_open(placed, persona, kept_cache):
    """Every link on every page a role may open leads somewhere that role may open: a board viewer
    is not sent to a page that answers 403 (the address of a static file or a job excepted). With
    a real cache, as the product runs: each report is made once, not once a link."""
    import html

    client = placed.client(persona)
    seen: dict[str, int] = {}
    broken = {}
    for name, page in _pages(placed, persona):
        for href in {html.unescape(h) for h in _LINK.findall(page)}:
            if href.startswith(("/static/", "/jobs/")):
                continue
            if href not in seen:
                seen[href] = client.get(href).status_code
            if seen[href] >= 400:
                broken.setdefault(name, []).append(f"{href} ({seen[href]})")
    assert not broken, broken


@pytest.mark.parametrize("persona", ["pat", "mandy", "percy", "bea", "ada"])
def test_no_page_a_role_may_open_gives_an_id_twice_or_a_count_without_its_separator(placed, persona):
    repeated, ungrouped = {}, {}
    for name, html in _pages(placed, persona):
        if found := repeated_ids(html):
            repeated[name] = found
        if found := ungrouped_counts(html):
            ungrouped[name] = found
    assert not repeated, repeated
    assert not ungrouped, ungrouped
