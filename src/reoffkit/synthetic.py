"""Synthetic case data for the demo, the tests and the benchmarks: realistic in shape, fictional in
every value.

Nothing here is real: identifiers, districts and services are invented. The shape follows what the
YJB's reoffending toolkit and the published figures describe of youth reoffending (docs/rules.md §6, §10):

- about 35–40% of a cohort reoffend, about 3.5 further offences per reoffender, a few prolific
  children (5+ further offences) commit most of it, and about half of those who reoffend do so
  within 3 months of entry;
- pre-court outcomes are common and custody rare (custody enters at release; some children are
  still inside with no release date yet); breaches, community resolutions and no further action
  are recorded but never count; several offences are often dealt with at one hearing;
- assessments (Asset 0–48 or AssetPlus YOGRS %, likelihood band, intervention level) broadly
  predict reoffending; review actions in every status, from every trigger;
- many cohort members (about a third) are not on the YOT caseload; 17-year-olds turn 18 in
  follow-up; a few 18-year-olds are dealt with (and so are not in the cohort); children re-enter
  the cohort in later quarters through their further offences.

Nothing is dated after the anchor (``as_at``): offences not yet committed do not exist, those
committed but not dealt with are ``charged`` or ``admitted`` (or not yet known), and a custodial
sentence not yet served has no release date.

Pure and vectorised: a seeded NumPy generator, one array per column, no I/O. A national-scale file
(155 services × 12 quarters, ≈75,000 cohort entries) takes well under a second.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import polars as pl

from reoffkit.engine import codes
from reoffkit.engine.rules import Period, quarter_end, quarter_key, quarter_start
from reoffkit.engine.schema import conform

DISTRICT_NAMES = (
    "Ashcombe", "Brackenfield", "Coldharbour", "Dunmere", "Eastwick Vale", "Fernleigh", "Greystone", "Hollinbrook",
    "Ivydene", "Kestrel Moor", "Larkhill End", "Millbeck", "Northcote", "Oakhurst", "Pendle Rise", "Quarry Bank",
)
OFFENCE_TYPES = (
    "theft", "criminal damage", "violence against the person", "public order", "drugs", "robbery",
    "burglary", "motoring", "possession of a weapon", "sexual offence",
)
OFFENCE_TYPE_SHARES = (0.22, 0.14, 0.22, 0.1, 0.1, 0.05, 0.06, 0.06, 0.04, 0.01)

#: Every outcome type code; outcome types are carried as positions in this tuple until the end.
TYPE_CODES: tuple[str, ...] = tuple(t.code for t in codes.OUTCOME_TYPES)
_TYPE = {code: i for i, code in enumerate(TYPE_CODES)}
TIERS = ("pre_court", "first_tier", "community", "custody")
#: Outcome types of each tier and how often each is given (no reprimands or final warnings since 2013).
TIER_TYPES: dict[str, tuple[tuple[str, ...], tuple[float, ...]]] = {
    "pre_court": (("youth_caution", "youth_conditional_caution"), (0.75, 0.25)),
    "first_tier": (
        ("referral_order", "reparation_order", "fine", "conditional_discharge", "absolute_discharge", "compensation_order", "bind_over", "deferred_sentence"),
        (0.62, 0.06, 0.12, 0.10, 0.02, 0.03, 0.03, 0.02),
    ),
    "community": (("yro", "yro_iss"), (0.8, 0.2)),
    "custody": (("dto", "s250", "s254"), (0.8, 0.15, 0.05)),
}
TIER_GRAVITY = np.array([2.0, 3.0, 4.0, 5.5])  # typical YJB gravity of an offence dealt with at each tier
#: Index disposals of new cohort members, and disposals of their further offences (more serious).
INDEX_TIER_SHARES = (0.47, 0.35, 0.14, 0.04)
FURTHER_TIER_SHARES = (0.22, 0.48, 0.25, 0.05)


#: Children's ethnic groups (``codes.ETHNICITIES`` order: White, Mixed, Asian, Black, Other, Not
#: known), self-defined. Against the 10–17 population of a mostly White area (White about 80%,
#: Black about 4–5%), Black children are over-represented about two and a half times and Asian
#: children under-represented: the demo's disproportionality page has something to find.
ETHNICITY_SHARES = (0.72, 0.08, 0.05, 0.10, 0.015, 0.035)
#: Within each group, the detailed 2021 Census categories (``codes.ETHNIC_CATEGORIES``) and rough,
#: invented shares of them; children of unknown ethnicity are ``not_stated`` or blank.
DETAIL_SHARES: dict[str, tuple[tuple[str, ...], tuple[float, ...]]] = {
    "White": (("white_british", "white_irish", "white_gypsy_irish_traveller", "white_roma", "white_other"), (0.86, 0.005, 0.01, 0.01, 0.115)),
    "Mixed": (("mixed_white_black_caribbean", "mixed_white_black_african", "mixed_white_asian", "mixed_other"), (0.3, 0.15, 0.3, 0.25)),
    "Asian": (("asian_indian", "asian_pakistani", "asian_bangladeshi", "asian_chinese", "asian_other"), (0.27, 0.38, 0.15, 0.05, 0.15)),
    "Black": (("black_african", "black_caribbean", "black_other"), (0.65, 0.15, 0.2)),
    "Other": (("other_arab", "other_any"), (0.35, 0.65)),
    "Not known": (("not_stated", ""), (0.5, 0.5)),
}


@dataclass(frozen=True)
class SyntheticService:
    name: str
    districts: tuple[str, ...]


def services_named(names: list[str], *, seed: int = 0) -> list[SyntheticService]:
    """One service per name, each with 3–6 fictional districts."""
    rng = np.random.default_rng(seed)
    result = []
    for name in names:
        count = int(rng.integers(3, 7))
        picked = rng.choice(len(DISTRICT_NAMES), size=count, replace=False)
        result.append(SyntheticService(name, tuple(sorted(DISTRICT_NAMES[i] for i in picked))))
    return result


def _service_list(services, seed: int) -> list[SyntheticService]:
    names = [s for s in services if isinstance(s, str)]
    named = iter(services_named(names, seed=seed))
    return [s if isinstance(s, SyntheticService) else next(named) for s in services]


def _quarter(first_quarter: int | str | tuple[int, int]) -> int:
    """``2023 * 4`` (a quarter key), ``"2023Q1"`` or ``(2023, 1)``."""
    if isinstance(first_quarter, str):
        return Period.parse(first_quarter).first_quarter
    if isinstance(first_quarter, tuple):
        return quarter_key(*first_quarter)
    return int(first_quarter)


def _day(date: dt.date) -> int:
    return int(np.datetime64(date, "D").astype(np.int64))


def _ymd(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    dates = days.astype("datetime64[D]")
    years = dates.astype("datetime64[Y]")
    months = dates.astype("datetime64[M]")
    return (
        years.astype(np.int64) + 1970,
        (months - years.astype("datetime64[M]")).astype(np.int64) + 1,
        (dates - months.astype("datetime64[D]")).astype(np.int64) + 1,
    )


def _years_before(days: np.ndarray, years: np.ndarray) -> np.ndarray:
    """The same calendar day ``years`` earlier (29 February → 28 February in a common year)."""
    y, m, d = _ymd(days)
    y = y - years
    leap = (y % 4 == 0) & ((y % 100 != 0) | (y % 400 == 0))
    d = np.where((m == 2) & (d == 29) & ~leap, 28, d)
    first_of_month = ((y - 1970) * 12 + m - 1).astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)
    return first_of_month + d - 1


def _pick_types(rng: np.random.Generator, tier: np.ndarray) -> np.ndarray:
    """An outcome type (position in ``TYPE_CODES``) for each tier number (position in ``TIERS``)."""
    result = np.empty(tier.size, dtype=np.int16)
    for number, name in enumerate(TIERS):
        mine = tier == number
        type_codes, shares = TIER_TYPES[name]
        choices = np.array([_TYPE[c] for c in type_codes], dtype=np.int16)
        result[mine] = choices[rng.choice(len(choices), size=int(mine.sum()), p=shares)]
    return result


def _dates(days: np.ndarray) -> pl.Series:
    """Day numbers as a Polars date series; negative numbers are blanks."""
    days = np.asarray(days, dtype=np.int64)
    return pl.Series(np.where(days < 0, 0, days).astype(np.int32)).cast(pl.Date).scatter(np.flatnonzero(days < 0), None)


def generate(
    services: list[SyntheticService] | list[str],
    *,
    first_quarter: int | str | tuple[int, int],
    quarters: int,
    children_per_quarter: float,
    as_at: dt.date,
    seed: int = 0,
    owners: tuple[str, ...] = ("practitioner",),
) -> dict[str, pl.DataFrame]:
    """People, outcomes, assessments and review actions for ``services`` over ``quarters``
    calendar quarters from ``first_quarter`` (``"2023Q1"``, ``(2023, 1)`` or a quarter key).

    ``services`` are :class:`SyntheticService` or plain names (given 3–6 districts each).
    ``children_per_quarter`` is the mean (Poisson) number of new cohort members per service and
    quarter; children also re-enter in later quarters through their further offences, so there
    are about 1.2 cohort entries per new child. ``as_at`` is the anchor: nothing is dated after it.
    The same arguments always give the same frames.
    """
    rng = np.random.default_rng(seed)
    services = _service_list(services, seed)
    first_key = _quarter(first_quarter)
    anchor = _day(as_at)

    # ---- New cohort members: one per index event, Poisson per service and quarter. -------------
    keys = range(first_key, first_key + quarters)
    starts = np.array([_day(quarter_start(k)) for k in keys], dtype=np.int64)
    lengths = np.array([_day(quarter_end(k)) for k in keys], dtype=np.int64) - starts + 1
    counts = rng.poisson(children_per_quarter, size=(len(services), quarters))
    service_of = np.repeat(np.repeat(np.arange(len(services)), quarters), counts.ravel())
    quarter_of = np.repeat(np.tile(np.arange(quarters), len(services)), counts.ravel())
    index_day = starts[quarter_of] + (rng.random(service_of.size) * lengths[quarter_of]).astype(np.int64)
    keep = index_day <= anchor
    service_of, index_day = service_of[keep], index_day[keep]
    n = index_day.size

    # ---- Who they are. A few are 18 when dealt with: recorded, but not in the cohort. -----------
    age = rng.choice(np.arange(10, 19), size=n, p=[0.02, 0.04, 0.07, 0.11, 0.15, 0.19, 0.21, 0.198, 0.012])
    birth_day = _years_before(index_day, age) - rng.integers(0, 365, size=n)  # exactly `age` on the index date
    tenth_birthday = _years_before(birth_day, np.full(n, -10))
    sex = rng.choice(len(codes.SEXES), size=n, p=[0.846, 0.15, 0.0, 0.004])
    ethnicity = rng.choice(len(codes.ETHNICITIES), size=n, p=ETHNICITY_SHARES)
    looked_after = rng.random(n) < 0.12
    district_counts = np.array([len(s.districts) for s in services])
    district_offsets = np.concatenate([[0], np.cumsum(district_counts)[:-1]])
    district = district_offsets[service_of] + (rng.random(n) * district_counts[service_of]).astype(np.int64)

    # ---- Index disposal, and a latent risk that drives assessment and reoffending alike. --------
    tier = rng.choice(4, size=n, p=INDEX_TIER_SHARES)
    tier = np.where((tier == 3) & (age < 13), 2, tier)  # no custody for the youngest
    risk = rng.normal(size=n) + np.array([-0.3, 0.0, 0.35, 0.6])[tier] + 0.25 * looked_after + 0.06 * (age - 14)
    index_type = _pick_types(rng, tier)
    custody = tier == 3
    sentence_day = np.where(custody, index_day - rng.integers(60, 300, size=n), index_day)
    index_offence_day = np.clip(sentence_day - rng.integers(7, 90, size=n), tenth_birthday, sentence_day)
    on_caseload = rng.random(n) < np.where(tier == 0, 0.4, 0.8)

    # ---- Further offending: who reoffends, how often and how soon. ------------------------------
    p_reoffend = 1 / (1 + np.exp(-(-0.85 + 1.0 * risk)))
    reoffends = rng.random(n) < p_reoffend
    extra = rng.negative_binomial(1.2, 1.2 / (1.2 + np.exp(0.9 + 0.3 * risk)), size=n)
    further_count = np.where(reoffends, 1 + extra, 0)
    owner = np.repeat(np.arange(n), further_count)
    # Days to the first further offence: exponential (scale 200 days) cut off at the 12 months,
    # drawn by inverting its distribution so no probability piles up on the last day.
    first_gap = (1 - 200 * np.log1p(-rng.random(n) * -np.expm1(-364 / 200))).astype(np.int64)
    rank = np.arange(owner.size) - np.repeat(np.cumsum(further_count) - further_count, further_count)
    span = np.maximum(365 - first_gap[owner], 1)
    later = (rng.random(owner.size) * span * rng.random(owner.size) ** 0.5).astype(np.int64)
    offence_day = index_day[owner] + first_gap[owner] + np.where(rank == 0, 0, later)
    # Some offending goes on beyond the 12 months (it must not count for this entry).
    late_owner = np.flatnonzero(rng.random(n) < 0.08)
    owner = np.concatenate([owner, late_owner])
    offence_day = np.concatenate([offence_day, index_day[late_owner] + rng.integers(366, 540, size=late_owner.size)])

    # Offences close together are dealt with at one hearing (one date, one disposal).
    order = np.lexsort((offence_day, owner))
    owner, offence_day = owner[order], offence_day[order]
    m = owner.size
    same_owner = np.concatenate([[False], owner[1:] == owner[:-1]])
    close = np.concatenate([[False], np.diff(offence_day) <= 45])
    new_hearing = ~(same_owner & close & (rng.random(m) < 0.6))
    hearing = np.cumsum(new_hearing) - 1
    hearing_starts = np.flatnonzero(new_hearing)
    hearings = hearing_starts.size
    if hearings:
        last_offence = np.maximum.reduceat(offence_day, hearing_starts)
    else:
        last_offence = np.zeros(0, dtype=np.int64)
    lag = rng.gamma(2.0, 30.0, size=hearings).astype(np.int64) + 3
    lag = np.where(rng.random(hearings) < 0.04, lag + 200, lag)  # a few proven after the 18 months
    hearing_tier = rng.choice(4, size=hearings, p=FURTHER_TIER_SHARES)
    hearing_type = _pick_types(rng, hearing_tier)
    hearing_day = last_offence + lag
    hearing_release = np.where(hearing_tier == 3, hearing_day + rng.integers(60, 240, size=hearings), -1)

    # ---- Everything on the record, one block per kind of row. ------------------------------------
    blocks: list[dict[str, np.ndarray]] = []

    def block(owners, offence, outcome, types, release, breach, gravity):
        size = owners.size
        blocks.append(
            {
                "owner": owners,
                "offence_day": offence,
                "outcome_day": outcome,
                "type": np.broadcast_to(types, size).astype(np.int16),
                "release_day": np.broadcast_to(release, size).astype(np.int64),
                "breach": np.broadcast_to(breach, size),
                "gravity": np.broadcast_to(gravity, size).astype(np.float64),
            }
        )

    index_release = np.where(custody, index_day, -1)
    block(np.arange(n), index_offence_day, sentence_day, index_type, index_release, False, TIER_GRAVITY[tier] + 0.5)
    # Other offences dealt with at the index hearing: committed before the index date, never counted.
    together = rng.poisson(np.where(tier == 0, 0.4, 1.6))
    with_index = np.repeat(np.arange(n), together)
    block(
        with_index,
        np.clip(index_offence_day[with_index] - rng.integers(0, 120, size=with_index.size), tenth_birthday[with_index], None),
        sentence_day[with_index],
        index_type[with_index],
        index_release[with_index],
        False,
        TIER_GRAVITY[tier[with_index]] - 0.5,
    )
    block(owner, offence_day, hearing_day[hearing], hearing_type[hearing], hearing_release[hearing], False, TIER_GRAVITY[hearing_tier[hearing]])
    # Breaches of orders: recorded, not new offences.
    breach_owner = np.flatnonzero((rng.random(n) < 0.07) & (tier != 0))
    breach_day = index_day[breach_owner] + rng.integers(20, 300, size=breach_owner.size)
    breach_type = np.where(tier[breach_owner] == 1, _TYPE["referral_order"], _TYPE["yro"])
    block(breach_owner, breach_day, breach_day + rng.integers(5, 40, size=breach_owner.size), breach_type, -1, True, 2.0)
    # Informal outcomes, before entry (earlier history) and during follow-up: never in the cohort.
    prior_owner = np.repeat(np.arange(n), rng.poisson(1.2, size=n))
    prior_day = index_offence_day[prior_owner] - rng.integers(30, 720, size=prior_owner.size)
    prior_owner, prior_day = prior_owner[prior_day >= tenth_birthday[prior_owner]], prior_day[prior_day >= tenth_birthday[prior_owner]]
    during_owner = np.flatnonzero(rng.random(n) < 0.08)
    informal_owner = np.concatenate([prior_owner, during_owner])
    informal_day = np.concatenate([prior_day, index_day[during_owner] + rng.integers(10, 330, size=during_owner.size)])
    informal_type = np.where(rng.random(informal_owner.size) < 0.75, _TYPE["community_resolution"], _TYPE["no_further_action"])
    block(informal_owner, informal_day, informal_day + rng.integers(1, 20, size=informal_owner.size), informal_type, -1, False, 1.5)

    rows = {key: np.concatenate([b[key] for b in blocks]) for key in blocks[0]}
    total = rows["owner"].size
    # As at the anchor: not yet committed → absent; committed but not dealt with → charged or
    # admitted (most) or not yet known; a custodial sentence not yet served → no release date.
    known = rows["offence_day"] <= anchor - rng.integers(0, 20, size=total)
    pending = known & (rows["outcome_day"] > anchor)
    unproven = pending & (rng.random(total) < 0.7)
    keep = known & (~pending | unproven)
    unproven_type = np.where(rng.random(total) < 0.8, _TYPE["charged"], _TYPE["admitted"])
    types = np.where(unproven, unproven_type, rows["type"])
    outcome_day = np.where(unproven, -1, rows["outcome_day"])
    release_day = np.where((rows["release_day"] > anchor) | unproven, -1, rows["release_day"])
    gravity = np.clip(np.rint(rows["gravity"] + rng.normal(0, 0.9, size=total)), 1, 8).astype(np.int8)
    offence_type = rng.choice(len(OFFENCE_TYPES), size=total, p=OFFENCE_TYPE_SHARES)
    # outcome_id in date order, so the file reads naturally.
    kept = np.flatnonzero(keep)
    kept = kept[np.lexsort((rows["owner"][kept], rows["offence_day"][kept]))]

    person_ids = ("P" + pl.Series("person_id", np.arange(1, n + 1)).cast(pl.String).str.zfill(7)).alias("person_id")

    def names(table: tuple[str, ...], positions: np.ndarray) -> pl.Series:
        return pl.Series(table, dtype=pl.String).gather(positions)

    people = pl.DataFrame(
        {
            "person_id": person_ids,
            "pnc_id": _pnc_ids(rng, index_day),
            "service": names(tuple(s.name for s in services), service_of),
            "date_of_birth": _dates(birth_day),
            "sex": names(codes.SEXES, sex),
            "ethnicity": names(codes.ETHNICITIES, ethnicity),
            "ethnicity_scheme": pl.Series([codes.DEFAULT_ETHNICITY_SCHEME] * n, dtype=pl.String),
            "ethnicity_detail": _ethnicity_detail(ethnicity, seed),
            "looked_after": looked_after,
            "district": names(tuple(d for s in services for d in s.districts), district),
            "yot_caseload": on_caseload,
            # Six in seven children's adult offending recorded as checked (no random draw, so the
            # rest of the data does not move).
            "adult_offending_checked": np.arange(n) % 7 != 0,
        }
    )
    outcomes = pl.DataFrame(
        {
            "outcome_id": np.arange(1, kept.size + 1),
            "person_id": person_ids.gather(rows["owner"][kept]),
            "offence_date": _dates(rows["offence_day"][kept]),
            "outcome_date": _dates(outcome_day[kept]),
            "outcome_type": names(TYPE_CODES, types[kept]),
            "release_date": _dates(release_day[kept]),
            "offence_type": names(OFFENCE_TYPES, offence_type[kept]),
            "gravity": gravity[kept],
            "breach": rows["breach"][kept],
        }
    )

    # ---- Review actions: after a first further offence, periodic reviews, changed circumstances.
    first_known = index_day + first_gap + 10
    raised = [
        (np.flatnonzero(reoffends & (first_known <= anchor) & (rng.random(n) < 0.85)), "further_offence", (0.45, 0.4, 0.05, 0.1), 14),
        (np.flatnonzero(on_caseload & (index_day + 90 <= anchor) & (rng.random(n) < 0.5)), "periodic_review", (0.3, 0.7, 0.0, 0.0), 28),
        (np.flatnonzero(on_caseload & (rng.random(n) < 0.06)), "changed_circumstances", (0.5, 0.4, 0.0, 0.1), 14),
    ]
    start_day = {"further_offence": first_known, "periodic_review": index_day + 90}
    action_owner, action_day, action_trigger, action_type, due_day = [], [], [], [], []
    for who, trigger, shares, due_in in raised:
        start = start_day[trigger][who] if trigger in start_day else index_day[who] + rng.integers(20, 300, size=who.size)
        day = np.minimum(start + rng.integers(0, 12, size=who.size), anchor)
        action_owner.append(who)
        action_day.append(day)
        action_trigger.append(np.full(who.size, codes.ACTION_TRIGGERS.index(trigger)))
        action_type.append(rng.choice(len(codes.ACTION_TYPES), size=who.size, p=shares))
        due_day.append(day + due_in)
    action_owner, action_day, action_trigger, action_type, due_day = map(np.concatenate, (action_owner, action_day, action_trigger, action_type, due_day))
    waited = anchor - action_day
    status = np.where(
        waited > 60,
        2,
        np.where(waited > 20, rng.choice([1, 2], size=waited.size), rng.choice([0, 1], size=waited.size, p=[0.6, 0.4])),
    )
    status = np.where((rng.random(waited.size) < 0.1) & (waited > 20), 0, status)  # some left undone past their due date
    completed_day = np.where(status == 2, np.minimum(action_day + rng.integers(1, 30, size=waited.size), anchor), -1)
    actions = pl.DataFrame(
        {
            "person_id": person_ids.gather(action_owner),
            "raised_on": _dates(action_day),
            "trigger": names(codes.ACTION_TRIGGERS, action_trigger),
            "action": names(codes.ACTION_TYPES, action_type),
            "status": names(codes.ACTION_STATUSES, status),
            "owner": names(tuple(owners), rng.integers(0, len(owners), size=waited.size)),
            "due_on": _dates(due_day),
            "completed_on": _dates(completed_day),
        }
    ).sort("raised_on", "person_id", maintain_order=True)

    # ---- Assessments near entry (most court outcomes, fewer pre-court), and re-assessments done.
    assessed = np.flatnonzero((rng.random(n) < np.where(tier == 0, 0.55, 0.92)) & (index_day - 20 <= anchor))
    first_assessed = np.full(n, -1, dtype=np.int64)
    first_assessed[assessed] = np.minimum(index_day[assessed] + rng.integers(-40, 25, size=assessed.size), anchor)
    # A re-assessment comes after the assessment it redoes (never two on one day).
    redone = np.flatnonzero((action_type == codes.ACTION_TYPES.index("re_assessment")) & (status == 2) & (completed_day > first_assessed[action_owner]))
    redone = redone[np.unique(action_owner[redone] * 100_000 + completed_day[redone], return_index=True)[1]]
    assessment_owner = np.concatenate([assessed, action_owner[redone]])
    assessment_day = np.concatenate([first_assessed[assessed], completed_day[redone]])
    # After reoffending the picture worsens a little.
    latent = risk[assessment_owner] + np.concatenate([np.zeros(assessed.size), np.full(redone.size, 0.3)])
    size = assessment_owner.size
    asset_score = np.clip(np.rint(18 + 9 * latent + rng.normal(0, 6, size=size)), 0, 48)
    band = np.where(asset_score <= 14, 0, np.where(asset_score <= 32, 1, 2))
    level = np.where(rng.random(size) < 0.2, rng.integers(0, 3, size=size), band)  # the intervention chosen does not always match
    assetplus = rng.random(size) < 0.7
    yogrs = np.clip(np.rint(100 / (1 + np.exp(-(-0.6 + 1.1 * latent + rng.normal(0, 0.4, size=size))))), 1, 99)
    assessments = pl.DataFrame(
        {
            "person_id": person_ids.gather(assessment_owner),
            "assessment_date": _dates(assessment_day),
            "tool": names(("asset", "assetplus"), assetplus.astype(np.int64)),
            "score": np.where(assetplus, yogrs, asset_score).astype(np.float64),
            "likelihood_band": names(codes.LIKELIHOOD_BANDS, band),
            "intervention_level": names(codes.INTERVENTION_LEVELS, level),
        }
    ).sort("assessment_date", "person_id", maintain_order=True)
    return {
        "people": conform(people, "people"),
        "outcomes": conform(outcomes, "outcomes"),
        "assessments": conform(assessments, "assessments"),
        "actions": conform(actions, "actions"),
        "resettlement": _resettlement(outcomes, as_at, seed),
    }


def _resettlement(outcomes: pl.DataFrame, as_at: dt.date, seed: int) -> pl.DataFrame:
    """A resettlement record for most releases from custody by ``as_at``: arrangements mostly in
    place, less often sustained. Its own random stream, so the rest of the data does not move."""
    from reoffkit.engine.schema import RESETTLEMENT_FACTORS

    custody = [t.code for t in codes.OUTCOME_TYPES if t.tier == "custody"]
    releases = outcomes.filter(pl.col("outcome_type").is_in(custody) & pl.col("release_date").is_not_null() & (pl.col("release_date") <= as_at))
    rng = np.random.default_rng(seed + 7919)
    releases = releases.filter(pl.Series(rng.random(releases.height) < 0.8))  # some never recorded
    n = releases.height
    values = {}
    for factor in RESETTLEMENT_FACTORS:
        sustained = factor.endswith("sustained")
        chances = [0.55, 0.30, 0.15] if sustained else [0.75, 0.15, 0.10]
        values[factor] = pl.Series(factor, np.array(["yes", "no", "not known"])[rng.choice(3, size=n, p=chances)], dtype=pl.String)
    frame = releases.select("person_id", "release_date").with_columns(**values)
    return conform(frame.unique(["person_id", "release_date"], keep="first", maintain_order=True), "resettlement")


def _ethnicity_detail(ethnicity: np.ndarray, seed: int) -> pl.Series:
    """A detailed category within each child's group (:data:`DETAIL_SHARES`). Its own random
    stream, so the rest of the data does not move."""
    rng = np.random.default_rng(seed + 104729)
    detail = np.full(ethnicity.size, "", dtype=object)
    for number, group in enumerate(codes.ETHNICITIES):
        mine = np.flatnonzero(ethnicity == number)
        categories, shares = DETAIL_SHARES[group]
        detail[mine] = np.array(categories, dtype=object)[rng.choice(len(categories), size=mine.size, p=shares)]
    return pl.Series("ethnicity_detail", detail, dtype=pl.String).replace("", None)


def _pnc_ids(rng: np.random.Generator, first_seen_day: np.ndarray) -> pl.Series:
    """Police National Computer ids like ``23/123456A`` (year first recorded, serial, check
    letter) for about 90%; the rest blank (no PNC record matched)."""
    n = first_seen_day.size
    year = (_ymd(first_seen_day - rng.integers(0, 400, size=n))[0] % 100) if n else np.zeros(0, np.int64)
    serial = rng.integers(0, 1_000_000, size=n)
    letter = rng.integers(0, 23, size=n)
    frame = pl.DataFrame({"year": year, "serial": serial, "letter": letter, "has": rng.random(n) < 0.9})
    letters = pl.Series(list("ABCDEFGHJKLMNPQRTUVWXYZ"), dtype=pl.String)
    return frame.select(
        pl.when(pl.col("has"))
        .then(
            pl.format(
                "{}/{}{}",
                pl.col("year").cast(pl.String).str.zfill(2),
                pl.col("serial").cast(pl.String).str.zfill(6),
                pl.lit(letters).gather(pl.col("letter")),
            )
        )
        .alias("pnc_id")
    ).to_series()
