"""Each counting rule of docs/rules.md §1–§5 as a named timeline.

Notation in the docstrings: ``I`` the index date, ``o`` an offence committed, ``p`` the date it was
proven, ``|`` the end of the 12-month follow-up or of the 18-month proving window.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pytest
from engine_universe import FINAL, Universe, further_offences_of
from reoffkit.engine import CountingRules, Period, further_offences

D = dt.date
BORN = D(2001, 6, 1)  # aged 15 throughout 2016Q4


def one_child() -> tuple[Universe, str]:
    universe = Universe()
    return universe, universe.child("A", BORN)


def test_offence_the_day_after_the_index_date_counts():
    """I 15 Oct 2016 · o 16 Oct 2016 · p 1 Dec 2016  → 1 further offence."""
    u, a = one_child()
    u.outcome(a, "youth_caution", committed=D(2016, 10, 1), dealt_with=D(2016, 10, 15))
    u.outcome(a, "referral_order", committed=D(2016, 10, 16), dealt_with=D(2016, 12, 1))
    assert further_offences_of(u.entries(), a) == [1]


def test_offence_on_the_index_date_itself_does_not_count():
    """I 15 Oct 2016 · o 15 Oct 2016 (same day) → 0: committed *after* the index date only."""
    u, a = one_child()
    u.outcome(a, "youth_caution", committed=D(2016, 10, 1), dealt_with=D(2016, 10, 15))
    u.outcome(a, "fine", committed=D(2016, 10, 15), dealt_with=D(2016, 12, 1))
    assert further_offences_of(u.entries(), a) == [0]


def test_offence_on_the_last_day_of_twelve_months_counts_and_the_day_after_does_not():
    """I 15 Oct 2016 · o 15 Oct 2017 | o 16 Oct 2017 → only the first counts."""
    u, a = one_child()
    u.outcome(a, "youth_caution", committed=D(2016, 10, 1), dealt_with=D(2016, 10, 15))
    last_day = u.outcome(a, "fine", committed=D(2017, 10, 15), dealt_with=D(2017, 12, 1))
    u.outcome(a, "fine", committed=D(2017, 10, 16), dealt_with=D(2017, 12, 1))
    entries = u.entries()
    assert further_offences_of(entries, a) == [1]
    assert entries["follow_up_end"].to_list() == [D(2017, 10, 15)]
    assert last_day  # the counted offence is the one committed on the last day
    assert entries["further_offence_dates"].to_list() == [[D(2017, 10, 15)]]


def test_proven_on_the_last_day_of_eighteen_months_counts_and_the_day_after_does_not():
    """I 15 Oct 2016 · o Jun 2017 p 15 Apr 2018 | o Jul 2017 p 16 Apr 2018 → only the first counts."""
    u, a = one_child()
    u.outcome(a, "youth_caution", committed=D(2016, 10, 1), dealt_with=D(2016, 10, 15))
    u.outcome(a, "fine", committed=D(2017, 6, 1), dealt_with=D(2018, 4, 15))
    u.outcome(a, "fine", committed=D(2017, 7, 1), dealt_with=D(2018, 4, 16))
    entries = u.entries()
    assert entries["proven_by"].to_list() == [D(2018, 4, 15)]
    assert entries["further_offence_dates"].to_list() == [[D(2017, 6, 1)]]


def test_two_disposals_in_one_quarter_give_one_entry_and_the_second_can_be_a_further_offence():
    """Caution I 15 Oct 2016 · o 20 Oct p 10 Dec referral order (same quarter) → one entry, 1 further offence."""
    u, a = one_child()
    u.outcome(a, "youth_caution", committed=D(2016, 10, 1), dealt_with=D(2016, 10, 15))
    u.outcome(a, "referral_order", committed=D(2016, 10, 20), dealt_with=D(2016, 12, 10))
    entries = u.entries()
    assert entries.height == 1
    assert entries["index_disposal"].to_list() == ["youth_caution"]
    assert further_offences_of(entries, a) == [1]


def test_an_index_event_is_never_its_own_further_offence():
    """Caution dealt with 15 Oct 2016 for an offence dated 1 Nov 2016 (an outcome before its offence:
    the reader refuses it, but frames from elsewhere can hold it) → 1 entry, I 15 Oct, 0 further
    offences — the offence date is after I, yet the only offence is the index event itself."""
    u, a = one_child()
    u.outcome(a, "youth_caution", committed=D(2016, 11, 1), dealt_with=D(2016, 10, 15))
    entries = u.entries()
    assert entries.select("index_date", "further_offences").rows() == [(D(2016, 10, 15), 0)]
    people, outcomes, _ = u.frames()
    assert further_offences(entries, outcomes, rules=CountingRules(), as_at=FINAL).height == 0


def test_a_custody_release_before_its_sentence_is_never_its_own_further_offence():
    """DTO for o 20 Oct 2016, sentenced 1 Nov, released (wrongly) 15 Oct → I 15 Oct; o 20 Oct is after I,
    but it is the index event's own offence → 0 further offences."""
    u, a = one_child()
    u.outcome(a, "dto", committed=D(2016, 10, 20), dealt_with=D(2016, 11, 1), released=D(2016, 10, 15))
    assert u.entries().select("index_date", "further_offences").rows() == [(D(2016, 10, 15), 0)]
    assert u.measures().reoffenders == 0


def test_second_disposal_for_an_offence_before_the_index_date_is_not_a_further_offence():
    """o 1 Oct, o 5 Oct · caution I 15 Oct (for the first) · fine p 1 Dec (for the second) → 0."""
    u, a = one_child()
    u.outcome(a, "youth_caution", committed=D(2016, 10, 1), dealt_with=D(2016, 10, 15))
    u.outcome(a, "fine", committed=D(2016, 10, 5), dealt_with=D(2016, 12, 1))
    entries = u.entries()
    assert entries.height == 1 and further_offences_of(entries, a) == [0]


def test_custodial_sentence_enters_the_cohort_at_release_not_at_sentence():
    """DTO sentenced 10 Jul 2016 (2016Q3) · released 20 Nov 2016 (2016Q4) → an entry in 2016Q4, I = 20 Nov."""
    u, a = one_child()
    u.outcome(a, "dto", committed=D(2016, 6, 1), dealt_with=D(2016, 7, 10), released=D(2016, 11, 20))
    assert u.entries("2016Q3").height == 0
    entries = u.entries("2016Q4")
    assert entries["index_date"].to_list() == [D(2016, 11, 20)]
    assert entries["tier"].to_list() == ["custody"]


def test_custodial_sentence_still_in_custody_enters_no_cohort():
    """DTO sentenced 1 Nov 2016, no release date yet → no entry."""
    u, a = one_child()
    u.outcome(a, "dto", committed=D(2016, 10, 1), dealt_with=D(2016, 11, 1), released=None)
    assert u.entries("2016Q4").height == 0


def test_seventeen_year_old_turning_18_in_follow_up_still_counts_offences_after_18():
    """Born 1 Jan 1999 · I 15 Oct 2016 (aged 17) · 18 on 1 Jan 2017 · o 1 Mar 2017 (aged 18) → counts; flagged."""
    u = Universe()
    a = u.child("A", D(1999, 1, 1))
    u.outcome(a, "youth_caution", committed=D(2016, 10, 1), dealt_with=D(2016, 10, 15))
    u.outcome(a, "fine", committed=D(2017, 3, 1), dealt_with=D(2017, 5, 1))
    entries = u.entries()
    assert entries["age_at_index"].to_list() == [17]
    assert entries["turns_18_in_follow_up"].to_list() == [True]
    assert entries["eighteenth_birthday"].to_list() == [D(2017, 1, 1)]
    assert further_offences_of(entries, a) == [1]


def test_eighteen_year_old_at_the_index_date_is_not_in_the_cohort():
    """Born 14 Oct 1998 · I 15 Oct 2016 (18 the day before) → no entry; born 16 Oct 1998 (still 17) → entry."""
    u = Universe()
    adult = u.child("ADULT", D(1998, 10, 14))
    child = u.child("CHILD", D(1998, 10, 16))
    for person in (adult, child):
        u.outcome(person, "youth_caution", committed=D(2016, 10, 1), dealt_with=D(2016, 10, 15))
    assert u.entries()["person_id"].to_list() == [child]
    assert u.entries(min_age=18, max_age=24)["person_id"].to_list() == [adult]


def test_the_first_event_in_the_quarter_decides_the_age_and_so_the_cohort():
    """Born 15 Nov 1998 (18 on 15 Nov 2016) · caution I 1 Nov 2016 (aged 17) · fine 1 Dec 2016 (aged 18).

    The index event is the first qualifying event in the quarter (1 Nov), and the age that matters
    is the age on that date (17): a youth entry with the fine as a further offence (committed
    20 Nov, after the index date), and no adult entry from the fine — the child is in one cohort
    of the quarter, never both (docs/adr/0002).
    """
    u = Universe()
    a = u.child("A", D(1998, 11, 15))
    u.outcome(a, "youth_caution", committed=D(2016, 10, 20), dealt_with=D(2016, 11, 1))
    u.outcome(a, "fine", committed=D(2016, 11, 20), dealt_with=D(2016, 12, 1))
    youth = u.entries()
    assert youth.select("index_date", "age_at_index", "further_offences").rows() == [(D(2016, 11, 1), 17, 1)]
    assert u.entries(min_age=18, max_age=120).height == 0


def test_a_first_event_outside_the_age_range_keeps_the_child_out_of_that_quarter():
    """Born 20 Oct 2006 · caution I 15 Oct 2016 (aged 9: impossible in law, a data error the reader
    warns about) · referral order 1 Dec 2016 (aged 10) → no entry in 2016Q4: the first qualifying
    event is the index and the child was not 10–17 on it; the later order does not stand in for it.
    In 2017Q1 a new first event (a fine on 10 Jan 2017, aged 10) is an entry as usual."""
    u = Universe()
    a = u.child("A", D(2006, 10, 20))
    u.outcome(a, "youth_caution", committed=D(2016, 10, 1), dealt_with=D(2016, 10, 15))
    u.outcome(a, "referral_order", committed=D(2016, 11, 1), dealt_with=D(2016, 12, 1))
    u.outcome(a, "fine", committed=D(2016, 12, 20), dealt_with=D(2017, 1, 10))
    assert u.entries().height == 0
    assert u.entries("2016Q4", quarters=2)["index_date"].to_list() == [D(2017, 1, 10)]


def test_birthday_on_the_index_date_counts_the_new_age():
    """Born 15 Oct 2006 · I 15 Oct 2016 → aged 10 that day: in the cohort. Born 16 Oct 2006 → aged 9: not."""
    u = Universe()
    ten = u.child("TEN", D(2006, 10, 15))
    nine = u.child("NINE", D(2006, 10, 16))
    for person in (ten, nine):
        u.outcome(person, "youth_caution", committed=D(2016, 10, 1), dealt_with=D(2016, 10, 15))
    assert u.entries()["person_id"].to_list() == [ten]


def test_same_day_tie_is_won_by_the_most_serious_tier():
    """Caution, referral order and DTO release all on 15 Oct 2016 → index disposal is the custody release."""
    u, a = one_child()
    u.outcome(a, "youth_caution", committed=D(2016, 9, 1), dealt_with=D(2016, 10, 15))
    u.outcome(a, "referral_order", committed=D(2016, 9, 2), dealt_with=D(2016, 10, 15))
    u.outcome(a, "dto", committed=D(2016, 5, 1), dealt_with=D(2016, 6, 15), released=D(2016, 10, 15))
    u.outcome(a, "yro", committed=D(2016, 9, 3), dealt_with=D(2016, 10, 15))
    entries = u.entries()
    assert entries.height == 1
    assert entries["index_disposal"].to_list() == ["dto"]


def test_community_beats_first_tier_and_first_tier_beats_pre_court_on_the_same_day():
    """YRO and fine on one day → YRO; fine and caution on one day → fine."""
    u = Universe()
    a, b = u.child("A", BORN), u.child("B", BORN)
    u.outcome(a, "fine", committed=D(2016, 9, 1), dealt_with=D(2016, 10, 15))
    u.outcome(a, "yro", committed=D(2016, 9, 2), dealt_with=D(2016, 10, 15))
    u.outcome(b, "youth_caution", committed=D(2016, 9, 1), dealt_with=D(2016, 10, 15))
    u.outcome(b, "fine", committed=D(2016, 9, 2), dealt_with=D(2016, 10, 15))
    assert dict(u.entries().select("person_id", "index_disposal").iter_rows()) == {"A": "yro", "B": "fine"}


def test_offence_committed_before_the_index_date_but_proven_after_does_not_count():
    """o 1 Sep 2016 · I 15 Oct 2016 · p 1 Dec 2016 for the September offence → 0."""
    u, a = one_child()
    u.outcome(a, "youth_caution", committed=D(2016, 10, 1), dealt_with=D(2016, 10, 15))
    u.outcome(a, "referral_order", committed=D(2016, 9, 1), dealt_with=D(2016, 12, 1))
    assert further_offences_of(u.entries(), a) == [0]


def test_breach_is_not_a_further_offence_unless_the_setting_includes_it():
    """I 15 Oct 2016 · breach o 1 Dec p 15 Dec → 0 by default, 1 with include_breaches."""
    u, a = one_child()
    u.outcome(a, "referral_order", committed=D(2016, 10, 1), dealt_with=D(2016, 10, 15))
    u.outcome(a, "referral_order", committed=D(2016, 12, 1), dealt_with=D(2016, 12, 15), breach=True)
    assert further_offences_of(u.entries(), a) == [0]
    assert further_offences_of(u.entries(include_breaches=True), a) == [1]


def test_breach_alone_creates_no_cohort_entry():
    """A breach dealt with by a YRO on 15 Oct 2016 is not a new offence: no entry."""
    u, a = one_child()
    u.outcome(a, "yro", committed=D(2016, 10, 1), dealt_with=D(2016, 10, 15), breach=True)
    assert u.entries().height == 0
    assert u.entries(include_breaches=True).height == 0


def test_charged_offence_counts_only_when_the_setting_says_so():
    """I 15 Oct 2016 · charged o 1 Dec 2016 (not yet proven) → 0 by default, 1 with include_unproven."""
    u, a = one_child()
    u.outcome(a, "youth_caution", committed=D(2016, 10, 1), dealt_with=D(2016, 10, 15))
    u.outcome(a, "charged", committed=D(2016, 12, 1), dealt_with=None)
    u.outcome(a, "admitted", committed=D(2016, 12, 2), dealt_with=None)
    assert further_offences_of(u.entries(), a) == [0]
    assert further_offences_of(u.entries(include_unproven=True), a) == [2]


def test_three_offences_dealt_with_at_one_hearing_count_three_times():
    """I 15 Oct 2016 · o 1, 2, 3 Nov all sentenced 1 Dec 2016 → 3 further offences, 1 reoffender."""
    u, a = one_child()
    u.outcome(a, "youth_caution", committed=D(2016, 10, 1), dealt_with=D(2016, 10, 15))
    for day in (1, 2, 3):
        u.outcome(a, "referral_order", committed=D(2016, 11, day), dealt_with=D(2016, 12, 1))
    result = u.measures()
    assert (result.cohort_size, result.reoffenders, result.reoffences) == (1, 1, 3)


def test_child_in_two_quarters_of_an_aggregate_has_two_entries():
    """Caution I₁ 15 Oct 2016 (Q4) · fine for o 1 Nov, p I₂ 10 Jan 2017 (Q1) · o 1 Mar 2017 p 1 Apr.

    Entry Q4 counts both later offences (2); entry Q1 counts the March offence (1).
    Aggregated 2016Q4–2017Q1: cohort 2, reoffenders 2, reoffences 3.
    """
    u, a = one_child()
    u.outcome(a, "youth_caution", committed=D(2016, 10, 1), dealt_with=D(2016, 10, 15))
    u.outcome(a, "fine", committed=D(2016, 11, 1), dealt_with=D(2017, 1, 10))
    u.outcome(a, "fine", committed=D(2017, 3, 1), dealt_with=D(2017, 4, 1))
    entries = u.entries("2016Q4", quarters=2)
    assert entries["quarter"].to_list() == ["2016Q4", "2017Q1"]
    assert further_offences_of(entries, a) == [2, 1]
    result = u.measures("2016Q4", quarters=2)
    assert (result.cohort_size, result.reoffenders, result.reoffences) == (2, 2, 3)
    old = u.measures("2016Q4", quarters=2, method="annual_12m_old_method")
    assert (old.cohort_size, old.reoffenders, old.reoffences) == (1, 1, 2)


def test_community_resolution_alone_enters_no_cohort():
    """Community resolution 15 Oct 2016, no further action 1 Nov 2016 → no entry."""
    u, a = one_child()
    u.outcome(a, "community_resolution", committed=D(2016, 10, 1), dealt_with=D(2016, 10, 15))
    u.outcome(a, "no_further_action", committed=D(2016, 10, 20), dealt_with=D(2016, 11, 1))
    assert u.entries().height == 0


def test_community_resolution_after_entry_is_not_a_further_offence():
    """I 15 Oct 2016 · community resolution for o 1 Nov → 0 (not a caution or conviction)."""
    u, a = one_child()
    u.outcome(a, "youth_caution", committed=D(2016, 10, 1), dealt_with=D(2016, 10, 15))
    u.outcome(a, "community_resolution", committed=D(2016, 11, 1), dealt_with=D(2016, 11, 20))
    assert further_offences_of(u.entries(), a) == [0]


def test_as_at_counts_only_what_was_known_then():
    """I 15 Oct 2016 · o 1 Nov p 1 Dec 2016 · o 1 Feb p 1 May 2017 · another child I 20 Dec 2016.

    As at 31 Jan 2017: 1 further offence, provisional, 1 month elapsed; as at 30 Jun 2018: 2, final.
    """
    u, a = one_child()
    b = u.child("B", BORN)
    u.outcome(a, "youth_caution", committed=D(2016, 10, 1), dealt_with=D(2016, 10, 15))
    u.outcome(a, "fine", committed=D(2016, 11, 1), dealt_with=D(2016, 12, 1))
    u.outcome(a, "fine", committed=D(2017, 2, 1), dealt_with=D(2017, 5, 1))
    u.outcome(b, "youth_caution", committed=D(2016, 12, 1), dealt_with=D(2016, 12, 20))
    early = u.measures(as_at=D(2017, 1, 31))
    assert (early.cohort_size, early.reoffences, early.provisional) == (2, 1, True)
    assert early.follow_up_months_elapsed == 1
    assert early.follow_up_complete_on == D(2018, 6, 30)
    final = u.measures(as_at=D(2018, 6, 30))
    assert (final.reoffences, final.provisional, final.follow_up_months_elapsed) == (2, False, 12)
    before_b = u.measures(as_at=D(2016, 12, 19))
    assert before_b.cohort_size == 1


def test_offence_recorded_later_than_it_was_proven_is_unknown_until_recorded():
    """I 15 Oct 2016 · o 1 Nov p 1 Dec 2016 but recorded 1 Mar 2017 → unknown on 1 Feb 2017, known on 1 Apr."""
    u, a = one_child()
    u.outcome(a, "youth_caution", committed=D(2016, 10, 1), dealt_with=D(2016, 10, 15))
    u.outcome(a, "fine", committed=D(2016, 11, 1), dealt_with=D(2016, 12, 1), recorded_on=D(2017, 3, 1))
    assert u.measures(as_at=D(2017, 2, 1)).reoffences == 0
    assert u.measures(as_at=D(2017, 4, 1)).reoffences == 1


def test_charge_recorded_before_conviction_counts_as_unproven_until_proven():
    """o 1 Nov 2016, recorded 5 Nov, convicted 1 Mar 2017. As at 1 Feb: unproven (counts only with the setting)."""
    u, a = one_child()
    u.outcome(a, "youth_caution", committed=D(2016, 10, 1), dealt_with=D(2016, 10, 15))
    u.outcome(a, "fine", committed=D(2016, 11, 1), dealt_with=D(2017, 3, 1), recorded_on=D(2016, 11, 5))
    assert u.measures(as_at=D(2017, 2, 1)).reoffences == 0
    assert u.measures(as_at=D(2017, 2, 1), include_unproven=True).reoffences == 1
    assert u.measures(as_at=D(2017, 4, 1)).reoffences == 1


def test_early_and_prolific_flags_and_days_to_first():
    """I 15 Oct 2016 · five offences from 1 Jan 2017 (78 days) → early (within 3 months) and prolific (5+)."""
    u, a = one_child()
    u.outcome(a, "youth_caution", committed=D(2016, 10, 1), dealt_with=D(2016, 10, 15))
    for month in (1, 2, 3, 4, 5):
        u.outcome(a, "fine", committed=D(2017, month, 1), dealt_with=D(2017, 6, 1))
    row = u.entries().row(0, named=True)
    assert (row["further_offences"], row["days_to_first_further_offence"]) == (5, 78)
    assert row["early_reoffender"] and row["prolific"]
    assert not u.entries(early_months=2).row(0, named=True)["early_reoffender"]


def test_assessment_at_entry_is_the_latest_before_or_else_the_first_soon_after():
    """A: assessed Jun (low) and Sep (high) before I 15 Oct → high. B: assessed 1 Nov (after) → medium.
    C: assessed 1 Jun 2017 (beyond the 90-day grace) → not assessed."""
    u = Universe()
    a, b, c = u.child("A", BORN), u.child("B", BORN), u.child("C", BORN)
    for person in (a, b, c):
        u.outcome(person, "referral_order", committed=D(2016, 10, 1), dealt_with=D(2016, 10, 15))
    u.assessment(a, D(2016, 6, 1), "low", "standard")
    u.assessment(a, D(2016, 9, 1), "high", "intensive")
    u.assessment(b, D(2016, 11, 1), "medium", "enhanced")
    u.assessment(b, D(2017, 1, 1), "high", "intensive")
    u.assessment(c, D(2017, 6, 1), "low", "standard")
    bands = dict(u.entries().select("person_id", "likelihood_band").iter_rows())
    assert bands == {"A": "high", "B": "medium", "C": None}


def test_two_assessments_on_the_same_day_always_resolve_the_same_way():
    """Assessed twice on 1 Oct 2016 (standard/low and intensive/high), in either row order → intensive/high."""
    for order in ((("low", "standard"), ("high", "intensive")), (("high", "intensive"), ("low", "standard"))):
        u = Universe()
        a = u.child("A", BORN)
        u.outcome(a, "referral_order", committed=D(2016, 9, 1), dealt_with=D(2016, 10, 15))
        for band, level in order:
            u.assessment(a, D(2016, 10, 1), band, level)
        row = u.entries().row(0, named=True)
        assert (row["likelihood_band"], row["intervention_level"]) == ("high", "intensive")


def test_engine_does_not_import_django():
    code = "import sys, reoffkit.engine, reoffkit.casefile; sys.exit(1 if any(m.startswith('django') for m in sys.modules) else 0)"
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


@pytest.mark.parametrize("as_at", [FINAL])
def test_empty_cohort_has_no_rates(as_at):
    u = Universe()
    u.child("A", BORN)
    result = u.measures(as_at=as_at)
    assert result.cohort_size == 0 and result.binary_rate is None and result.reoffences_per_reoffender is None


def test_periods_become_final_at_a_month_end_and_are_named_by_their_months():
    """18 months after a quarter's last day is the end of a month: never 30 March or 30 December."""
    rules = CountingRules()
    assert Period.parse("2024Q1").follow_up_complete_on(rules) == D(2025, 9, 30)
    assert Period.parse("2024Q2").follow_up_complete_on(rules) == D(2025, 12, 31)
    assert Period.parse("2024Q3").follow_up_complete_on(rules) == D(2026, 3, 31)
    assert Period.parse("2024Q4").follow_up_complete_on(rules) == D(2026, 6, 30)
    assert Period.parse("2023Q3").follow_up_complete_on(rules) == D(2025, 3, 31)
    assert Period.parse("2025Q3").dates == "Jul–Sep 2025"
    assert Period.parse("2025Q3", quarters=4).dates == "Jul 2025–Jun 2026"
