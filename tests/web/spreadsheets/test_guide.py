"""The case-file guide is served inside the application from the copy shipped in the package, which
is the guide in docs/ word for word; the import page links it and says how to get a case file from
reoffkit's own exports."""

from __future__ import annotations

import html
import re
from pathlib import Path

from django.urls import reverse

from reoffkit.casefile.columns import SPECS
from reoffkit.engine import codes
from reoffkit.web.spreadsheets.guide import anchor, guide_text

DOCS_GUIDE = Path(__file__).resolve().parents[3] / "docs" / "case-file.md"


def test_the_shipped_guide_is_the_guide_in_the_docs():
    assert guide_text() == DOCS_GUIDE.read_text(encoding="utf-8"), "copy docs/case-file.md to src/reoffkit/casefile/guide.md"


def test_the_guide_page_shows_every_sheet_column_and_code_and_its_own_links_land(world):
    page = world.client("percy").get(reverse("import-guide", args=[world.northmoor.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    for sheet, specs in SPECS.items():
        assert f'id="{sheet}"' in text
        for spec in specs:
            assert f'<td class="govuk-table__cell"><code>{spec.name}</code></td>' in text, (sheet, spec.name)
    for outcome_type in codes.OUTCOME_TYPES:
        assert f"<code>{outcome_type.code}</code>" in text
    ids = set(re.findall(r' id="([^"]+)"', text))
    for target in re.findall(r'href="#([^"]+)"', text):
        if target != "main-content":
            assert target in ids, target  # every link of the guide to a section of it lands there
    assert "Getting a case file from reoffkit" in text and "<table" in text and "<pre" in text
    assert "](" not in text and "**" not in text and "`" not in text  # no Markdown left unrendered


def test_the_guide_escapes_what_it_shows():
    from reoffkit.web.spreadsheets.guide import _blocks

    rendered = _blocks(["A <script>x</script> & [a file](examples/x.xlsx) and [a section](#codes) with `<b>`."])
    assert "<script>" not in rendered and "&lt;script&gt;" in rendered and "&amp;" in rendered
    assert 'href="#codes"' in rendered and "examples/x.xlsx" not in rendered and "<code>&lt;b&gt;</code>" in rendered
    assert anchor("Ethnicity: two ways of recording it") == "ethnicity-two-ways-of-recording-it"
    assert anchor("yes, no or not known") == "yes-no-or-not-known"


def test_the_import_page_links_the_guide_and_says_which_export_is_a_case_file(world):
    page = html.unescape(world.client("percy").get(reverse("import", args=[world.northmoor.pk])).content.decode())
    assert f'href="{reverse("import-guide", args=[world.northmoor.pk])}"' in page
    assert "Export the case file</a> below (performance officers only; audited)" in page
    assert "The cohort export on the cohort page (managers and performance officers) is not a case file" in page
    assert world.client("bea").get(reverse("import-guide", args=[world.northmoor.pk])).status_code == 403
