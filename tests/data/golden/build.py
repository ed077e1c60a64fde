"""Build the golden case-level files that must reproduce published figures (DOMAIN.md §4).

Run: ``.venv/bin/python tests/data/golden/build.py`` (deterministic; the output is committed).

Each file holds exactly the published cohort, reoffenders and reoffences, plus distractors that
the counting rules must exclude. A wrong rule changes a count, so the golden test fails:

- an offence committed before the index date but proven after it;
- an offence committed the day after the 12-month follow-up ends;
- an offence proven the day after the 18-month window ends;
- breaches, charged and admitted offences, community resolutions and no further action;
- a child with only informal outcomes (no entry), a child aged 18 on the index date (no entry),
  a custodial sentence whose release falls after the period (no entry in it);
- a custodial sentence before the period released inside it (an entry at release);
- children with two qualifying disposals in one period (one entry; the second counts as a further
  offence when its offence was committed after the index date), a same-day tie, and three
  offences dealt with at one hearing.

For the old-method annual file (West Mercia 2014/15) every child has exactly one qualifying event
in the year (further offences are proven after it ends), so the figures are the same counted as
one 12-month cohort or as four aggregated quarters.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
from pathlib import Path

import polars as pl

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2] / "src"))

from reoffkit.casefile import write_case_file  # noqa: E402
from reoffkit.engine.rules import add_months  # noqa: E402

D = dt.date
DAY = dt.timedelta(days=1)


class Builder:
    def __init__(self, prefix: str, seed: int):
        self.prefix = prefix
        self.random = random.Random(seed)
        self.people: list[dict] = []
        self.outcomes: list[dict] = []

    def child(self, service: str | None, index_date: dt.date, age: int = 15) -> str:
        person_id = f"{self.prefix}{len(self.people) + 1:04d}"
        born = D(index_date.year - age, 1, 1) + dt.timedelta(days=self.random.randint(0, 300))
        if (index_date.month, index_date.day) < (born.month, born.day):
            born = born.replace(year=born.year - 1)
        self.people.append(
            {
                "person_id": person_id,
                "service": service,
                "date_of_birth": born,
                "sex": self.random.choice(["male"] * 5 + ["female"]),
                "ethnicity": self.random.choice(["White"] * 6 + ["Mixed", "Asian", "Black", "Other"]),
                "looked_after": self.random.random() < 0.12,
                "district": self.random.choice(["Central", "North", "South"]),
                "yot_caseload": self.random.random() < 0.6,
            }
        )
        return person_id

    def outcome(self, person_id, outcome_type, committed, dealt_with, released=None, breach=False, gravity=3):
        self.outcomes.append(
            {
                "outcome_id": len(self.outcomes) + 1,
                "person_id": person_id,
                "offence_date": committed,
                "outcome_date": dealt_with,
                "outcome_type": outcome_type,
                "release_date": released,
                "offence_type": self.random.choice(["theft", "criminal damage", "violence against the person", "public order", "drugs"]),
                "gravity": gravity,
                "breach": breach,
            }
        )

    def frames(self):
        people = pl.DataFrame(self.people, infer_schema_length=None)
        if people["service"].null_count() == people.height:
            people = people.drop("service")
        return {"people": people, "outcomes": pl.DataFrame(self.outcomes, infer_schema_length=None)}


def cohort(b: Builder, *, service, start, end, size, reoffenders, reoffences, single_event):
    """``size`` entries with an index date in [start, end]; ``reoffenders`` of them commit
    ``reoffences`` counted further offences between them (a few prolific)."""
    counts = [1] * reoffenders
    spare = reoffences - reoffenders
    i = 0
    while spare > 0:  # pile extra offences on the first few: prolific children
        extra = min(spare, b.random.choice([2, 3, 4, 6, 9]))
        counts[i % reoffenders] += extra
        spare -= extra
        i += 1
    span = (end - start).days
    for n in range(size):
        index_date = start + dt.timedelta(days=b.random.randint(0, span))
        tier_pick = n % 10
        child = b.child(service, index_date, age=b.random.choice([12, 13, 14, 15, 15, 16, 16, 17, 17]))
        if tier_pick == 0:  # custody: sentenced before the period (or early in it), released inside it
            b.outcome(child, "dto", index_date - dt.timedelta(days=200), index_date - dt.timedelta(days=120), released=index_date, gravity=6)
        elif tier_pick in (1, 2):
            b.outcome(child, "yro", index_date - dt.timedelta(days=40), index_date, gravity=5)
        elif tier_pick in (3, 4, 5):
            b.outcome(child, "referral_order", index_date - dt.timedelta(days=30), index_date, gravity=3)
        else:
            b.outcome(child, "youth_caution", index_date - dt.timedelta(days=10), index_date, gravity=2)
        if n % 17 == 5:  # same-day tie: a caution the same day loses to the sentence
            b.outcome(child, "youth_caution", index_date - dt.timedelta(days=12), index_date, gravity=1)
        follow_up_end = add_months(index_date, 12)
        proven_by = add_months(index_date, 18)
        # Outcomes of counted further offences: after the period for the one-event file.
        earliest_outcome = end + dt.timedelta(days=5) if single_event else None
        if n < reoffenders:
            k = counts[n]
            for j in range(k):
                if single_event:
                    committed = max(index_date + DAY, end - dt.timedelta(days=b.random.randint(0, 20)) - dt.timedelta(days=j))
                    committed = min(committed, follow_up_end)
                    dealt_with = max(earliest_outcome, committed + DAY) + dt.timedelta(days=b.random.randint(0, 30))
                    dealt_with = min(dealt_with, proven_by)
                else:
                    committed = index_date + dt.timedelta(days=1 + int(b.random.expovariate(1 / 80)) % 360)
                    dealt_with = min(committed + dt.timedelta(days=b.random.randint(5, 120)), proven_by)
                b.outcome(child, b.random.choice(["referral_order", "youth_caution", "fine", "yro"]), committed, dealt_with)
            if n % 7 == 3 and k >= 3 and not single_event:
                # three offences dealt with at one hearing: move the last three to one date
                shared = max(o["outcome_date"] for o in b.outcomes[-3:])
                for o in b.outcomes[-3:]:
                    o["outcome_date"] = shared
        else:
            # Distractors that must not count for a non-reoffender.
            kind = n % 6
            if kind == 0:  # committed before the index date, proven after it
                late = index_date + dt.timedelta(days=20) if not single_event else end + dt.timedelta(days=10)
                b.outcome(child, "fine", index_date - dt.timedelta(days=5), late)
            elif kind == 1:  # committed the day after follow-up ends
                b.outcome(child, "fine", follow_up_end + DAY, follow_up_end + dt.timedelta(days=30))
            elif kind == 2:  # committed in time, proven the day after the 18-month window
                b.outcome(child, "referral_order", follow_up_end - dt.timedelta(days=10), proven_by + DAY)
            elif kind == 3:  # a breach
                b.outcome(child, "referral_order", index_date + dt.timedelta(days=30), index_date + dt.timedelta(days=45), breach=True)
            elif kind == 4:  # charged and admitted, not proven
                b.outcome(child, "charged", index_date + dt.timedelta(days=60), None)
                b.outcome(child, "admitted", index_date + dt.timedelta(days=61), None)
            else:  # informal outcomes
                b.outcome(child, "community_resolution", index_date + dt.timedelta(days=20), index_date + dt.timedelta(days=25))
    # Children who must not enter this cohort at all.
    middle = start + dt.timedelta(days=span // 2)
    informal = b.child(service, middle)
    b.outcome(informal, "community_resolution", middle - dt.timedelta(days=5), middle)
    b.outcome(informal, "no_further_action", middle, middle + dt.timedelta(days=3))
    adult = b.child(service, middle, age=18)
    b.outcome(adult, "youth_caution", middle - dt.timedelta(days=5), middle)
    in_custody = b.child(service, middle)
    b.outcome(in_custody, "dto", middle - dt.timedelta(days=30), middle, released=end + dt.timedelta(days=40))


def two_disposals(b: Builder, start: dt.date):
    """A child with a caution then a referral order in the same quarter (built into Leicester
    files): one entry, and the referral order's offence (after the caution) is a further offence.
    Returned as (entries, reoffenders, reoffences) it adds."""
    child = b.child(None, start + dt.timedelta(days=10))
    b.outcome(child, "youth_caution", start, start + dt.timedelta(days=10))
    b.outcome(child, "referral_order", start + dt.timedelta(days=20), start + dt.timedelta(days=50))
    return 1, 1, 1


def build_leicester(path: Path, *, start: dt.date, size: int, reoffenders: int, reoffences: int, seed: int):
    b = Builder("L", seed)
    extra = two_disposals(b, start)
    cohort(
        b,
        service=None,
        start=start,
        end=add_months(start, 3) - DAY,
        size=size - extra[0],
        reoffenders=reoffenders - extra[1],
        reoffences=reoffences - extra[2],
        single_event=False,
    )
    write_case_file(b.frames(), path)


WEST_MERCIA = {
    "Herefordshire": (157, 64, 222),
    "Shropshire": (179, 61, 183),
    "Telford and Wrekin": (142, 57, 182),
    "Worcestershire": (339, 102, 404),
}


def build_west_mercia(path: Path):
    b = Builder("W", 2015)
    for service, (size, reoffenders, reoffences) in WEST_MERCIA.items():
        cohort(b, service=service, start=D(2014, 4, 1), end=D(2015, 3, 31), size=size, reoffenders=reoffenders, reoffences=reoffences, single_event=True)
    write_case_file(b.frames(), path)


if __name__ == "__main__":
    build_leicester(HERE / "leicester-2016q4", start=D(2016, 10, 1), size=65, reoffenders=29, reoffences=105, seed=2016)
    build_leicester(HERE / "leicester-2015q4", start=D(2015, 10, 1), size=84, reoffenders=34, reoffences=102, seed=2015)
    build_west_mercia(HERE / "west-mercia-2014-15")
    print("golden files written")
