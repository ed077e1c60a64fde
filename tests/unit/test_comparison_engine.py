"""The national comparison's statistics against values worked by hand (docs/rules.md §17)."""

from __future__ import annotations

import math

import polars as pl
import pytest

from reoffkit.engine.comparison import (
    binary_funnel,
    byar_interval,
    change,
    frequency_funnel,
    funnel_position,
    indirect_standardisation,
    per_population,
    quartile,
    rag,
    rank_values,
    ranks,
    rate_rag,
    with_funnel,
)

Z95 = 1.959964
Z998 = 3.090232


def test_binary_funnel_is_spiegelhalters_interpolated_binomial_worked_by_hand():
    # n = 10, p0 = 0.5: P(R ≤ 1) = 11/1024, P(R ≤ 2) = 56/1024, P(R ≤ 7) = 968/1024, P(R ≤ 8) = 1013/1024.
    # Lower 95%: the 2.5% point lies at r = 2; α = (56/1024 − 0.025) ÷ (45/1024); limit (2 − α) ÷ 10.
    alpha_low = (56 / 1024 - 0.025) / (45 / 1024)
    # Upper 95%: the 97.5% point lies at r = 8; α = (1013/1024 − 0.975) ÷ (45/1024); limit (8 − α) ÷ 10.
    alpha_high = (1013 / 1024 - 0.975) / (45 / 1024)
    limits = binary_funnel(0.5, [10]).row(0, named=True)
    assert limits["low_95"] == pytest.approx((2 - alpha_low) / 10)
    assert limits["low_95"] == pytest.approx(0.13244, abs=1e-5)
    assert limits["high_95"] == pytest.approx((8 - alpha_high) / 10)
    assert limits["high_95"] == pytest.approx(0.76756, abs=1e-5)
    # 99.8%: the 0.1% point: P(R ≤ 0) = 1/1024 ≥ 0.001? 0.000977 < 0.001, so r = 1; α = (11/1024 − 0.001) ÷ (10/1024).
    alpha = (11 / 1024 - 0.001) / (10 / 1024)
    assert limits["low_998"] == pytest.approx((1 - alpha) / 10)
    assert limits["low_998"] < limits["low_95"] < 0.5 < limits["high_95"] < limits["high_998"]


def test_binary_funnel_is_clipped_to_nought_and_one_for_tiny_cohorts():
    # n = 4, p0 = 0.5: the 2.5% point is r = 0 with α = (1/16 − 0.025) ÷ (1/16) = 0.6 → −0.15 → 0;
    # the 97.5% point is r = 4 with α = (1 − 0.975) ÷ (1/16) = 0.4 → (4 − 0.4) ÷ 4 = 0.9.
    limits = binary_funnel(0.5, [4]).row(0, named=True)
    assert limits["low_95"] == 0.0
    assert limits["high_95"] == pytest.approx(0.9)
    assert limits["high_998"] == pytest.approx((4 - (1 - 0.999) / (1 / 16)) / 4)


def test_binary_funnel_narrows_towards_the_normal_approximation_for_big_cohorts():
    limits = binary_funnel(0.4, [20, 5000])
    small, big = limits.row(0, named=True), limits.row(1, named=True)
    assert big["high_95"] - big["low_95"] < small["high_95"] - small["low_95"]
    half = Z95 * math.sqrt(0.4 * 0.6 / 5000)
    assert big["low_95"] == pytest.approx(0.4 - half, abs=2e-4)
    assert big["high_95"] == pytest.approx(0.4 + half, abs=2e-4)


def test_binary_funnel_refuses_a_national_rate_outside_nought_to_one():
    with pytest.raises(ValueError, match="between 0 and 1"):
        binary_funnel(1.2, [10])


def test_frequency_funnel_is_poisson_normal_approximation_worked_by_hand():
    # λ0 = 1.5 reoffences per child, n = 100: half-width z·√(1.5/100) = z × 0.1224745.
    limits = frequency_funnel(1.5, [100]).row(0, named=True)
    assert limits["low_95"] == pytest.approx(1.5 - Z95 * 0.1224745, abs=1e-6)
    assert limits["high_95"] == pytest.approx(1.740046, abs=1e-5)
    assert limits["high_998"] == pytest.approx(1.5 + Z998 * 0.1224745, abs=1e-6)
    # A tiny cohort: 1.5 − 3.09 × √1.5 is below zero, so the limit is 0.
    assert frequency_funnel(1.5, [1]).row(0, named=True)["low_998"] == 0.0


def test_funnel_position_and_with_funnel():
    assert funnel_position(0.95, 0.3, 0.5, 0.25, 0.55) == "above_998"
    assert funnel_position(0.52, 0.3, 0.5, 0.25, 0.55) == "above_95"
    assert funnel_position(0.4, 0.3, 0.5, 0.25, 0.55) == "inside"
    assert funnel_position(0.27, 0.3, 0.5, 0.25, 0.55) == "below_95"
    assert funnel_position(0.1, 0.3, 0.5, 0.25, 0.55) == "below_998"
    assert funnel_position(None, 0.3, 0.5, 0.25, 0.55) is None
    areas = pl.DataFrame({"area": ["A", "B"], "cohort_size": [10, 10], "binary_rate": [0.5, 0.9]})
    placed = with_funnel(areas, 0.5)
    assert placed["position"].to_list() == ["inside", "above_998"]


def test_rank_interval_of_areas_that_cannot_be_told_apart_spans_every_rank():
    # Three areas with the same counts: by symmetry each rank 1, 2 and 3 is equally likely, so the
    # 2.5% point is rank 1 and the 97.5% point rank 3; the observed rank is shared (1 for all).
    result = ranks([40, 40, 40], [100, 100, 100], draws=3000)
    assert result.rank.tolist() == [1, 1, 1]
    assert result.low.tolist() == [1, 1, 1]
    assert result.high.tolist() == [3, 3, 3]
    assert result.of == 3


def test_rank_interval_of_areas_far_apart_is_the_rank_itself():
    # 10/1000 against 500/1000 against 990/1000: no draw can swap them.
    result = ranks([500, 10, 990], [1000, 1000, 1000])
    assert result.rank.tolist() == [2, 1, 3]
    assert result.low.tolist() == [2, 1, 3]
    assert result.high.tolist() == [2, 1, 3]
    assert result.quartile.tolist() == [3, 2, 4]


def test_rank_interval_is_seeded_and_wider_for_a_small_area():
    counts = [8, 40, 45, 50, 55, 60]
    sizes = [20, 100, 100, 100, 100, 100]
    first, again = ranks(counts, sizes), ranks(counts, sizes)
    assert first.low.tolist() == again.low.tolist() and first.high.tolist() == again.high.tolist()
    # 8/20 = 0.40 is ranked 1st with 40/100 (tie); its interval is wider than its neighbour's.
    assert first.rank.tolist()[:2] == [1, 1]
    widths = first.high - first.low
    assert widths[0] > widths[2]
    with pytest.raises(ValueError):
        ranks([5], [4])


def test_quartile_of_eight_ranks_worked_by_hand():
    # ⌈4 × rank ÷ 8⌉: ranks 1..8 → 1,1,2,2,3,3,4,4. 39th of 137 → ⌈156/137⌉ = 2.
    assert [quartile(k, 8) for k in range(1, 9)] == [1, 1, 2, 2, 3, 3, 4, 4]
    assert quartile(39, 137) == 2
    assert rank_values([0.3, 0.1, 0.3, 0.2]).tolist() == [3, 1, 3, 2]
    with pytest.raises(ValueError):
        quartile(0, 8)


def test_change_is_the_pooled_two_proportion_z_test_worked_by_hand():
    # 40/100 then 30/100: pooled 70/200 = 0.35; se = √(0.35 × 0.65 × 2/100) = 0.0674537;
    # z = −0.1 ÷ 0.0674537 = −1.48250; p = erfc(1.48250 ÷ √2) = 0.1382.
    result = change(40, 100, 30, 100)
    se = math.sqrt(0.35 * 0.65 * (1 / 100 + 1 / 100))
    assert result.difference == pytest.approx(-0.1)
    assert result.p_value == pytest.approx(math.erfc((0.1 / se) / math.sqrt(2)))
    assert result.p_value == pytest.approx(0.1382, abs=1e-4)
    assert not result.significant
    assert change(400, 1000, 300, 1000).significant
    assert change(0, 10, 0, 10).p_value is None
    assert change(1, 0, 1, 10) is None


def test_rag_against_the_comparator():
    assert rag(0.20, 0.30, 0.35) == "green"
    assert rag(0.40, 0.50, 0.35) == "red"
    assert rag(0.30, 0.40, 0.35) == "amber"
    assert rag(None, 0.4, 0.35) is None
    # Without an interval: 5% relative either side of the comparator.
    assert rate_rag(0.30, 0.35) == "green"
    assert rate_rag(0.36, 0.35) == "amber"
    assert rate_rag(0.40, 0.35) == "red"


def test_byar_interval_worked_by_hand():
    # O = 20, E = 16: low = 20 (1 − 1/180 − z/(3√20))³ ÷ 16; high = 21 (1 − 1/189 + z/(3√21))³ ÷ 16.
    low, high = byar_interval(20, 16)
    assert low == pytest.approx(20 * (1 - 1 / 180 - Z95 / (3 * math.sqrt(20))) ** 3 / 16, rel=1e-6)
    assert low == pytest.approx(0.7632, abs=1e-3)
    assert high == pytest.approx(21 * (1 - 1 / 189 + Z95 / (3 * math.sqrt(21))) ** 3 / 16, rel=1e-6)
    assert high == pytest.approx(1.9306, abs=1e-3)
    assert byar_interval(0, 4)[0] == 0.0


def test_indirect_standardisation_worked_by_hand():
    # Stratum 15 × male × community: 10 children, 5 reoffended; national rate 0.6 → 6 expected.
    # Stratum 16 × female × first_tier: 20 children, 4 reoffended; national rate 0.25 → 5 expected.
    # Stratum 17 × male × custody: 2 children, not in the national table → left out, counted unmatched.
    # Observed 9, expected 11, expected rate 11/30, observed ÷ expected 9/11 = 0.818.
    national = pl.DataFrame(
        {"age_at_index": [15, 16], "sex": ["male", "female"], "tier": ["community", "first_tier"], "binary_rate": [0.6, 0.25], "frequency_rate": [1.5, 0.5]}
    )
    children = pl.DataFrame(
        {
            "age_at_index": [15] * 10 + [16] * 20 + [17] * 2,
            "sex": ["male"] * 10 + ["female"] * 20 + ["male"] * 2,
            "tier": ["community"] * 10 + ["first_tier"] * 20 + ["custody"] * 2,
            "further_offences": [2] * 5 + [0] * 5 + [1] * 4 + [0] * 16 + [3] * 2,
        }
    )
    result = indirect_standardisation(children, national)
    assert result.strata == ("age_at_index", "sex", "tier")
    assert result.cohort_size == 30 and result.unmatched == 2
    assert result.observed_reoffenders == 9
    assert result.expected_reoffenders == pytest.approx(11.0)
    assert result.expected_rate == pytest.approx(11 / 30)
    assert result.ratio == pytest.approx(9 / 11)
    assert (result.ratio_low, result.ratio_high) == pytest.approx(byar_interval(9, 11))
    # Reoffences: observed 5 × 2 + 4 × 1 = 14; expected 10 × 1.5 + 20 × 0.5 = 25.
    assert result.observed_reoffences == 14
    assert result.expected_reoffences == pytest.approx(25.0)
    assert "could be chance" in result.meaning() and "Modelled, not an official statistic" in result.meaning()


def test_indirect_standardisation_from_stratum_counts_and_words_when_beyond_chance():
    national = pl.DataFrame({"age_at_index": [15], "sex": ["male"], "tier": ["custody"], "binary_rate": [0.2]})
    counts = pl.DataFrame({"age_at_index": [15], "sex": ["male"], "tier": ["custody"], "cohort_size": [100], "reoffenders": [60], "reoffences": [90]})
    result = indirect_standardisation(counts, national)
    assert result.expected_reoffenders == pytest.approx(20.0)
    assert result.ratio == pytest.approx(3.0)
    assert "beyond what chance would explain" in result.meaning()
    with pytest.raises(ValueError, match="share no stratum"):
        indirect_standardisation(pl.DataFrame({"further_offences": [1]}), national)


def test_per_population_worked_by_hand():
    # 52 first-time entrants among 26,000 children aged 10-17 = 200 per 100,000.
    assert per_population(52, 26_000, 100_000) == pytest.approx(200.0)
    assert per_population(13, 26_000, 1_000) == pytest.approx(0.5)
    assert per_population(3, None, 1000) is None

