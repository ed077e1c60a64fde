"""The small service the disproportionality tests work by hand (see ``service()``'s table)."""

from __future__ import annotations

import datetime as dt

from engine_universe import D, FINAL, Universe
from reoffkit.engine import CountingRules, Period, entry_table
from reoffkit.engine.disproportionality import Population, disproportionality

Q4 = Period.parse("2016Q4")
RULES = CountingRules()
POPULATION = Population({"White": 6000, "Mixed": 400, "Asian": 500, "Black": 1000, "Other": 100}, label="Testshire, 2021 Census")
BORN = D(2001, 6, 1)  # 15 in 2016


def _reoffend(u: Universe, pid: str, index_on, offences: int, early: bool) -> None:
    """``offences`` further offences, the first 20 days after the index date if ``early`` (within
    3 months), else 120 days after; each later one 20 days after the one before."""
    first = 20 if early else 120
    for k in range(offences):
        committed = index_on + dt.timedelta(days=first + 20 * k)
        u.outcome(pid, "youth_caution", committed=committed, dealt_with=committed + dt.timedelta(days=30))


def service(*, scheme: str | None = None, black_group: str = "Black") -> Universe:
    """Children entering the cohort in October–December 2016:

    ============ ===== ========= ========== ========= ======= ========== ============= ====== ========
    group        all   pre-court first-tier community custody reoffended further off.  early  prolific
    ============ ===== ========= ========== ========= ======= ========== ============= ====== ========
    White        60    40        12         6         2       15         12×1+3×5 = 27 6      3
    Black        30    10        10         6         4       12         10×1+2×5 = 20 6      2
    Asian        3     3         –          –         –       –          –             –      –
    Not known    6     6         –          –         –       2          2             –      –
    ============ ===== ========= ========== ========= ======= ========== ============= ====== ========

    Ten of the White children on pre-court disposals had a caution in February 2016 (so they are
    not first-time entrants); custody children were sentenced in August and released in November
    (first caution or conviction in August: not first-time entrants in the quarter either).
    """
    u = Universe()
    index_on = D(2016, 10, 10)
    released_on = D(2016, 11, 1)

    def children(group: str, prefix: str, tiers: dict[str, int], reoffending: list[tuple[int, bool]]):
        number = 0
        pids = []
        for tier, count in tiers.items():
            for _ in range(count):
                number += 1
                pid = u.child(f"{prefix}{number:02d}", BORN, ethnicity=group, **({"ethnicity_scheme": scheme} if scheme else {}))
                pids.append(pid)
                if tier == "custody":
                    u.outcome(pid, "dto", committed=D(2016, 7, 1), dealt_with=D(2016, 8, 1), released=released_on)
                else:
                    code = {"pre_court": "youth_caution", "first_tier": "referral_order", "community": "yro"}[tier]
                    u.outcome(pid, code, committed=D(2016, 10, 1), dealt_with=index_on)
        for pid, (offences, early) in zip(pids, reoffending):  # reoffenders come first: never in custody
            _reoffend(u, pid, index_on, offences, early)
        return pids

    # White: reoffenders are the first 15 (all pre-court): 3 prolific (early), 3 single early, 9 single late
    white = children("White", "W", {"pre_court": 40, "first_tier": 12, "community": 6, "custody": 2}, [(5, True)] * 3 + [(1, True)] * 3 + [(1, False)] * 9)
    for pid in white[30:40]:  # ten pre-court children with an earlier caution
        u.outcome(pid, "youth_caution", committed=D(2016, 1, 15), dealt_with=D(2016, 2, 1))
    # Black: the first 12 (10 pre-court, 2 first-tier): 2 prolific (early), 4 single early, 6 single late
    children(black_group, "B", {"pre_court": 10, "first_tier": 10, "community": 6, "custody": 4}, [(5, True)] * 2 + [(1, True)] * 4 + [(1, False)] * 6)
    children("Asian", "A", {"pre_court": 3}, [])
    children(None, "N", {"pre_court": 6}, [(1, False)] * 2)  # ethnicity not known
    return u


def run(u: Universe, population: Population | None = POPULATION, *, rules: CountingRules = RULES, as_at=FINAL, period: Period = Q4, **options):
    people, outcomes, assessments = u.frames()
    entries = entry_table(people, outcomes, assessments, period=period, rules=rules, as_at=as_at)
    return disproportionality(entries, people, outcomes, population, period=period, rules=rules, as_at=as_at, **options)
