"""Ethnic disproportionality (docs/rules.md §15) against a small service worked by hand: every
figure below is computed in its comment from the counts of the children made in ``service()``."""

from __future__ import annotations

import math

import polars as pl
import pytest

from disproportionality_service import BORN, POPULATION, Q4, RULES, run, service
from engine_universe import D, FINAL, Universe
from reoffkit.engine import CountingRules, Period, entry_table
from reoffkit.engine.codes import OUTCOME_TYPES, OutcomeType
from reoffkit.engine.disproportionality import (
    Population,
    disproportionality,
    findings,
    STAGES,
    _index,
    _Side,
    relative_rate_index,
    trend,
)



def approx(value: float, rel: float = 1e-5):
    return pytest.approx(value, rel=rel)


def test_the_relative_rate_index_and_its_log_scale_interval():
    # 30 of 1,000 against 60 of 6,000: (30/1000) / (60/6000) = 0.03 / 0.01 = 3.0
    # SE(ln) = √(1/30 − 1/1000 + 1/60 − 1/6000) = √0.0488333 = 0.220983
    # z = 1.959964 (97.5th centile of the normal, "1.96"): exp(ln 3 ± z × 0.220983)
    # = exp(1.098612 ± 0.433118) → 1.945452 to 4.626175
    rri, low, high = relative_rate_index(30, 1000, 60, 6000)
    assert (rri, low, high) == (approx(3.0), approx(1.945452), approx(4.626175))
    assert (round(rri, 1), round(low, 2), round(high, 2)) == (3.0, 1.95, 4.63)


@pytest.mark.parametrize(("a", "big_a", "b", "big_b"), [(30, 1000, 60, 6000), (10, 30, 40, 60), (1, 7, 200, 2000), (19, 851, 137, 15465), (5, 5, 16, 25)])
def test_the_interval_agrees_with_statsmodels(a, big_a, b, big_b):
    from statsmodels.stats.proportion import confint_proportions_2indep

    low, high = confint_proportions_2indep(a, big_a, b, big_b, method="log", compare="ratio")
    assert relative_rate_index(a, big_a, b, big_b)[1:] == (approx(low, 1e-12), approx(high, 1e-12))
    # no White children: no index; no children of the group: an index of 0 without an interval
    assert relative_rate_index(3, 100, 0, 600) == (None, None, None)
    assert relative_rate_index(0, 100, 6, 600) == (0.0, None, None)


@pytest.fixture(scope="module")
def result():
    return run(service())


def test_counts_at_every_stage(result):
    counts = {(r["stage"], r["group"]): r["count"] for r in result.table.iter_rows(named=True)}
    expected = {
        "entered_cohort": (60, 0, 3, 30, 0, 6),  # White, Mixed, Asian, Black, Other, Not known
        "first_time_entrants": (48, 0, 3, 26, 0, 6),  # White 60 − 10 earlier caution − 2 custody; Black 30 − 4 custody
        "pre_court": (40, 0, 3, 10, 0, 6),
        "court": (20, 0, 0, 20, 0, 0),
        "first_tier": (12, 0, 0, 10, 0, 0),
        "community": (6, 0, 0, 6, 0, 0),
        "custody": (2, 0, 0, 4, 0, 0),
        "reoffended": (15, 0, 0, 12, 0, 2),
        "further_offences": (27, 0, 0, 20, 0, 2),
        "early_reoffending": (6, 0, 0, 6, 0, 0),
        "prolific": (3, 0, 0, 2, 0, 0),
    }
    groups = ("White", "Mixed", "Asian", "Black", "Other", "Not known")
    assert result.stages == tuple(expected)  # no remands in the default outcome types
    for stage, values in expected.items():
        assert tuple(counts[(stage, g)] for g in groups) == values, stage
    assert any("Remands: not counted" in note for note in result.notes)
    assert result.scheme == "self_defined" and result.scheme_label.startswith("Self-defined")


def test_a_population_stage_rate_index_and_representation(result):
    black = result.row("entered_cohort", "Black")
    # 30 of 1,000 Black children → 30.0 per 1,000; White 60 of 6,000 → 10.0 per 1,000; index 3.0 (1.95 to 4.63)
    assert black["rate"] == approx(30.0) and result.row("entered_cohort", "White")["rate"] == approx(10.0)
    assert (black["rri"], black["rri_low"], black["rri_high"], black["verdict"]) == (approx(3.0), approx(1.945452), approx(4.626175), "over")
    # share of the stage: 30 of 99 children; of the 93 whose ethnicity is known: 30 / 93 = 0.322581
    # share of the population: 1,000 / 8,000 = 0.125 → representation ratio 0.322581 / 0.125 = 2.580645
    assert black["share_of_stage"] == approx(30 / 99) and black["share_of_known"] == approx(0.322581)
    assert black["population_share"] == approx(0.125) and black["representation_ratio"] == approx(2.580645)
    asian = result.row("entered_cohort", "Asian")
    # 3 of 500 → 6.0 per 1,000; index 0.6 but only 3 Asian children: too few to say
    assert (asian["rate"], asian["rri"], asian["verdict"], asian["small"]) == (approx(6.0), approx(0.6), "too_few", True)
    mixed = result.row("entered_cohort", "Mixed")
    assert (mixed["count"], mixed["rate"], mixed["rri"], mixed["rri_low"], mixed["verdict"]) == (0, 0.0, 0.0, None, "too_few")
    unknown = result.row("entered_cohort", "Not known")
    assert (unknown["count"], unknown["rate"], unknown["rri"], unknown["verdict"]) == (6, None, None, "no_index")
    white = result.row("entered_cohort", "White")
    assert (white["rri"], white["verdict"]) == (1.0, "reference")


def test_first_time_entrants(result):
    black = result.row("first_time_entrants", "Black")
    # 26 of 1,000 against 48 of 6,000: (0.026) / (0.008) = 3.25
    # SE = √(1/26 − 1/1000 + 1/48 − 1/6000) = √0.0581277 = 0.241098; × z = 0.472543
    # exp(ln 3.25 = 1.178655 ± 0.472543) → 2.026098 to 5.213223
    assert (black["rri"], black["rri_low"], black["rri_high"], black["verdict"]) == (approx(3.25), approx(2.026098), approx(5.213223), "over")


def test_decision_stages_are_per_100_of_the_stage_before(result):
    pre = result.row("pre_court", "Black")
    # 10 of the 30 Black children who entered (33.3 per 100) against 40 of 60 White (66.7): (1/3)/(2/3) = 0.5
    # SE = √(1/10 − 1/30 + 1/40 − 1/60) = √0.075 = 0.273861; × z = 0.536758
    # exp(−0.693147 ± 0.536758) → 0.292320 to 0.855226: under-represented
    assert (pre["base"], pre["rate"]) == (30, approx(100 / 3))
    assert (pre["rri"], pre["rri_low"], pre["rri_high"], pre["verdict"]) == (approx(0.5), approx(0.292320), approx(0.855226), "under")
    court = result.row("court", "Black")
    # 20 of 30 against 20 of 60: 2.0; SE = √(1/20 − 1/30 + 1/20 − 1/60) = √0.05 = 0.223607
    # exp(0.693147 ± 0.438261) → 1.290314 to 3.100020
    assert (court["rri"], court["rri_low"], court["rri_high"], court["verdict"]) == (approx(2.0), approx(1.290314), approx(3.100020), "over")
    first_tier = result.row("first_tier", "Black")
    # of those sentenced in court: 10 of 20 against 12 of 20 → 0.833333
    # SE = √(1/10 − 1/20 + 1/12 − 1/20) = √0.083333 = 0.288675; × z = 0.565793
    # exp(−0.182322 ± 0.565793) → 0.473258 to 1.467369: includes 1
    assert (first_tier["base"], first_tier["rate"]) == (20, approx(50.0))
    assert (first_tier["rri"], first_tier["rri_low"], first_tier["rri_high"]) == (approx(0.833333), approx(0.473258), approx(1.467369))
    assert first_tier["verdict"] == "no_clear_difference"
    reoffended = result.row("reoffended", "Black")
    # 12 of 30 (40 per 100) against 15 of 60 (25): 1.6; SE = √(1/12 − 1/30 + 1/15 − 1/60) = √0.1 = 0.316228
    # × z = 0.619795; exp(0.470004 ± 0.619795) → 0.860888 to 2.973675
    assert (reoffended["rate"], reoffended["rri"], reoffended["rri_low"], reoffended["rri_high"]) == (approx(40.0), approx(1.6), approx(0.860888), approx(2.973675))
    offences = result.row("further_offences", "Black")
    # 20 further offences for 30 children (66.7 per 100) against 27 for 60 (45): (20/30)/(27/60) = 1.481481
    # Offences per child, with each group's own spread (not Poisson):
    #   White: 12 children with 1, 3 with 5, 45 with 0: mean 27/60 = 0.45; Σx² = 12 + 75 = 87
    #          variance (87 − 27²/60) / 59 = 74.85 / 59 = 1.268644; term V/(n·m²) = 1.268644 / (60 × 0.2025) = 0.104415
    #   Black: 10 with 1, 2 with 5, 18 with 0: mean 20/30 = 0.666667; Σx² = 10 + 50 = 60
    #          variance (60 − 20²/30) / 29 = 46.666667 / 29 = 1.609195; term 1.609195 / (30 × 0.444444) = 0.120690
    #   SE = √(0.104415 + 0.120690) = √0.225105 = 0.474452; × z = 0.929909
    #   exp(0.393043 ± 0.929909) → 0.584577 to 3.754487 (Poisson would say 0.83 to 2.64: too sure)
    assert (offences["rate"], offences["rri"], offences["rri_low"], offences["rri_high"]) == (approx(200 / 3), approx(1.481481), approx(0.584577), approx(3.754487))
    early = result.row("early_reoffending", "Black")
    # of those who reoffended: 6 of 12 against 6 of 15 → 1.25; SE = √(1/6 − 1/12 + 1/6 − 1/15) = √0.183333 = 0.428174
    # × z = 0.839206; exp(0.223144 ± 0.839206) → 0.540067 to 2.893162
    assert (early["base"], early["rri"], early["rri_low"], early["rri_high"]) == (12, approx(1.25), approx(0.540067), approx(2.893162))


def test_a_stage_with_too_few_children_says_so(result):
    custody = result.row("custody", "Black")
    # 4 of 20 against 2 of 20: an index of 2.0, but fewer than 5 on both sides: too few to say
    assert (custody["rri"], custody["verdict"]) == (approx(2.0), "too_few")
    # No interval either: from a handful of children it says nothing, and where a group's rate is
    # 0% or 100% (2 of 2) the log-scale interval collapses to a misleadingly narrow band
    assert (custody["rri_low"], custody["rri_high"]) == (None, None)
    assert custody["reason"] == "Too few to say: fewer than 5 Black children at this stage and fewer than 5 White children at this stage."
    stage_findings = [f for f in findings(result) if f.stage == "custody"]
    assert [f.kind for f in stage_findings] == ["too_few_stage"]
    assert "too few children to say anything" in stage_findings[0].text


def test_completeness_and_sensitivity(result):
    entered = result.completeness.filter(pl.col("stage") == "entered_cohort").row(0, named=True)
    # 93 of 99 recorded = 93.9%: amber (at least 90%, under 95%)
    assert (entered["total"], entered["known"], entered["not_known"], entered["rag"]) == (99, 93, 6, "amber")
    assert entered["share_known"] == approx(93 / 99)
    court = result.completeness.filter(pl.col("stage") == "court").row(0, named=True)
    assert (court["share_known"], court["rag"]) == (1.0, "green")

    s = result.sensitivity.filter((pl.col("stage") == "entered_cohort") & (pl.col("group") == "Black")).row(0, named=True)
    # all 6 unknown Black: 36 of 1,000 against 60 of 6,000 = 3.6
    #   SE = √(1/36 − 1/1000 + 1/60 − 1/6000) = √0.0432778 = 0.208033; exp(1.280934 ± 0.407737) → 2.394553 to 5.412284
    # all 6 White: 30 of 1,000 against 66 of 6,000 = 2.727273
    #   SE = √(1/30 − 1/1000 + 1/66 − 1/6000) = √0.0473182 = 0.217527; exp(1.003302 ± 0.426346) → 1.780610 to 4.177229
    assert (s["rri_if_in_group"], s["low_if_in_group"], s["high_if_in_group"]) == (approx(3.6), approx(2.394553), approx(5.412284))
    assert (s["rri_if_white"], s["low_if_white"], s["high_if_white"]) == (approx(2.727273), approx(1.780610), approx(4.177229))
    assert s["holds"] is True

    pre = result.sensitivity.filter((pl.col("stage") == "pre_court") & (pl.col("group") == "Black")).row(0, named=True)
    # all 6 unknown (all pre-court) Black: 16 of 36 against 40 of 60 = 0.666667
    #   SE = √(1/16 − 1/36 + 1/40 − 1/60) = √0.0430556 = 0.207498; × z = 0.406689
    #   exp(−0.405465 ± 0.406689) → 0.443901 to 1.001225: the interval now includes 1
    assert (pre["rri_if_in_group"], pre["low_if_in_group"], pre["high_if_in_group"]) == (approx(2 / 3), approx(0.443901), approx(1.001225))
    assert (pre["verdict_if_in_group"], pre["holds"]) == ("no_clear_difference", False)


def test_findings_say_which_group_which_stage_how_large_how_sure(result):
    found = findings(result)
    assert [(f.kind, f.stage, f.group) for f in found if f.kind in ("over", "under")] == [
        ("over", "entered_cohort", "Black"),
        ("over", "first_time_entrants", "Black"),
        ("under", "pre_court", "Black"),
        ("over", "court", "Black"),
    ]
    entered = found[0].text
    assert entered.startswith("Entered the cohort: Black children entered the cohort at 3.00 times the rate of White children")
    assert "index of 3.00 (95% interval 1.95 to 4.63)" in entered
    assert "30 of 1,000 Black children aged 10–17 (30.0 per 1,000) against 60 of 6,000 White children (10.0 per 1,000)" in entered
    assert "Over-represented: the interval lies wholly above 1. It holds wherever the 6 children of unknown ethnicity belong." in entered
    pre = next(f for f in found if f.stage == "pre_court" and f.group == "Black")
    assert pre.holds is False
    assert "if they were all Black the index would be 0.67 (95% interval 0.44 to 1.00)" in pre.text
    kinds = {(f.kind, f.stage) for f in found}
    assert ("no_clear_difference", "first_tier") in kinds and ("too_few_stage", "prolific") in kinds
    assert found[-1].text == "Ethnicity is recorded for 94% of the children who entered the cohort (6 not known): amber."


def test_findings_for_sharing_write_small_counts_as_fewer_than_5():
    u = service()
    result = run(u)
    shared = findings(result, shared=True)
    # the custody and prolific counts (2, 3, 4) are never quoted; a claimed finding quotes only 5+
    assert all(" 2 of" not in f.text and " 4 of" not in f.text for f in shared)
    pre = next(f for f in shared if f.stage == "pre_court" and f.group == "Black")
    assert "the 6 children of unknown ethnicity" in pre.text
    # a not-known count of 3 is shared as "fewer than 5", and its share (85% of 20 would give it away) is not quoted
    fewer = Universe()
    for k in range(20):
        fewer.child(f"W{k}", BORN, ethnicity="White" if k >= 3 else None)
        fewer.outcome(f"W{k}", "youth_caution", committed=D(2016, 10, 1), dealt_with=D(2016, 10, 10))
    text = findings(run(fewer), shared=True)[-1].text
    assert text == "Ethnicity is recorded for all but fewer than 5 of the children who entered the cohort: red."
    assert findings(run(fewer))[-1].text == "Ethnicity is recorded for 85% of the children who entered the cohort (3 not known): red."


def test_a_stage_with_no_white_children_gets_no_index_and_says_why():
    u = Universe()
    for k in range(8):  # eight Black children in custody, no White child: White children only on cautions
        u.child(f"B{k}", BORN, ethnicity="Black")
        u.outcome(f"B{k}", "dto", committed=D(2016, 7, 1), dealt_with=D(2016, 8, 1), released=D(2016, 11, 1))
        u.child(f"W{k}", BORN, ethnicity="White")
        u.outcome(f"W{k}", "youth_caution", committed=D(2016, 10, 1), dealt_with=D(2016, 10, 10))
    result = run(u)
    custody = result.row("custody", "Black")
    assert (custody["count"], custody["rri"], custody["verdict"]) == (8, None, "no_index")
    assert custody["reason"] == "No White children sentenced in court, so no index: each group is compared with White children."
    court = result.row("court", "Black")
    assert court["reason"] == "No White children at this stage, so no index: each group is compared with White children."
    assert any(f.kind == "no_white" and f.stage == "custody" for f in findings(result))


def test_officer_observed_records_use_four_groups_and_are_not_set_against_a_census_population():
    result = run(service(scheme="officer_observed"))
    assert result.scheme == "officer_observed"
    assert result.groups == ("White", "Black", "Asian", "Other", "Not known")
    entered = result.row("entered_cohort", "Black")
    # counted, but the census population is self-defined: no rate, no index, no ratio
    assert (entered["count"], entered["rate"], entered["rri"], entered["representation_ratio"]) == (30, None, None, None)
    assert "never set against each other" in entered["reason"]
    # decision stages stay within the scheme: the same 0.5 as before
    assert result.row("pre_court", "Black")["rri"] == approx(0.5)
    # a population recorded the same way is used
    police_population = Population({"White": 6000, "Black": 1000, "Asian": 500, "Other": 100}, scheme="officer_observed")
    assert run(service(scheme="officer_observed"), police_population).row("entered_cohort", "Black")["rri"] == approx(3.0)
    # officer-observed records have no Mixed group
    with pytest.raises(ValueError, match="no group Mixed"):
        run(service(scheme="officer_observed", black_group="Mixed"))


def test_the_schemes_are_never_mixed_in_one_figure():
    u = service()
    for k in range(4):  # four children recorded by police codes, all Black
        u.child(f"P{k}", BORN, ethnicity="Black", ethnicity_scheme="officer_observed")
        u.outcome(f"P{k}", "youth_caution", committed=D(2016, 10, 1), dealt_with=D(2016, 10, 10))
    result = run(u)
    assert result.scheme == "self_defined" and result.other_scheme_children == 4
    assert result.row("entered_cohort", "Black")["count"] == 30  # not 34
    assert any(note.startswith("4 children recorded under another scheme") for note in result.notes)
    police = run(u, scheme="officer_observed")
    assert police.row("entered_cohort", "Black")["count"] == 4 and police.other_scheme_children == 99
    with pytest.raises(ValueError, match="unknown ethnicity scheme"):
        run(u, scheme="guessed")


def test_no_population_leaves_population_stages_without_rates():
    row = run(service(), None).row("entered_cohort", "Black")
    assert (row["count"], row["rate"], row["rri"], row["reason"]) == (30, None, None, "No population figures given, so no rate per 1,000 and no index.")


def test_remands_are_a_stage_when_the_outcome_types_have_them_and_shortfalls_are_found():
    remand = OutcomeType("remand_yda", "Remanded to youth detention accommodation", "remand")
    rules = CountingRules(outcome_types=(*OUTCOME_TYPES, remand))
    u = service()
    for pid in ("B01", "B02", "W01"):
        u.outcome(pid, "remand_yda", committed=D(2016, 10, 1), dealt_with=D(2016, 10, 5))
    small = Population({"White": 6000, "Mixed": 400, "Asian": 2, "Black": 1000, "Other": 100})
    result = run(u, small, rules=rules)
    assert "remanded" in result.stages
    assert (result.row("remanded", "Black")["count"], result.row("remanded", "White")["count"]) == (2, 1)
    # 3 Asian children entered the cohort from a population of 2: the figures cannot be right
    assert ("Asian", "entered_cohort", 3, 2) in result.population_shortfalls
    asian = result.row("entered_cohort", "Asian")
    assert (asian["rri"], asian["verdict"]) == (None, "no_index") and "check the population figures" in asian["reason"]


def test_provisional_follow_up_and_no_history_are_noted():
    result = run(service(), as_at=D(2017, 3, 31))
    assert result.provisional
    assert any("Follow-up is not complete until 30 June 2018" in note for note in result.notes)
    u = Universe()
    for k in range(6):
        u.child(f"W{k}", BORN, ethnicity="White")
        u.outcome(f"W{k}", "youth_caution", committed=D(2016, 10, 1), dealt_with=D(2016, 10, 10))
    result = run(u)
    assert "first_time_entrants" not in result.stages
    assert any(note.startswith("First-time entrants: not counted") for note in result.notes)


def test_the_trend_of_each_index_across_periods():
    u = service()
    # a 2017Q1 cohort: the Q4 children's further offences dealt with in 2017 re-enter some of them
    results = [run(u, period=Period.parse(p)) for p in ("2016Q4", "2017Q1")]
    frame = trend(results)
    assert frame["period"].unique(maintain_order=True).to_list() == ["2016Q4", "2017Q1"]
    assert set(frame["group"]) == {"Mixed", "Asian", "Black", "Other"}
    q4 = frame.filter((pl.col("period") == "2016Q4") & (pl.col("stage") == "entered_cohort") & (pl.col("group") == "Black")).row(0, named=True)
    assert q4["rri"] == approx(3.0) and q4["verdict"] == "over"
    assert trend([]).is_empty()


def test_counts_do_not_depend_on_row_order():
    u = service()
    people, outcomes, assessments = u.frames()
    shuffled = disproportionality(
        entry_table(people.reverse(), outcomes.reverse(), assessments, period=Q4, rules=RULES, as_at=FINAL),
        people.reverse(), outcomes.reverse(), POPULATION, period=Q4, rules=RULES, as_at=FINAL,
    )
    base = run(u)
    assert shuffled.table.equals(base.table)
    assert not math.isnan(base.row("court", "Black")["rri"])


def test_a_rate_of_all_of_a_handful_of_children_is_given_no_interval():
    # 2 of 2 children against 18 of 85: Katz's SE would be √(1/2 − 1/2 + 1/18 − 1/85) = 0.209,
    # an interval of 3.1 to 7.1 from two children. Too few to say, so no interval is given.
    assert relative_rate_index(2, 2, 18, 85)[1] is not None  # the formula alone gives one
    row = _index(next(s for s in STAGES if s.code == "community"), "Other", _Side(2, 2), _Side(18, 85), 5, "")
    assert (row["verdict"], row["rri_low"], row["rri_high"]) == ("too_few", None, None)
    assert row["rri"] == approx((2 / 2) / (18 / 85))
