"""The service summary: the engine's measures per quarter, suppressed for board viewers, no child."""

from __future__ import annotations

import datetime as dt
import html
import re

from django.urls import reverse
from web_helpers import TODAY, add_quarter, days_ago

from reoffkit.engine import CohortMeasures, CountingRules, Period
from reoffkit.engine.rules import quarter_label, quarter_of
from reoffkit.web.tracker import actions, queries
from reoffkit.web.tracker.views.summary import quarter_figures


def text(response) -> str:
    return html.unescape(response.content.decode())


def summary_page(world, persona: str) -> str:
    response = world.client(persona).get(reverse("summary", args=[world.northmoor.pk]))
    assert response.status_code == 200
    return text(response)


def quarter_row(page: str, label: str) -> str:
    start = page.index(f">{label}<br>")
    return page[start : page.index("</tr>", start)]


def test_a_board_viewer_sees_suppressed_aggregates_and_never_a_child(world):
    page = summary_page(world, "bea")
    for child in ("Ned", "Nia", "Testchild", "N001", "N002"):
        assert child not in page, child
    assert "/people/" not in page and reverse("cohort", args=[world.northmoor.pk]) not in page
    ned_quarter = quarter_label(quarter_of(days_ago(60)))
    row = quarter_row(page, ned_quarter)
    assert "fewer than 5" in row and "suppressed" in row
    assert "%" not in row  # no rate from a suppressed count
    assert "are shown as “fewer than 5”" in page
    assert " style=" not in page and "<script>" not in page


def test_a_board_viewer_sees_a_quarter_of_five_or_more_in_full(world):
    key = quarter_of(days_ago(400))
    add_quarter(world, key, size=7, reoffending=5, prefix="B")
    row = quarter_row(summary_page(world, "bea"), quarter_label(key))
    measures = queries.cohort_measures(world.northmoor, Period(key), as_at=TODAY)
    assert (measures.cohort_size, measures.reoffenders, measures.reoffences) == (7, 5, 5)
    assert ">7<" in row and ">5<" in row and "71.4%" in row and "fewer than" not in row and "suppressed" not in row


def test_small_reoffender_counts_suppress_the_rates_built_on_them(world):
    key = quarter_of(days_ago(400))
    add_quarter(world, key, size=8, reoffending=2, prefix="S")
    row = quarter_row(summary_page(world, "bea"), quarter_label(key))
    assert ">8<" in row and "fewer than 5" in row
    assert "25.0%" not in row and "suppressed" in row
    # A case role sees the real numbers.
    row = quarter_row(summary_page(world, "mandy"), quarter_label(key))
    assert ">2<" in row and "25.0%" in row and "suppressed" not in row


def test_the_numbers_are_the_engines_for_each_quarter(world):
    old = quarter_of(days_ago(800))
    add_quarter(world, old, size=6, reoffending=3, prefix="F")
    page = summary_page(world, "mandy")
    for key in {old, quarter_of(days_ago(60)), quarter_of(days_ago(45)), quarter_of(days_ago(30))}:
        measures = queries.cohort_measures(world.northmoor, Period(key), as_at=TODAY)
        row = quarter_row(page, quarter_label(key))
        assert f">{measures.cohort_size}<" in row and f">{measures.reoffenders}<" in row and f">{measures.reoffences}<" in row
        assert f"{100 * measures.binary_rate:.1f}%" in row
        assert f"{100 * measures.binary_ci_low:.1f}% to {100 * measures.binary_ci_high:.1f}%" in row
        assert f"{measures.frequency_rate:.2f}" in row
        if measures.reoffenders:
            assert f"{measures.reoffences_per_reoffender:.2f}" in row
        else:
            assert "no reoffenders" in row
        if measures.provisional:
            assert f"Provisional — {measures.follow_up_months_elapsed} of 12 months of follow-up" in row
        else:
            assert ">Final<" in row
    assert ">Final<" in quarter_row(page, quarter_label(old))
    assert "Reoffences per cohort member" in page and "Reoffences per reoffender" in page and "Wilson" in page


def test_final_quarters_come_with_the_national_figure_named_and_provisional_ones_say_so(world):
    current = quarter_of(TODAY)
    for step, key in enumerate(range(current - 12, current - 5)):
        add_quarter(world, key, size=6, reoffending=0, prefix=f"Q{step}")
    page = summary_page(world, "bea")
    final_part, provisional_part = page.split('id="provisional"')
    final = [quarter_label(k) for k in range(current - 12, current + 1) if f">{quarter_label(k)}<br>" in final_part]
    # the newest four final quarters (a quarter is final 18 months after it ends)
    done = [k for k in range(current - 12, current - 5) if Period(k).follow_up_complete_on(CountingRules()) <= TODAY]
    assert final == [quarter_label(k) for k in done[-4:]]
    from reoffkit.reference import national
    from reoffkit.web.performance.queries import reference_figures

    figure = national(reference_figures(), "quarter", "binary_rate")  # the newest loaded (no quarter of its own here)
    for label in final:
        row = quarter_row(final_part, label)
        assert ">Final<" in row
        # the national figure for quarterly cohorts, with its period (and a mark: not the same quarter)
        assert f"{100 * figure.binary_rate:.1f}%" in row and f"{figure.period_label}*" in row, row
    # ... and its area, period and publication named beneath the table
    note = f"{figure.area}, children in the quarterly cohort of {figure.period_label}, binary rate {100 * figure.binary_rate:.1f}%"
    assert note in final_part and f"— {figure.source}." in final_part
    provisional = [quarter_label(k) for k in range(current - 12, current + 1) if f">{quarter_label(k)}<br>" in provisional_part]
    assert provisional and all("Provisional — " in quarter_row(provisional_part, label) for label in provisional)
    assert quarter_label(quarter_of(days_ago(30))) in provisional
    assert "Final<" not in provisional_part.split("What the measures mean")[0]


def test_a_quarter_withheld_for_the_board_cannot_be_worked_back_from_the_four_quarters_added_together(world):
    """The performance page shows the latest four complete quarters added together; the summary shows
    each quarter. A quarter of 2 reoffenders withheld alone would be the aggregate minus the others."""
    current = quarter_of(TODAY)
    for step, (key, reoffending) in enumerate([(current - 4, 6), (current - 3, 2), (current - 2, 7)]):
        add_quarter(world, key, size=12, reoffending=reoffending, prefix=f"W{step}")
    page = summary_page(world, "bea")
    hidden = [k for k in range(current - 4, current) if f">{quarter_label(k)}<br>" in page
              and re.search(r">(fewer than 5|withheld)<", quarter_row(page, quarter_label(k)).split("</td>")[1] + "</td>")]
    assert current - 3 in hidden and len(hidden) >= 2, hidden
    assert ">fewer than 5<" in quarter_row(page, quarter_label(current - 3))


def test_with_breaches_counted_no_national_comparison_is_made(world):
    add_quarter(world, quarter_of(TODAY) - 9, size=6, reoffending=0, prefix="F")
    actions.update_service_settings(by=world.users["mandy"], service=world.northmoor, include_breaches=True)
    final_part = summary_page(world, "bea").split('id="provisional"')[0]
    assert ">not compared<" in final_part and "Not compared with national figures" in final_part
    assert "England and Wales" not in final_part


def test_unproven_settings_are_flagged_as_not_comparable(world):
    actions.update_service_settings(by=world.users["mandy"], service=world.northmoor, include_unproven=True)
    assert "not comparable with the official proven reoffending measure" in summary_page(world, "bea")


def test_quarter_figures_suppress_counts_from_one_to_four_and_their_rates():
    def measures(cohort: int, reoffenders: int, reoffences: int) -> CohortMeasures:
        return CohortMeasures(
            period_start=dt.date(2016, 10, 1),
            period_end=dt.date(2016, 12, 31),
            cohort_size=cohort,
            reoffenders=reoffenders,
            reoffences=reoffences,
            binary_rate=reoffenders / cohort,
            binary_ci_low=0.1,
            binary_ci_high=0.5,
            frequency_rate=reoffences / cohort,
            reoffences_per_reoffender=reoffences / reoffenders if reoffenders else None,
            provisional=False,
            follow_up_complete_on=dt.date(2018, 6, 30),
            follow_up_months_elapsed=12,
            as_at=dt.date(2019, 1, 1),
        )

    leicester = quarter_figures(measures(65, 29, 105), suppress=True)
    assert (leicester.cohort_size, leicester.binary_rate, leicester.frequency_rate, leicester.reoffences_per_reoffender) == ("65", "44.6%", "1.62", "3.62")
    assert leicester.quarter == "2016Q4" and leicester.months == "Oct–Dec 2016" and leicester.status == "Final"
    few_reoffenders = quarter_figures(measures(20, 3, 9), suppress=True)
    assert (few_reoffenders.reoffenders, few_reoffenders.reoffences, few_reoffenders.binary_rate) == ("fewer than 5", "9", "suppressed")
    assert (few_reoffenders.frequency_rate, few_reoffenders.reoffences_per_reoffender, few_reoffenders.binary_interval) == ("0.45", "suppressed", "")
    nobody = quarter_figures(measures(12, 0, 0), suppress=True)
    assert (nobody.reoffenders, nobody.binary_rate, nobody.reoffences_per_reoffender) == ("0", "0.0%", "no reoffenders")
    assert quarter_figures(measures(3, 1, 1), suppress=False).cohort_size == "3"
