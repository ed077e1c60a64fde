"""The national comparison's report and ``reoffkit compare``: comparators added up from their areas,
changes, RAG, funnel roles, suppression for sharing, SYNTHETIC said on every output, bad input."""

from __future__ import annotations

import datetime as dt
import json
import math

import polars as pl
import pytest
from openpyxl import load_workbook

from reoffkit.cli import main
from reoffkit.reference.areas import AreaData, AreaFigure, AreaInfo
from reoffkit.reports.comparison import comparison_report, comparison_summary, for_sharing

YEARS = [(dt.date(y, 4, 1), dt.date(y + 1, 3, 31)) for y in (2020, 2021, 2022)]
SOURCE = "Test table (Test publisher; 2024)"


def figure(code, name, period, size, reoffenders, reoffences, kind="youth_justice_service"):
    return AreaFigure(code, name, kind, "aggregated_quarters", *period, size, reoffenders, reoffences, reoffenders / size, reoffences / size, source=SOURCE)


def small_nation() -> AreaData:
    areas = (
        AreaInfo("A", "Alpha", "youth_justice_service", "North", "North PCC", ("B", "C")),
        AreaInfo("B", "Beta", "youth_justice_service", "North", "North PCC", ("A", "C")),
        AreaInfo("C", "Gamma", "youth_justice_service", "South", "South PCC", ("A", "B")),
        AreaInfo("D", "Delta", "youth_justice_service", "South", "South PCC", ("C",)),
        AreaInfo("EW", "England and Wales", "country"),
    )
    counts = {  # per year: (size, reoffenders, reoffences)
        "A": [(100, 40, 120), (100, 30, 90), (100, 35, 100)],
        "B": [(200, 60, 180), (200, 70, 200), (200, 66, 190)],
        "C": [(50, 20, 60), (50, 3, 6), (50, 25, 70)],
        "D": [(300, 90, 300), (300, 99, 310), (300, 100, 300)],
    }
    names = {a.area_code: a.area_name for a in areas}
    figures = [figure(code, names[code], YEARS[y], *counts[code][y]) for code in counts for y in range(3)]
    for y in range(3):
        size = sum(counts[c][y][0] for c in counts)
        figures.append(figure("EW", "England and Wales", YEARS[y], size, sum(counts[c][y][1] for c in counts), sum(counts[c][y][2] for c in counts), "country"))
    return AreaData(tuple(figures), areas)


def test_comparators_are_added_up_from_their_areas_and_changes_tested():
    report = comparison_report(small_nation(), "Alpha", comparators=["family", "region", "country:England and Wales", "area:D"])
    cohorts = report.tables["cohorts"]
    assert cohorts["period"].unique(maintain_order=True).to_list() == ["Apr 2020–Mar 2021", "Apr 2021–Mar 2022", "Apr 2022–Mar 2023"]
    family = cohorts.filter(pl.col("key") == "family").row(2, named=True)
    # Beta and Gamma in 2022: 250 children, 66 + 25 = 91 reoffended.
    assert (family["cohort_size"], family["reoffenders"], family["areas"]) == (250, 91, 2)
    region = cohorts.filter(pl.col("key") == "region").row(0, named=True)
    assert (region["cohort_size"], region["reoffenders"]) == (300, 100)  # Alpha and Beta in 2020
    alpha = cohorts.filter(pl.col("key") == "focus").row(2, named=True)
    # 30/100 then 35/100: pooled 0.325, z = 0.05 ÷ √(0.325 × 0.675 × 0.02).
    z = 0.05 / math.sqrt(0.325 * 0.675 * 0.02)
    assert alpha["change_from_previous"] == pytest.approx(0.05)
    assert alpha["change_p"] == pytest.approx(math.erfc(z / math.sqrt(2)))
    assert alpha["change_from_baseline"] == pytest.approx(-0.05)  # 40/100 in the baseline year
    assert alpha["of"] == 4 and 1 <= alpha["rank_low"] <= alpha["rank"] <= alpha["rank_high"] <= 4
    # National 2022: 226 of 650 = 0.3477; Alpha's Wilson interval holds it: amber.
    assert alpha["rag"] == "amber" and report.rag_against == "country:England and Wales"
    funnel = report.tables["funnel_binary"]
    assert dict(zip(funnel["area_code"], funnel["role"])) == {"A": "focus", "B": "family", "C": "family", "D": "comparator"}
    assert funnel["national_rate"][0] == pytest.approx(226 / 650)
    assert not report.synthetic and report.sources == (SOURCE,)
    assert any("Ranked" in text and "not a league position" in text for text in report.findings)


def test_sharing_withholds_counts_under_five_and_their_rates():
    report = comparison_report(small_nation(), "Gamma", comparators=["family"])
    gamma_2021 = report.tables["cohorts"].filter((pl.col("key") == "focus") & (pl.col("period") == "Apr 2021–Mar 2022")).row(0, named=True)
    assert gamma_2021["reoffenders"] == 3
    shared = for_sharing(report)
    row = shared.tables["cohorts"].filter((pl.col("key") == "focus") & (pl.col("period") == "Apr 2021–Mar 2022")).row(0, named=True)
    assert row["reoffenders"] is None and row["binary_rate"] is None and row["binary_ci_low"] is None
    assert row["cohort_size"] == 50
    summary = comparison_summary(report)
    assert summary.columns[0] == "Area" and len(summary.rows) == shared.tables["cohorts"].height
    assert any(r[1] == "Apr 2021–Mar 2022" and r[3] == "–" for r in summary.rows)


def test_unknown_focus_or_comparator_is_a_clear_message():
    with pytest.raises(ValueError, match="no area 'Omega'.*Alpha"):
        comparison_report(small_nation(), "Omega")
    with pytest.raises(ValueError, match="no area 'Z'"):
        comparison_report(small_nation(), "Alpha", comparators=["area:Z"])
    with pytest.raises(ValueError, match="not a comparator"):
        comparison_report(small_nation(), "Alpha", comparators=["galaxy"])


def test_cli_with_only_out_writes_the_synthetic_comparison_labelled_everywhere(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["compare", "--out", str(out), "--as-at", "2026-12-01"]) == 0
    assert {p.name for p in (out / "charts").glob("funnel_*.png")} == {"funnel_binary.png", "funnel_frequency.png"}
    assert (out / "charts" / "funnel_binary.svg").read_text().startswith("<svg")
    summary = json.loads((out / "summary.json").read_text())
    assert summary["focus"] == "Northmoor Youth Justice Service" and summary["synthetic"]
    assert len(summary["periods"]) == 3 and summary["charts"]["funnel_binary"].startswith("SYNTHETIC")
    cohorts = pl.read_csv(out / "tables" / "cohorts.csv")
    assert cohorts["figures"].str.contains("SYNTHETIC").all()
    book = load_workbook(out / "tables" / "comparison.xlsx", read_only=True)
    assert "SYNTHETIC" in next(book["About"].iter_rows(values_only=True))[0] or any(
        "SYNTHETIC" in (row[0] or "") for row in book["About"].iter_rows(values_only=True)
    )
    assert {"cohorts", "funnel_binary", "ranks", "indicators"} <= set(book.sheetnames)
    assert "SYNTHETIC" in (out / "findings.md").read_text()
    assert "Ranked" in capsys.readouterr().out


def test_cli_bad_figures_file_exits_2_listing_every_problem_and_writes_nothing(tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "area_code,area_name,area_type,cohort_basis,period_start,period_end,cohort_size,reoffenders,source\n"
        "A,Alpha,youth_justice_service,quarter,2022-04-01,2022-06-30,10,11,S\n"
        "B,Beta,youth_justice_service,quarter,2022-04-01,2022-06-30,-1,1,S\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    assert main(["compare", "--figures", str(bad), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "row 2, column reoffenders" in err and "row 3, column cohort_size" in err
    assert not out.exists()
    assert main(["compare", "--area", "Nowhere", "--out", str(out)]) == 2
    assert "no area 'Nowhere'" in capsys.readouterr().err


def test_cli_with_the_demo_case_file_counts_its_own_cohorts_and_the_expected_rate(tmp_path):
    from reoffkit.casefile import write_case_file
    from reoffkit.demo import demo_frames

    as_at = dt.date(2026, 12, 1)
    case_file = write_case_file(demo_frames(as_at), tmp_path / "case-file")
    out = tmp_path / "out"
    assert main(["compare", "--case-file", str(case_file), "--as-at", as_at.isoformat(), "--out", str(out)]) == 0
    summary = json.loads((out / "summary.json").read_text())
    assert summary["own_figures"] and summary["expected_rate"]["label"] == "Modelled, not an official statistic"
    assert summary["expected_rate"]["expected_reoffenders"] > 0
    assert (out / "tables" / "expected.csv").exists() and (out / "tables" / "districts.csv").exists()
    assert any("Modelled, not an official statistic" in f for f in summary["findings"])
    cohorts = pl.read_csv(out / "tables" / "cohorts.csv").filter(pl.col("key") == "focus")
    latest = cohorts.row(-1, named=True)
    assert latest["own_records"]
    funnel = pl.read_csv(out / "tables" / "funnel_binary.csv").filter(pl.col("role") == "focus").row(0, named=True)
    assert (funnel["cohort_size"], funnel["reoffenders"]) == (latest["cohort_size"], latest["reoffenders"])


def test_the_shipped_published_figures_compare_leicester_leaving_out_what_it_has_not(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["compare", "--published", "--area", "Leicester", "--basis", "quarter", "--out", str(out)]) == 0
    summary = json.loads((out / "summary.json").read_text())
    assert not summary["synthetic"] and summary["periods"] == ["Oct 2015–Dec 2015", "Oct 2016–Dec 2016"]
    assert "Not shown: Leicester has no family of similar services in the areas loaded." in summary["findings"]
    assert any("Leicester City Youth Justice Plan" in source for source in summary["sources"])
    # A comparator asked for by name is not left out silently.
    assert main(["compare", "--published", "--area", "Leicester", "--comparator", "family", "--out", str(tmp_path / "again")]) == 2
    assert "no family" in capsys.readouterr().err


def _with_custody(custody: list[int]) -> AreaData:
    """small_nation() with 12-month custody figures: Alpha's as given, the others' 10 a year."""
    nation = small_nation()
    periods = [(dt.date(y, 4, 1), dt.date(y + 1, 3, 31)) for y in (2021, 2022, 2023)]
    extra = []
    for area in nation.areas:
        for y, period in enumerate(periods):
            count = custody[y] if area.area_code == "A" else 10 * (4 if area.area_type == "country" else 1)
            extra.append(AreaFigure(area.area_code, area.area_name, area.area_type, "indicator_12m", *period, custodial_sentences=count,
                                    first_time_entrants=50, population_10_17=20_000 * (4 if area.area_type == "country" else 1), source=SOURCE))
    return AreaData(nation.figures + tuple(extra), nation.areas)


def test_sharing_withholds_with_a_small_indicator_count_its_change_rank_and_rag_and_the_next_years_change():
    """A withheld custody count's rate can be worked back from its change from a year earlier (or
    the next year's change from it) and the rates beside it; its rank and RAG place it. All go."""
    report = comparison_report(_with_custody([6, 2, 7]), "Alpha", comparators=["family", "country:England and Wales"])
    focus = lambda table: table.filter((pl.col("key") == "focus") & pl.col("indicator").str.starts_with("Custodial")).sort("period_start")  # noqa: E731
    before = focus(report.tables["indicators"])
    assert before["count"].to_list() == [6, 2, 7] and before["change_from_year_before"].null_count() == 1 and before["rank"].null_count() == 0
    shared = focus(for_sharing(report).tables["indicators"])
    assert shared["count"].to_list() == [6, None, 7]
    withheld = shared.row(1, named=True)
    assert (withheld["rate"], withheld["change_from_year_before"], withheld["rank"], withheld["of"], withheld["rag"]) == (None,) * 5
    assert shared["change_from_year_before"].to_list() == [None, None, None]  # the next year's change gave the withheld rate away
    assert shared.row(2, named=True)["rate"] is not None and shared.row(2, named=True)["rank"] is not None


def test_sharing_withholds_a_small_stratum_of_the_expected_rate_and_what_gives_it_away():
    """The expected table: a stratum of 1–4 children is withheld with its expected reoffenders
    (size × the national rate would give the size back), and another beside it, since the
    cohort's total is shown."""
    from reoffkit.engine.comparison import indirect_standardisation

    strata = {(15, "male", "first_tier"): (12, 5), (16, "female", "custody"): (2, 1), (14, "male", "community"): (7, 3)}
    cohort = pl.DataFrame(
        [{"age_at_index": age, "sex": sex, "tier": tier, "further_offences": 1 if i < reoffended else 0}
         for (age, sex, tier), (size, reoffended) in strata.items() for i in range(size)]
    )
    national = pl.DataFrame([{"age_at_index": a, "sex": s, "tier": t, "binary_rate": 0.3, "frequency_rate": 0.9} for a, s, t in strata])
    expected = indirect_standardisation(cohort, national)
    report = comparison_report(small_nation(), "Alpha", comparators=["family"], expected=expected)
    table = for_sharing(report).tables["expected"]
    hidden = table.filter(pl.col("cohort_size").is_null())
    assert hidden.height >= 2 and (16, "female", "custody") in hidden.select("age_at_index", "sex", "tier").rows()
    assert hidden["expected_reoffenders"].null_count() == hidden.height and hidden["expected_reoffences"].null_count() == hidden.height
    shown = table.filter(pl.col("cohort_size").is_not_null())
    assert shown["expected_reoffenders"].null_count() == 0
