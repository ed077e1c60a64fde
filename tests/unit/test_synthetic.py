"""The synthetic case data: deterministic, on the frame contract, anchored, and realistic in shape."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from reoffkit.casefile import read_case_file, write_case_file
from reoffkit.engine import CountingRules, Period, codes, entry_table, measures
from reoffkit.engine.schema import SCHEMAS
from reoffkit.synthetic import (
    DISTRICT_NAMES,
    SyntheticService,
    generate,
    services_named,
)

ANCHOR = dt.date(2025, 8, 14)  # mid-quarter: recent offences not yet dealt with, cohorts still in follow-up
SMALL = dict(first_quarter="2022Q1", quarters=15, children_per_quarter=30, as_at=ANCHOR)
DATE_COLUMNS = {
    "people": ["date_of_birth"],
    "outcomes": ["offence_date", "outcome_date", "release_date", "recorded_on"],
    "assessments": ["assessment_date"],
    "actions": ["raised_on", "completed_on"],  # due_on is a plan, and may lie ahead
}


@pytest.fixture(scope="module")
def frames():
    return generate(["Northmoor", "Southvale", "Westbury"], seed=7, **SMALL)


def test_the_same_seed_gives_identical_frames_and_another_seed_does_not(frames):
    again = generate(["Northmoor", "Southvale", "Westbury"], seed=7, **SMALL)
    other = generate(["Northmoor", "Southvale", "Westbury"], seed=8, **SMALL)
    for name, frame in frames.items():
        assert frame.equals(again[name]), name
    assert not frames["outcomes"].equals(other["outcomes"])


def test_the_first_quarter_can_be_given_as_text_a_pair_or_a_key(frames):
    services = services_named(["Northmoor", "Southvale", "Westbury"], seed=7)
    for first_quarter in ("2022Q1", (2022, 1), 2022 * 4):
        again = generate(services, seed=7, **{**SMALL, "first_quarter": first_quarter})
        assert again["outcomes"].equals(frames["outcomes"]), first_quarter


def test_services_by_name_get_three_to_six_fictional_districts(frames):
    services = services_named([f"Service {i}" for i in range(30)], seed=1)
    assert all(isinstance(s, SyntheticService) and 3 <= len(s.districts) <= 6 for s in services)
    assert all(set(s.districts) <= set(DISTRICT_NAMES) for s in services)
    districts = frames["people"].group_by("service").agg(pl.col("district").unique())
    for service, names in districts.iter_rows():
        assert 3 <= len(names) <= 6 and set(names) <= set(DISTRICT_NAMES), service


def test_the_frames_follow_the_schema(frames):
    for name, frame in frames.items():
        assert frame.schema == pl.Schema(SCHEMAS[name]), name
        assert frame.height > 0, name


def test_nothing_is_dated_after_the_anchor(frames):
    for name, columns in DATE_COLUMNS.items():
        for column in columns:
            latest = frames[name][column].max()
            assert latest is None or latest <= ANCHOR, (name, column, latest)
    assert frames["actions"]["raised_on"].max() <= ANCHOR


def test_every_record_belongs_to_a_listed_child_and_ids_are_unique(frames):
    people = frames["people"]
    assert people["person_id"].is_unique().all()
    assert people["person_id"].str.contains(r"^P\d{7}$").all()
    assert frames["outcomes"]["outcome_id"].is_unique().all()
    known = people["person_id"].implode()
    for name in ("outcomes", "assessments", "actions"):
        assert frames[name]["person_id"].is_in(known).all(), name
    pnc = people["pnc_id"].drop_nulls()
    assert pnc.str.contains(r"^\d{2}/\d{6}[A-Z]$").all()
    assert 0.8 < pnc.len() / people.height < 0.97  # most children have a PNC id, some do not


def test_every_code_is_a_code_of_the_case_file(frames):
    allowed = [
        ("people", "sex", codes.SEXES),
        ("people", "ethnicity", codes.ETHNICITIES),
        ("outcomes", "outcome_type", [t.code for t in codes.OUTCOME_TYPES]),
        ("assessments", "tool", codes.ASSESSMENT_TOOLS),
        ("assessments", "likelihood_band", codes.LIKELIHOOD_BANDS),
        ("assessments", "intervention_level", codes.INTERVENTION_LEVELS),
        ("actions", "trigger", codes.ACTION_TRIGGERS),
        ("actions", "action", codes.ACTION_TYPES),
        ("actions", "status", codes.ACTION_STATUSES),
    ]
    for name, column, values in allowed:
        assert frames[name][column].is_in(list(values)).all(), (name, column)
    outcomes, assessments = frames["outcomes"], frames["assessments"]
    assert outcomes["gravity"].is_between(1, 8).all()
    # One assessment per child per day, so the assessment in force at entry is never a tie.
    assert not assessments.select(pl.struct("person_id", "assessment_date").is_duplicated().any()).item()
    asset = assessments.filter(pl.col("tool") == "asset")["score"]
    assetplus = assessments.filter(pl.col("tool") == "assetplus")["score"]
    assert asset.is_between(0, 48).all() and assetplus.is_between(0, 100).all()


def test_the_dates_of_each_row_hang_together(frames):
    outcomes = frames["outcomes"].join(
        pl.DataFrame({"outcome_type": [t.code for t in codes.OUTCOME_TYPES], "tier": [t.tier for t in codes.OUTCOME_TYPES]}),
        on="outcome_type",
    )
    unproven = outcomes.filter(pl.col("tier") == "unproven")
    assert unproven.height > 0 and unproven["outcome_date"].null_count() == unproven.height
    dealt_with = outcomes.filter(pl.col("tier") != "unproven")
    assert dealt_with["outcome_date"].null_count() == 0
    assert (dealt_with["outcome_date"] >= dealt_with["offence_date"]).all()
    assert outcomes.filter(pl.col("release_date").is_not_null())["tier"].unique().to_list() == ["custody"]
    released = outcomes.filter(pl.col("release_date").is_not_null())
    assert (released["release_date"] > released["outcome_date"]).all()
    # Nobody is dealt with for an offence committed before their 10th birthday (the reader warns).
    ages = outcomes.join(frames["people"], on="person_id")
    assert (ages["offence_date"] >= ages["date_of_birth"].dt.offset_by("10y")).all()
    actions = frames["actions"]
    completed = actions.filter(pl.col("status") == "completed")
    assert completed["completed_on"].null_count() == 0 and (completed["completed_on"] >= completed["raised_on"]).all()
    assert actions.filter(pl.col("status") != "completed")["completed_on"].null_count() == actions.filter(pl.col("status") != "completed").height


def test_the_case_file_reads_back_without_a_single_problem(frames, tmp_path):
    case_file = read_case_file(write_case_file(frames, tmp_path / "synthetic"), today=ANCHOR)
    assert case_file.problems == ()
    for name, frame in frames.items():
        assert getattr(case_file, name).equals(frame), name


def test_no_children_gives_empty_frames_on_the_contract():
    empty = generate(["Nowhere"], first_quarter="2024Q1", quarters=2, children_per_quarter=0, as_at=ANCHOR)
    for name, frame in empty.items():
        assert frame.height == 0 and frame.schema == pl.Schema(SCHEMAS[name]), name


def test_quarters_after_the_anchor_have_no_one_yet():
    late = generate(["Northmoor"], first_quarter="2025Q2", quarters=4, children_per_quarter=40, as_at=ANCHOR, seed=3)
    assert late["outcomes"]["outcome_date"].max() <= ANCHOR
    entries = entry_table(late["people"], late["outcomes"], late["assessments"], period=Period.parse("2025Q4"), rules=CountingRules(), as_at=ANCHOR)
    assert entries.height == 0


@pytest.fixture(scope="module")
def completed_cohorts():
    """Six completed quarters of 20 services: large enough for stable shares, quick to make."""
    frames = generate([f"Service {i}" for i in range(20)], first_quarter="2021Q1", quarters=15, children_per_quarter=40, as_at=ANCHOR, seed=11)
    period = Period.parse("2021Q3", quarters=6)
    entries = entry_table(frames["people"], frames["outcomes"], frames["assessments"], period=period, rules=CountingRules(), as_at=ANCHOR)
    return frames, entries, measures(entries, period=period, as_at=ANCHOR)


def test_reoffending_looks_like_the_seed_documents_describe(completed_cohorts):
    _, entries, result = completed_cohorts
    assert result.provisional is False
    assert 0.33 <= result.binary_rate <= 0.42
    assert 3.2 <= result.reoffences_per_reoffender <= 3.9
    reoffenders = entries.filter(pl.col("reoffended"))
    assert 0.42 <= reoffenders["early_reoffender"].mean() <= 0.62  # about half reoffend within 3 months
    prolific = entries.filter(pl.col("prolific"))
    assert 0.03 <= prolific.height / entries.height <= 0.15  # a few prolific children …
    assert prolific["further_offences"].sum() / result.reoffences > 0.4  # … commit much of the reoffending


def test_the_cohort_has_the_mix_a_service_sees(completed_cohorts):
    frames, entries, _ = completed_cohorts
    tiers = entries["tier"].value_counts(normalize=True)
    share = dict(zip(tiers["tier"], tiers["proportion"]))
    assert share["custody"] < 0.08 < share["community"] and share["pre_court"] > 0.3
    assert 0.25 <= 1 - entries["yot_caseload"].mean() <= 0.45  # many are not on the caseload
    assert 0.8 <= (entries["sex"] == "male").mean() <= 0.9
    assert 0.6 <= (entries["ethnicity"] == "White").mean() <= 0.8
    assert entries["turns_18_in_follow_up"].any()
    assert entries["age_at_index"].is_between(10, 17).all()
    assert (entries.group_by("person_id").len()["len"] > 1).any()  # some children enter in more than one quarter
    outcomes = frames["outcomes"]
    assert outcomes["breach"].any()
    assert outcomes["outcome_type"].is_in(["community_resolution", "no_further_action"]).any()
    custody_types = [t.code for t in codes.OUTCOME_TYPES if t.tier == "custody"]
    assert outcomes.filter(pl.col("outcome_type").is_in(custody_types) & pl.col("release_date").is_null()).height > 0
    # a few 18-year-olds are dealt with, and so are not in the cohort
    dealt_with_at_18 = outcomes.join(frames["people"], on="person_id").filter(
        pl.col("outcome_date") >= pl.col("date_of_birth").dt.offset_by("18y")
    )
    assert dealt_with_at_18.height > 0
    assert set(frames["actions"]["status"]) == set(codes.ACTION_STATUSES)
    assert set(frames["actions"]["trigger"]) == set(codes.ACTION_TRIGGERS)


def test_assessments_broadly_predict_reoffending(completed_cohorts):
    _, entries, _ = completed_cohorts
    by_band = entries.group_by("likelihood_band").agg(pl.col("reoffended").mean()).drop_nulls()
    rate = dict(by_band.iter_rows())
    assert rate["low"] < rate["medium"] < rate["high"]
    by_level = dict(entries.group_by("intervention_level").agg(pl.col("reoffended").mean()).drop_nulls().iter_rows())
    assert by_level["standard"] < by_level["intensive"]
