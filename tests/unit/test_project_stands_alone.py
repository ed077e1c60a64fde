"""The project stands on its own: nothing in it points at a file outside it, every citation of
docs/rules.md names a section that exists, and every shipped figure names its public source."""

from __future__ import annotations

import csv
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RULES = ROOT / "docs" / "rules.md"

#: Names of files that are not in the repository (the documents the project was first written
#: from). Written so that this file does not match itself.
OUTSIDE = re.compile(r"DOMAIN\.md|ARCHITECTURE\.md|\.\./shared|seed\s00", re.IGNORECASE)
NOT_SEARCHED = {"frontend/package-lock.json"}


def tracked_files() -> list[Path]:
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout.decode()
    return [ROOT / name for name in listed.split("\0") if name and name not in NOT_SEARCHED]


def text_of(path: Path) -> str | None:
    try:
        data = path.read_bytes()
    except (FileNotFoundError, IsADirectoryError):  # deleted in the work tree, or a submodule
        return None
    if b"\0" in data[:8192]:  # binary: images, workbooks
        return None
    return data.decode("utf-8", errors="replace")


def mentions(pattern: re.Pattern[str]) -> list[str]:
    found = []
    for path in tracked_files():
        text = text_of(path)
        if text is None:
            continue
        for number, line in enumerate(text.splitlines(), start=1):
            if pattern.search(line):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:120]}")
    return found


def test_no_tracked_file_mentions_a_file_outside_the_project():
    assert mentions(OUTSIDE) == []


def test_the_check_finds_what_it_looks_for():
    names = ["DOMAIN" + ".md §3", "ARCHITECTURE" + ".md", ".." + "/shared/reference", "Seed" + " 001, area 7", "a seeded generator (seed 12)"]
    lines = [f"see {name}" for name in names]
    assert [bool(OUTSIDE.search(line)) for line in lines] == [True, True, True, True, False]


def rules_sections() -> set[str]:
    """The numbers of the sections of docs/rules.md: "3" for "## 3. …", "7.1" for "### 7.1 …"."""
    return set(re.findall(r"^#{2,3} (\d+(?:\.\d+)?)\.? ", RULES.read_text(encoding="utf-8"), re.MULTILINE))


def test_every_citation_of_the_rules_names_a_section_that_exists():
    sections = rules_sections()
    assert {"1", "3", "6", "7.1", "11", "14"} <= sections
    cited = re.compile(r"rules\.md (§\d+(?:\.\d+)?(?:[–,-] ?§?\d+(?:\.\d+)?)*)")
    missing = []
    for path in tracked_files():
        text = text_of(path)
        for citation in cited.findall(text or ""):
            for number in re.findall(r"\d+(?:\.\d+)?", citation):
                if number not in sections:
                    missing.append(f"{path.relative_to(ROOT)}: §{number}")
    assert missing == []


def test_the_links_inside_the_rules_reach_their_headings():
    text = RULES.read_text(encoding="utf-8")
    # GitHub's anchors: lower case, punctuation dropped, spaces to hyphens
    anchors = {re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-") for heading in re.findall(r"^#{2,3} (.+)$", text, re.MULTILINE)}
    linked = set(re.findall(r"\]\(#([^)]+)\)", text))
    assert linked and linked <= anchors, linked - anchors


@pytest.mark.parametrize("path", sorted((ROOT / "src" / "reoffkit" / "reference" / "data").glob("*.csv")), ids=lambda p: p.name)
def test_every_shipped_figure_names_its_public_source_with_publisher_and_date(path):
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert rows
    for number, row in enumerate(rows, start=2):
        source = row["source"]
        # "Title (Publisher, date)": a title, then in brackets the publisher and a date with its year
        assert re.fullmatch(r"[^()]*\S.*\([^(),]+, [^()]*\b(19|20)\d\d\b[^()]*\)", source), f"{path.name} row {number}: {source!r}"
