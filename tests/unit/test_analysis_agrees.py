"""The retrospective analysis agrees with itself, on the demo's synthetic service, for the service and
for boards: each finding names the group its own chart shows highest (and lowest) among the groups
large enough to compare; smaller groups are greyed on the chart and never named; codes are shown as
plain names; long labels wrap instead of being cut; the frequency rate is never a percentage."""

from __future__ import annotations

import datetime as dt
import re

import polars as pl
import pytest

from reoffkit.charts import LABEL_WIDTH, SMALL
from reoffkit.demo import SERVICE_NAME, demo_frames
from reoffkit.disclosure import SUPPRESS_BELOW
from reoffkit.engine import Period
from reoffkit.engine import analysis as stats
from reoffkit.engine.codes import TIER_RANK, outcome_type_table
from reoffkit.reports.analysis import analysis_report, for_board

AS_AT = dt.date(2026, 12, 3)
PERIOD = Period.parse("2024Q2", 4)
PROFILES = ("profile", "districts", "disposals")
CODES = set(outcome_type_table()) | set(TIER_RANK) | {"assetplus", "true", "false"}


@pytest.fixture(scope="module", params=["service", "board"])
def report(request):
    frames = demo_frames(AS_AT)
    report = analysis_report(frames["people"], frames["outcomes"], frames["assessments"], areas=[SERVICE_NAME], period=PERIOD, as_at=AS_AT,
                             resettlement=frames["resettlement"])
    return report if request.param == "service" else for_board(report, SUPPRESS_BELOW)


def _named(finding: str, word: str) -> str:
    match = re.search(rf"(?:^|; the {word} was )([^;(]+?)(?: had the highest binary rate| \()", finding)
    assert match, finding
    return match.group(1).strip()


def test_each_finding_names_the_group_its_chart_shows_highest_and_lowest(report):
    for key in PROFILES:
        section = report.section(key)
        chart = next(c for c in section.charts if c.name == key)
        small_column = next(c for c in chart.table.columns if c.startswith("Under 10 children"))
        compared = chart.table.filter(~pl.col(small_column) & pl.col("Binary rate").is_not_null())
        assert chart.title == section.finding  # the chart states the finding it was drawn with
        if compared.is_empty():
            assert "no group can be compared" in section.finding
            continue
        top = compared.sort("Binary rate", descending=True, maintain_order=True).row(0, named=True)
        bottom = compared.sort("Binary rate", descending=True, maintain_order=True).row(compared.height - 1, named=True)
        assert section.finding.startswith(f"{top['Group']} had the highest binary rate: {100 * top['Binary rate']:.0f}%"), (key, section.finding)
        if compared.height > 1:
            assert f"the lowest was {bottom['Group']} ({100 * bottom['Binary rate']:.0f}%" in section.finding, (key, section.finding)
        # a group too small to compare is never the one named, and the chart greys it
        for row in chart.table.filter(pl.col(small_column)).to_dicts():
            assert f"{row['Group']} had the highest" not in section.finding and f"the lowest was {row['Group']} (" not in section.finding
        smalls = chart.table.filter(pl.col(small_column)).height
        if smalls:
            assert f"{smalls} group{'s are' if smalls > 1 else ' is'} under {stats.SMALL_GROUP} children" in section.finding
            assert SMALL in str(chart.spec)


def test_the_disposals_chart_greys_a_group_of_under_ten_that_has_the_highest_rate():
    frames = demo_frames(AS_AT)
    report = analysis_report(frames["people"], frames["outcomes"], frames["assessments"], areas=[SERVICE_NAME], period=PERIOD, as_at=AS_AT)
    table = report.section("disposals").tables["disposals"]
    highest = table.sort("binary_rate", descending=True).row(0, named=True)
    assert highest["small"], "the demo has a small disposal with the highest rate (the case the finding must not name)"
    assert not report.section("disposals").finding.startswith(highest["label"])


def test_codes_are_shown_as_plain_names_in_every_table_and_chart(report):
    for section in report.sections:
        for name, table in section.tables.items():
            for column in ("group", "label", "index_disposal", "tool"):
                if column in table.columns:
                    shown = {str(v) for v in table[column].to_list() if v is not None}
                    assert not shown & CODES, (section.key, name, column, shown & CODES)
        for chart in section.charts:
            for column in chart.table.columns:
                if chart.table[column].dtype == pl.String:
                    shown = set(chart.table[column].drop_nulls().to_list())
                    assert not shown & CODES, (section.key, chart.name, shown & CODES)


def test_long_labels_wrap_onto_lines_and_are_never_cut(report):
    chart = report.section("disposals").charts[0]
    spec = str(chart.spec)
    assert "split(datum.label" in spec and "'labelLimit': 0" in spec
    svg = chart.svg()
    assert "…" not in svg
    for label in chart.table["Group"].to_list():
        if chart.table.filter(pl.col("Group") == label)["Binary rate"][0] is None:
            continue
        for word in re.findall(r"[A-Za-z]{4,}", label):
            assert word in svg, (label, word)
    lines = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    assert all(len(line) <= LABEL_WIDTH + 2 for line in lines if line.startswith(("Disposal", "Tier")))
