"""The user's guide to the case file and its example agree with the code."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from casefile_files import TODAY

from reoffkit.casefile import read_case_file
from reoffkit.casefile.columns import SPECS
from reoffkit.engine import codes

DOCS = Path(__file__).resolve().parents[2] / "docs"
GUIDE = (DOCS / "case-file.md").read_text(encoding="utf-8")


def _section(title: str) -> str:
    """The text of one ``## title`` or ``### title`` section of the guide."""
    match = re.search(rf"^#{{2,3}} {re.escape(title)}\n(.*?)(?=^#{{2,3}} |\Z)", GUIDE, re.S | re.M)
    assert match, title
    return match.group(1)


def _table_rows(section: str) -> dict[str, list[str]]:
    """First cell (without backticks) → the backticked words of the row's other cells."""
    rows = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 2 and cells[0].startswith("`"):
            rows[cells[0].strip("`")] = re.findall(r"`([^`]+)`", " | ".join(cells[1:]))
    return rows


def test_every_outcome_type_and_every_word_for_it_is_in_the_guide():
    rows = _table_rows(_section("Outcome types"))
    assert list(rows) == [t.code for t in codes.OUTCOME_TYPES]
    for outcome_type in codes.OUTCOME_TYPES:
        line = next(line for line in GUIDE.splitlines() if line.startswith(f"| `{outcome_type.code}` |"))
        assert f"| {outcome_type.label} | {codes.TIER_LABELS[outcome_type.tier]} |" in line
        assert rows[outcome_type.code] == list(outcome_type.synonyms)


def test_every_code_and_synonym_of_every_list_is_in_the_guide():
    titles = {"yes_no": "yes/no", "yes_no_not_known": "yes, no or not known"}
    for vocabulary, words in codes.SYNONYMS.items():
        rows = _table_rows(_section(titles.get(vocabulary, vocabulary)))
        assert rows == {code: list(synonyms) for code, synonyms in words.items()}, vocabulary


def test_every_column_of_every_sheet_is_in_the_guide_in_order():
    for sheet, specs in SPECS.items():
        assert list(_table_rows(_section(sheet))) == [spec.name for spec in specs], sheet


def test_the_example_reads_with_no_problem_at_all():
    case_file = read_case_file(DOCS / "examples" / "case-file-example.xlsx", today=TODAY)
    assert case_file.problems == ()
    assert 5 <= case_file.people.height <= 10
    assert {name: getattr(case_file, name).is_empty() for name in ("outcomes", "assessments", "actions")} == {
        "outcomes": False, "assessments": False, "actions": False,
    }


def test_the_example_is_what_its_script_makes(tmp_path):
    remade = tmp_path / "remade.xlsx"
    subprocess.run([sys.executable, str(DOCS / "examples" / "make_example.py"), str(remade)], check=True, capture_output=True)
    committed = read_case_file(DOCS / "examples" / "case-file-example.xlsx", today=TODAY)
    fresh = read_case_file(remade, today=TODAY)
    for name, frame in fresh.frames().items():
        assert getattr(committed, name).equals(frame), name
