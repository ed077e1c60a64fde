"""Synthetic case data for the demo and the benchmarks: realistic in shape, fictional in every value.

Nothing here is real: identifiers, districts and services are invented. The shape follows what
the seed documents describe of youth reoffending: roughly 35–40% of a cohort reoffend, about 3.5
further offences per reoffender, most of it early in follow-up, a few prolific children, pre-court
outcomes the most common and custody rare, assessments that broadly predict reoffending, and many
cohort members not on the YOT caseload.

Vectorised with NumPy: a national-scale file (≈75,000 index events) takes seconds.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import polars as pl

from reoffkit.engine import codes
from reoffkit.engine.rules import quarter_end, quarter_start
from reoffkit.engine.schema import conform

DISTRICT_NAMES = (
    "Ashcombe", "Brackenfield", "Coldharbour", "Dunmere", "Eastwick Vale", "Fernleigh", "Greystone", "Hollinbrook",
    "Ivydene", "Kestrel Moor", "Larkhill End", "Millbeck", "Northcote", "Oakhurst", "Pendle Rise", "Quarry Bank",
)
OFFENCE_TYPES = (
    "theft", "criminal damage", "violence against the person", "public order", "drugs", "robbery",
    "burglary", "motoring", "possession of a weapon", "sexual offence",
)
TIER_CODES = {
    tier: [t.code for t in codes.OUTCOME_TYPES if t.tier == tier] for tier in ("pre_court", "first_tier", "community", "custody")
}
TIER_WEIGHTS = {
    "pre_court": [0.75, 0.25, 0.0, 0.0],  # youth caution, conditional caution (no reprimands after 2013)
    "first_tier": [0.62, 0.06, 0.12, 0.10, 0.02, 0.03, 0.03, 0.02],
    "community": [0.8, 0.2],
    "custody": [0.8, 0.15, 0.05, 0.0, 0.0],
}


@dataclass(frozen=True)
class SyntheticService:
    name: str
    districts: tuple[str, ...]


def services_named(names: list[str], *, seed: int = 0) -> list[SyntheticService]:
    rng = np.random.default_rng(seed)
    result = []
    for name in names:
        count = int(rng.integers(3, 7))
        picked = rng.choice(len(DISTRICT_NAMES), size=count, replace=False)
        result.append(SyntheticService(name, tuple(sorted(DISTRICT_NAMES[i] for i in picked))))
    return result


def _days(dates: np.ndarray) -> np.ndarray:
    return dates.astype("datetime64[D]").astype(np.int64)


def _to_dates(days: np.ndarray) -> np.ndarray:
    return days.astype("datetime64[D]")


def generate(
    services: list[SyntheticService],
    *,
    first_quarter: int,
    quarters: int,
    children_per_quarter: float,
    as_at: dt.date,
    seed: int = 0,
    owners: tuple[str, ...] = ("practitioner",),
) -> dict[str, pl.DataFrame]:
    """People, outcomes, assessments and review actions for ``services`` over ``quarters``.

    ``children_per_quarter`` is the mean number of new cohort entrants per service and quarter.
    Nothing is dated after ``as_at``; offences committed by then but not yet dealt with are
    recorded as charged.
    """
    rng = np.random.default_rng(seed)
    anchor = np.datetime64(as_at, "D").astype(np.int64)

    # Cohort entrants: one new child per index event, spread over the service's quarters.
    quarter_keys = np.arange(first_quarter, first_quarter + quarters)
    starts = np.array([np.datetime64(quarter_start(int(k)), "D").astype(np.int64) for k in quarter_keys])
    ends = np.array([np.datetime64(quarter_end(int(k)), "D").astype(np.int64) for k in quarter_keys])
    counts = rng.poisson(children_per_quarter, size=(len(services), quarters))
    service_index = np.repeat(np.repeat(np.arange(len(services)), quarters), counts.ravel())
    quarter_index = np.repeat(np.tile(np.arange(quarters), len(services)), counts.ravel())
    n = service_index.size
    index_day = starts[quarter_index] + (rng.random(n) * (ends[quarter_index] - starts[quarter_index] + 1)).astype(np.int64)
    keep = index_day <= anchor
    service_index, quarter_index, index_day = service_index[keep], quarter_index[keep], index_day[keep]
    n = index_day.size

    # Who they are.
    age = rng.choice(np.arange(10, 18), size=n, p=[0.02, 0.04, 0.07, 0.11, 0.15, 0.19, 0.21, 0.21])
    birth_day = index_day - age * 365 - (rng.random(n) * 364).astype(np.int64) - age // 4
    sex = rng.choice(["male", "female"], size=n, p=[0.85, 0.15])
    ethnicity = rng.choice(codes.ETHNICITIES, size=n, p=[0.72, 0.08, 0.07, 0.08, 0.02, 0.03])
    looked_after = rng.random(n) < 0.12
    district = np.array([services[s].districts[int(rng.integers(len(services[s].districts)))] for s in range(len(services))], dtype=object)
    district_choice = np.empty(n, dtype=object)
    for s, service in enumerate(services):
        mine = service_index == s
        district_choice[mine] = rng.choice(np.array(service.districts, dtype=object), size=int(mine.sum()))
    del district

    # Index disposal, and a latent risk that drives assessment and reoffending alike.
    tiers = np.array(["pre_court", "first_tier", "community", "custody"])
    tier = tiers[rng.choice(4, size=n, p=[0.45, 0.35, 0.15, 0.05])]
    risk = rng.normal(size=n) + 0.35 * (tier == "community") + 0.6 * (tier == "custody") - 0.3 * (tier == "pre_court")
    risk += 0.25 * looked_after + 0.06 * (age - 14)
    index_type = np.empty(n, dtype=object)
    for name in TIER_CODES:
        mine = tier == name
        index_type[mine] = rng.choice(TIER_CODES[name], size=int(mine.sum()), p=TIER_WEIGHTS[name])
    custody = tier == "custody"
    sentence_day = np.where(custody, index_day - rng.integers(60, 300, size=n), index_day)
    index_offence_day = sentence_day - rng.integers(7, 90, size=n)
    on_caseload = np.where(tier == "pre_court", rng.random(n) < 0.45, rng.random(n) < 0.9)

    person_id = np.array([f"P{i:07d}" for i in range(1, n + 1)], dtype=object)
    pnc = rng.random(n) < 0.9
    pnc_text = np.char.add(
        np.char.add(np.char.mod("%02d/", (1970 + (index_day // 365)) % 100), np.char.mod("%06d", rng.integers(0, 999_999, size=n))),
        np.array(list("ABCDEFGHJKLMNPQRTUVWXYZ"))[rng.integers(0, 23, size=n)],
    )
    pnc_id = pl.Series(pnc_text.astype(str), dtype=pl.String).zip_with(pl.Series(pnc), pl.Series([None] * n, dtype=pl.String))
    people = pl.DataFrame(
        {
            "person_id": person_id,
            "pnc_id": pnc_id,
            "service": np.array([services[s].name for s in service_index], dtype=object) if n else np.array([], dtype=object),
            "date_of_birth": _to_dates(birth_day),
            "sex": sex,
            "ethnicity": ethnicity,
            "looked_after": looked_after,
            "district": district_choice,
            "yot_caseload": on_caseload,
        }
    )

    # Further offending: who reoffends, how often, and how soon.
    p_reoffend = 1 / (1 + np.exp(-(-0.85 + 1.0 * risk)))
    reoffends = rng.random(n) < p_reoffend
    extra = rng.negative_binomial(1.2, 1.2 / (1.2 + np.exp(0.8 + 0.3 * risk)), size=n)
    further_count = np.where(reoffends, 1 + extra, 0)
    owner = np.repeat(np.arange(n), further_count)
    first_gap = np.minimum(rng.exponential(110, size=n) + 1, 365).astype(np.int64)
    offence_rank = np.arange(owner.size) - np.repeat(np.cumsum(further_count) - further_count, further_count)
    span = 365 - first_gap[owner]
    gap = np.where(offence_rank == 0, first_gap[owner], first_gap[owner] + (rng.random(owner.size) * np.maximum(span, 1) * rng.random(owner.size) ** 0.5).astype(np.int64))
    offence_day = index_day[owner] + gap
    # A few offences just beyond the 12 months, to keep the window honest.
    late = rng.random(n) < 0.06
    late_owner = np.flatnonzero(late)
    owner = np.concatenate([owner, late_owner])
    offence_day = np.concatenate([offence_day, index_day[late_owner] + rng.integers(366, 480, size=late_owner.size)])
    # Offences dealt with together share a hearing: the lag is drawn per offence, then often
    # snapped to the next offence's hearing.
    lag = rng.gamma(2.0, 30.0, size=owner.size).astype(np.int64) + 3
    lag = np.where(rng.random(owner.size) < 0.04, lag + 200, lag)  # a few proven too late
    outcome_day = offence_day + lag
    further_tier = tiers[rng.choice(4, size=owner.size, p=[0.22, 0.48, 0.25, 0.05])]
    further_type = np.empty(owner.size, dtype=object)
    for name in TIER_CODES:
        mine = further_tier == name
        further_type[mine] = rng.choice(TIER_CODES[name], size=int(mine.sum()), p=TIER_WEIGHTS[name])
    release_day = np.where(further_tier == "custody", outcome_day + rng.integers(60, 240, size=owner.size), -1)

    # Breaches and informal outcomes: recorded, never counted by default.
    breach_owner = np.flatnonzero((rng.random(n) < 0.07) & (tier != "pre_court"))
    breach_day = index_day[breach_owner] + rng.integers(20, 300, size=breach_owner.size)
    informal_owner = np.flatnonzero(rng.random(n) < 0.08)
    informal_day = index_day[informal_owner] + rng.integers(10, 330, size=informal_owner.size)

    def block(owners, offence, outcome, types, release, breach):
        return {
            "person_id": person_id[owners],
            "offence_day": offence,
            "outcome_day": outcome,
            "outcome_type": types,
            "release_day": release,
            "breach": breach,
        }

    blocks = [
        block(np.arange(n), index_offence_day, sentence_day, index_type, np.where(custody, index_day, -1), np.zeros(n, bool)),
        block(owner, offence_day, outcome_day, further_type, release_day, np.zeros(owner.size, bool)),
        block(breach_owner, breach_day, breach_day + rng.integers(5, 40, size=breach_owner.size), np.array(["referral_order"] * breach_owner.size, dtype=object), np.full(breach_owner.size, -1), np.ones(breach_owner.size, bool)),
        block(informal_owner, informal_day, informal_day + rng.integers(1, 20, size=informal_owner.size), rng.choice(["community_resolution", "no_further_action"], size=informal_owner.size).astype(object), np.full(informal_owner.size, -1), np.zeros(informal_owner.size, bool)),
    ]
    rows = {key: np.concatenate([b[key] for b in blocks]) for key in blocks[0]}
    m = rows["offence_day"].size
    # As at the anchor: not yet committed → absent; committed but not dealt with → charged
    # (most) or not yet known; a custodial sentence not yet served → no release date.
    known = rows["offence_day"] <= anchor - rng.integers(0, 20, size=m)
    pending = known & (rows["outcome_day"] > anchor)
    charged = pending & (rng.random(m) < 0.7)
    keep = known & (~pending | charged)
    types = np.where(charged, rng.choice(["charged", "admitted"], size=m, p=[0.8, 0.2]).astype(object), rows["outcome_type"])
    outcome_day = np.where(charged, -1, rows["outcome_day"])
    release = np.where((rows["release_day"] > anchor) | charged, -1, rows["release_day"])
    gravity = np.clip(np.rint(rng.normal(2.8, 1.3, size=m)) + (types == "dto") * 2, 1, 8).astype(np.int8)

    def dates(days):
        return pl.Series(_to_dates(np.where(days < 0, 0, days))).cast(pl.Date).set(pl.Series(days < 0), None)

    outcomes = pl.DataFrame(
        {
            "person_id": rows["person_id"][keep],
            "offence_date": dates(rows["offence_day"][keep]),
            "outcome_date": dates(outcome_day[keep]),
            "outcome_type": types[keep],
            "release_date": dates(release[keep]),
            "offence_type": rng.choice(OFFENCE_TYPES, size=int(keep.sum()), p=[0.22, 0.14, 0.22, 0.1, 0.1, 0.05, 0.06, 0.06, 0.04, 0.01]),
            "gravity": gravity[keep],
            "breach": rows["breach"][keep],
        }
    ).sort("offence_date", "person_id").with_row_index("outcome_id", offset=1)

    # Assessments near entry for most court outcomes, fewer for pre-court ones.
    assessed = (rng.random(n) < np.where(tier == "pre_court", 0.55, 0.92)) & (index_day - 20 <= anchor)
    score = np.clip(np.rint(18 + 9 * risk + rng.normal(0, 6, size=n)), 0, 48)
    band = np.where(score <= 14, "low", np.where(score <= 32, "medium", "high")).astype(object)
    level = np.where(band == "low", "standard", np.where(band == "medium", "enhanced", "intensive")).astype(object)
    drift = rng.random(n) < 0.2  # assessments do not always match the intervention chosen
    level = np.where(drift, rng.choice(codes.INTERVENTION_LEVELS, size=n).astype(object), level)
    assessment_day = np.minimum(index_day + rng.integers(-40, 25, size=n), anchor)
    assetplus = rng.random(n) < 0.7
    assessments = pl.DataFrame(
        {
            "person_id": person_id[assessed],
            "assessment_date": _to_dates(assessment_day[assessed]),
            "tool": np.where(assetplus, "assetplus", "asset")[assessed],
            "score": np.where(assetplus, np.clip(np.rint(score / 48 * 100), 1, 99), score)[assessed].astype(float),
            "likelihood_band": band[assessed],
            "intervention_level": level[assessed],
        }
    )

    # Review actions: raised soon after a first further offence became known; older ones done.
    first_known = index_day + first_gap + 10
    raised = reoffends & (first_known <= anchor) & (rng.random(n) < 0.85)
    raised_day = first_known + rng.integers(0, 12, size=n)
    raised_day = np.minimum(raised_day, anchor)
    age_days = anchor - raised_day
    status = np.where(age_days > 60, "completed", np.where(age_days > 20, rng.choice(["pending", "completed"], size=n), rng.choice(["required", "pending"], size=n, p=[0.6, 0.4]))).astype(object)
    overdue = rng.random(n) < 0.1
    status = np.where(overdue & (age_days > 20), "required", status)
    due_day = raised_day + 14
    completed_day = np.where(status == "completed", np.minimum(raised_day + rng.integers(1, 30, size=n), anchor), -1)
    actions = pl.DataFrame(
        {
            "person_id": person_id[raised],
            "raised_on": _to_dates(raised_day[raised]),
            "trigger": np.array(["further_offence"] * int(raised.sum()), dtype=object),
            "action": rng.choice(["re_assessment", "review", "breach", "no_action"], size=int(raised.sum()), p=[0.45, 0.4, 0.05, 0.1]).astype(object),
            "status": status[raised],
            "owner": rng.choice(np.array(owners, dtype=object), size=int(raised.sum())),
            "due_on": _to_dates(due_day[raised]),
            "completed_on": dates(completed_day[raised]),
            "notes": pl.Series([None] * int(raised.sum()), dtype=pl.String),
        }
    )
    return {
        "people": conform(people, "people"),
        "outcomes": conform(outcomes, "outcomes"),
        "assessments": conform(assessments, "assessments"),
        "actions": conform(actions, "actions"),
    }
