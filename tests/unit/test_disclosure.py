"""Disclosure control worked by hand: a table, quarters and their aggregate, a curve."""

from __future__ import annotations

import polars as pl

from reoffkit.disclosure import blank, coarsen_curve, protect, protect_beside_official, protect_periods, withheld_cells


def test_a_share_of_a_withheld_count_is_withheld_with_it_and_a_second_group_beside_it():
    table = pl.DataFrame(
        {
            "breakdown": ["Sex"] * 3 + ["Age"] * 2,
            "group": ["female", "male", "not known", "10-14", "15-17"],
            "cohort_size": [39, 198, 1, 71, 167],
            "reoffenders": [17, 68, 0, 24, 61],
            "binary_rate": [17 / 39, 68 / 198, 0.0, 24 / 71, 61 / 167],
            "share_of_cohort": [39 / 238, 198 / 238, 1 / 238, 71 / 238, 167 / 238],
        }
    )
    shown = protect(table, counts=["cohort_size", "reoffenders"], within="breakdown").to_dicts()
    # 1 child of sex not known (0.4% of 238): withheld with its rate and share, and the smaller other sex too
    assert [r["cohort_size"] for r in shown] == [None, 198, None, 71, 167]
    assert shown[2]["share_of_cohort"] is None and shown[2]["binary_rate"] is None and shown[0]["share_of_cohort"] is None
    assert shown[0]["reoffenders"] == 17 and shown[0]["binary_rate"] is None  # a rate of a withheld cohort size
    assert [r["suppressed"] for r in shown] == [True, False, True, False, False]


def test_a_withheld_quarter_is_never_the_aggregate_minus_the_others():
    periods = {
        "2026Q1": {"cohort_size": 69, "reoffenders": 19, "reoffences": 47},
        "2026Q2": {"cohort_size": 75, "reoffenders": 20, "reoffences": 36},
        "2026Q3": {"cohort_size": 66, "reoffenders": 11, "reoffences": 18},
        "2026Q4": {"cohort_size": 63, "reoffenders": 4, "reoffences": 4},
        "2026Q1–2026Q4": {"cohort_size": 273, "reoffenders": 54, "reoffences": 105},
    }
    cells = protect_periods(periods, {"2026Q1–2026Q4": ["2026Q1", "2026Q2", "2026Q3", "2026Q4"]})
    assert cells == {("2026Q4", "reoffenders"), ("2026Q3", "reoffenders"), ("2026Q4", "reoffences"), ("2026Q3", "reoffences")}
    live = pl.DataFrame({"cohort": list(periods), **{c: [p[c] for p in periods.values()] for c in ("cohort_size", "reoffenders", "reoffences")},
                         "binary_rate": [p["reoffenders"] / p["cohort_size"] for p in periods.values()]})
    shown = protect(live, key="cohort", also=cells)
    assert shown["reoffenders"].to_list() == [19, 20, None, None, 54]
    assert shown["binary_rate"].is_null().to_list() == [False, False, True, True, False]


def test_a_total_shown_elsewhere_is_never_the_second_cell_and_cells_withheld_elsewhere_stay_withheld():
    cells = {"a": 3, "b": 40, "c": 12, "total": 55}
    assert withheld_cells(cells, [["a", "b", "c", "total"]], fixed={"total"}) == {"a", "c"}
    assert withheld_cells(cells, [["a", "b", "c", "total"]], also={"b"}) == {"a", "b"}


def test_local_figures_beside_official_ones_follow_the_quarters_withheld():
    table = pl.DataFrame({"label": ["2025Q1–2025Q4", "2024Q1–2024Q4"], "local_cohort_size": [120, 130], "local_reoffenders": [40, 3],
                          "local_binary_rate": [40 / 120, 3 / 130], "binary_difference": [0.01, -0.2], "local_status": ["final", "final"]})
    shown = protect_beside_official(table, {("2025Q1–2025Q4", "reoffenders")}, label="label")
    assert shown["local_reoffenders"].to_list() == [None, None]
    assert shown["local_binary_rate"].to_list() == [None, None] and shown["binary_difference"].to_list() == [None, None]
    assert shown["local_cohort_size"].to_list() == [120, 130] and shown["local_status"].to_list() == ["final", "final"]


def test_blank_takes_the_figures_made_from_a_cell_with_it():
    table = pl.DataFrame({"children": [8, 2], "reoffenders": [6, 1], "share": [0.75, 0.5]})
    shown = blank(table, [(1, "reoffenders")], derived={"share": ("reoffenders",)})
    assert shown.to_dicts() == [{"children": 8, "reoffenders": 6, "share": 0.75, "suppressed": False},
                                {"children": 2, "reoffenders": None, "share": None, "suppressed": True}]


def _curve(days: list[int], children: int) -> pl.DataFrame:
    """Kaplan–Meier steps of a cohort of ``children`` followed a whole year, one first reoffence on each day."""
    rows = [{"group": "All", "day": 0, "reoffended_share": 0.0, "children": children}]
    for k, day in enumerate(sorted(days), start=1):
        rows.append({"group": "All", "day": day, "reoffended_share": k / children, "children": children})
    return pl.DataFrame(rows)


def test_a_curve_goes_up_in_monthly_steps_of_at_least_five_children():
    # 45 children; first reoffences on these days: 6 in month 1, 2 in month 2, 5 in month 3, 3 in months 4-12
    days = [3, 5, 9, 14, 20, 28, 40, 55, 65, 70, 75, 80, 88, 150, 200, 300]
    shown = coarsen_curve(_curve(days, 45))
    steps = [(r["month"], round(r["reoffended_share"] * 45)) for r in shown.to_dicts()]
    # month 1: 6; months 2-3: 7; the tail of 3 is joined to the last step, drawn at month 12
    assert steps == [(0, 0), (1, 6), (12, 16)]
    increments = [b - a for (_, a), (_, b) in zip(steps, steps[1:])]
    assert all(step >= 5 for step in increments)
    assert set(shown["day"].to_list()) <= {0, *(round(30.44 * m) for m in range(1, 13))}


def test_a_curve_of_fewer_than_five_reoffenders_or_children_is_not_drawn():
    assert coarsen_curve(_curve([10, 40, 90], 45)).height == 1
    only = coarsen_curve(_curve([10, 11, 12], 4)).to_dicts()
    assert only == [{"group": "All", "month": 0, "day": 0, "reoffended_share": 0.0, "children": None}]
