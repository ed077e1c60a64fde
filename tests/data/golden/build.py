"""Build the golden case-level files that must reproduce published figures (docs/rules.md §6).

Run: ``.venv/bin/python tests/data/golden/build.py`` — deterministic; its output (the case-file
folders, ``distractors.csv`` and ``README.md``) is committed.

=====================  ==============================  ==========================================
folder                 period                          cohort / reoffenders / reoffences
=====================  ==============================  ==========================================
leicester-2016q4       2016Q4                          65 / 29 / 105  (44.6%, 1.62, 3.62)
leicester-2015q4       2015Q4                          84 / 34 / 102  (40.5%, 1.21, 3.00)
west-mercia-2014-15    1 Apr 2014 – 31 Mar 2015,       Herefordshire 157/64/222, Shropshire 179/61/183,
                       old method (one entry per       Telford and Wrekin 142/57/182, Worcestershire
                       child for the 12 months)        339/102/404 → 817/284/991 (34.8%, 3.49)
=====================  ==============================  ==========================================

Each file is a realistic cohort — mostly 15–17-year-old boys, pre-court outcomes the most common and
custody rare, several offences often dealt with at one hearing, reoffending mostly early in
follow-up and concentrated in a few prolific children — built so that only the official rules
(docs/rules.md §1–§5) give the published counts. Every rule is exercised by a named case, recorded in
``distractors.csv`` with what the rules must do with it (``tests/unit/test_golden.py`` checks each):

Who enters (``expect`` = ``entry`` / ``no entry``)
  - custody sentenced before the period and released inside it: an entry at release;
  - custody sentenced inside the period and released after it: no entry;
  - only a community resolution and no further action: no entry;
  - a breach of an earlier order and nothing else: no entry;
  - aged 18 on the index date (turned 18 the week before): no entry;
  - dealt with the day before the period starts, or the day after it ends: no entry.
Which event is the index (``expect`` = ``index``)
  - a same-day tie: a youth rehabilitation order and a youth caution on one day → the order;
    a release from custody and a fine on one day → the release;
  - two qualifying disposals in one quarter: one entry at the first (Leicester files only).
Which offences count (``expect`` = ``counted`` / ``not counted``)
  - the later of two disposals in the quarter, for an offence committed after the index date:
    counted (and, committed before the index date: not counted);
  - committed before the index date but proven after it; committed on the index date itself;
  - committed the day after 12 months; committed in time but proven the day after 18 months;
  - committed on the last day of the 12 months and proven on the last day of the 18: counted;
  - a breach; charged and admitted offences never proven; a community resolution and no
    further action during follow-up; other offences dealt with at the index hearing;
  - three offences dealt with at one hearing: three counted;
  - an offence after the 18th birthday, within follow-up: counted.

For the old-method annual file (West Mercia 2014/15) every child has exactly one qualifying event in
the year (further offences committed in the year are proven after it ends; no ties, no second
disposals), so the figures are the same counted as one 12-month cohort or as four aggregated quarters.
"""

from __future__ import annotations

import csv
import datetime as dt
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2] / "src"))

from reoffkit.casefile import write_case_file  # noqa: E402
from reoffkit.engine.rules import add_months  # noqa: E402

D = dt.date
DAY = dt.timedelta(days=1)


def days(n: int) -> dt.timedelta:
    return dt.timedelta(days=int(n))


@dataclass(frozen=True)
class Distractor:
    folder: str
    case: str
    person_id: str
    outcome_id: int | None
    expect: str  # entry, no entry, index, counted, not counted
    why: str


TIER_TYPES = {
    "pre_court": (["youth_caution", "youth_conditional_caution"], [0.75, 0.25]),
    "first_tier": (["referral_order", "fine", "conditional_discharge", "reparation_order"], [0.7, 0.12, 0.12, 0.06]),
    "community": (["yro", "yro_iss"], [0.85, 0.15]),
    "custody": (["dto"], [1.0]),
}
GRAVITY = {"pre_court": 2, "first_tier": 3, "community": 4, "custody": 6}
OFFENCE_TYPES = ["theft", "criminal damage", "violence against the person", "public order", "drugs", "robbery", "burglary", "motoring"]


class Builder:
    """People and outcomes of one golden file, and the named cases it carries."""

    def __init__(self, folder: str, prefix: str, seed: int, districts: list[str]):
        self.folder = folder
        self.prefix = prefix
        self.rng = np.random.default_rng(seed)
        self.districts = districts
        self.people: list[dict] = []
        self.outcomes: list[dict] = []
        self.distractors: list[Distractor] = []

    def pick(self, options, p=None):
        return options[int(self.rng.choice(len(options), p=p))]

    def child(self, service: str | None, index_date: dt.date, age: int) -> str:
        """A child aged exactly ``age`` on ``index_date`` (and at least 10 at any offence we record)."""
        person_id = f"{self.prefix}{len(self.people) + 1:04d}"
        birthday = add_months(index_date, -12 * age)
        born = birthday - days(self.rng.integers(150 if age <= 11 else 0, 365))
        self.people.append(
            {
                "person_id": person_id,
                "pnc_id": f"{(born.year + 13) % 100:02d}/{self.rng.integers(0, 1_000_000):06d}{'ABCDEFGHJKLMNPQRTUVWXYZ'[self.rng.integers(0, 23)]}"
                if self.rng.random() < 0.9
                else None,
                "service": service,
                "date_of_birth": born,
                "sex": self.pick(["male", "female"], [0.85, 0.15]),
                "ethnicity": self.pick(["White", "Mixed", "Asian", "Black", "Other", "Not known"], [0.7, 0.07, 0.12, 0.06, 0.02, 0.03]),
                "looked_after": bool(self.rng.random() < 0.12),
                "district": self.pick(self.districts),
                "yot_caseload": bool(self.rng.random() < 0.65),
            }
        )
        return person_id

    def outcome(self, person_id, outcome_type, committed, dealt_with, released=None, breach=False, gravity=None) -> int:
        outcome_id = len(self.outcomes) + 1
        tier = next((t for t, (types, _) in TIER_TYPES.items() if outcome_type in types), None)
        self.outcomes.append(
            {
                "outcome_id": outcome_id,
                "person_id": person_id,
                "offence_date": committed,
                "outcome_date": dealt_with,
                "outcome_type": outcome_type,
                "release_date": released,
                "offence_type": self.pick(OFFENCE_TYPES),
                "gravity": gravity if gravity is not None else int(np.clip(GRAVITY.get(tier, 2) + self.rng.integers(-1, 2), 1, 8)),
                "breach": breach,
            }
        )
        return outcome_id

    def note(self, case: str, person_id: str, outcome_id: int | None, expect: str, why: str) -> None:
        self.distractors.append(Distractor(self.folder, case, person_id, outcome_id, expect, why))

    def frames(self) -> dict[str, pl.DataFrame]:
        people = pl.DataFrame(self.people, infer_schema_length=None)
        if people["service"].null_count() == people.height:
            people = people.drop("service")
        return {"people": people, "outcomes": pl.DataFrame(self.outcomes, infer_schema_length=None)}


def spread(rng: np.random.Generator, total: int, people: int, cap: int = 20) -> list[int]:
    """Further offences per reoffender adding up to ``total``: many with one or two, a few
    prolific (5+) with much of the total — a negative binomial nudged to the exact sum."""
    if people == 0:
        assert total == 0
        return []
    extra_mean = total / people - 1
    counts = np.minimum(1 + rng.negative_binomial(0.7, 0.7 / (0.7 + extra_mean), size=people), cap)
    while counts.sum() != total:
        if counts.sum() < total:
            weights = np.where(counts < cap, counts, 0).astype(float)
            counts[rng.choice(people, p=weights / weights.sum())] += 1
        else:
            weights = np.where(counts > 1, counts - 1, 0).astype(float)
            counts[rng.choice(people, p=weights / weights.sum())] -= 1
    return sorted(counts.tolist(), reverse=True)


class Cohort:
    """One service's cohort for one period: the published counts, made of named special cases,
    ordinary children and the distractors attached to them."""

    def __init__(self, b: Builder, *, service: str | None, start: dt.date, end: dt.date, single_event: bool):
        self.b = b
        self.service = service
        self.start = start
        self.end = end
        self.single_event = single_event
        self.entries = self.reoffenders = self.reoffences = 0

    # -- helpers ---------------------------------------------------------------------------------
    def index_date(self) -> dt.date:
        return self.start + days(self.b.rng.integers(0, (self.end - self.start).days + 1))

    def age(self) -> int:
        return int(self.b.rng.choice(np.arange(10, 18), p=[0.02, 0.04, 0.07, 0.11, 0.15, 0.19, 0.21, 0.21]))

    def member(self, index_date: dt.date, tier: str, age: int | None = None, note: str | None = None) -> tuple[str, int]:
        """A cohort member with one index disposal of ``tier`` (custody: released on the index
        date); sometimes other offences are dealt with at the same hearing."""
        b = self.b
        age = age if age is not None else (max(self.age(), 14) if tier == "custody" else self.age())
        child = b.child(self.service, index_date, age)
        outcome_type = b.pick(*TIER_TYPES[tier])
        if tier == "custody":
            sentenced = index_date - days(b.rng.integers(90, 240))
            committed = sentenced - days(b.rng.integers(10, 60))
            index_id = b.outcome(child, outcome_type, committed, sentenced, released=index_date)
        else:
            sentenced = index_date
            committed = index_date - days(b.rng.integers(5, 60))
            index_id = b.outcome(child, outcome_type, committed, sentenced)
        if tier != "pre_court" and b.rng.random() < 0.35:  # other offences at the index hearing
            for _ in range(int(b.rng.integers(1, 3))):
                other = b.outcome(child, outcome_type, committed - days(b.rng.integers(1, 40)), sentenced, released=index_date if tier == "custody" else None)
                if b.rng.random() < 0.15:
                    b.note("dealt with at the index hearing", child, other, "not counted", "committed before the index date")
        if note:
            b.note(note, child, index_id, "index", "the first qualifying event in the period")
        self.entries += 1
        return child, index_id

    def dealt_with(self, committed: dt.date, index_date: dt.date) -> dt.date:
        """When a further offence is proven: weeks to months later; within 18 months of the index
        date; in the one-event file never inside the year (it would be a second qualifying event)."""
        proven = committed + days(5 + self.b.rng.gamma(2.0, 25.0))
        if self.single_event and proven <= self.end:
            proven = self.end + days(self.b.rng.integers(1, 60))
        return min(proven, add_months(index_date, 18))

    def further(self, child: str, index_date: dt.date, count: int, note: str | None = None) -> list[int]:
        """``count`` counted further offences: the first usually soon after entry, the rest
        spread through the 12 months; offences close together dealt with at one hearing."""
        b = self.b
        end = add_months(index_date, 12)
        first = min(1 + int(b.rng.exponential(110)), (end - index_date).days)
        gaps = [first] + sorted(first + int(b.rng.random() ** 1.5 * ((end - index_date).days - first)) for _ in range(count - 1))
        committed = [index_date + days(g) for g in gaps]
        ids = []
        i = 0
        while i < count:
            hearing = [committed[i]]
            while i + len(hearing) < count and (committed[i + len(hearing)] - hearing[-1]).days <= 30 and b.rng.random() < 0.6:
                hearing.append(committed[i + len(hearing)])
            proven = self.dealt_with(max(hearing), index_date)
            tier = b.pick(["pre_court", "first_tier", "community", "custody"], [0.2, 0.5, 0.25, 0.05])
            outcome_type = b.pick(*TIER_TYPES[tier])
            released = proven + days(b.rng.integers(60, 200)) if tier == "custody" else None
            for day in hearing:
                ids.append(b.outcome(child, outcome_type, day, proven, released=released))
            i += len(hearing)
        if note:
            for outcome_id in ids:
                b.note(note, child, outcome_id, "counted", "proven, committed in the 12 months, proven in the 18")
        self.reoffenders += 1
        self.reoffences += count
        return ids

    # -- the named cases -------------------------------------------------------------------------
    def special_members(self) -> None:
        b = self.b
        # Custody sentenced before the period, released inside it: enters at release.
        released = self.start + days(b.rng.integers(10, 40))
        child, index_id = self.member(released, "custody", age=16)  # sentenced 90–240 days before release
        b.note("custody sentenced before the period, released in it", child, index_id, "index", "a custodial sentence enters the cohort at release")
        self.further(child, released, 2)

        # Three offences dealt with at one hearing: three further offences.
        index_date = self.index_date()
        child, _ = self.member(index_date, "first_tier", age=15)
        proven = self.dealt_with(index_date + days(75), index_date)
        for committed in (index_date + days(20), index_date + days(41), index_date + days(63)):
            outcome_id = b.outcome(child, "yro", committed, proven)
            b.note("three offences dealt with at one hearing", child, outcome_id, "counted", "every proven offence counts once, not once per hearing")
        self.reoffenders += 1
        self.reoffences += 3

        # The last day of both windows is inside them.
        index_date = self.index_date()
        child, _ = self.member(index_date, "pre_court", age=14)
        outcome_id = b.outcome(child, "referral_order", add_months(index_date, 12), add_months(index_date, 18))
        b.note("committed on the last day of 12 months, proven on the last day of 18", child, outcome_id, "counted", "both windows include their last day")
        self.reoffenders += 1
        self.reoffences += 1

        # Turning 18 in follow-up: offences as an adult still count.
        index_date = self.index_date()
        child, _ = self.member(index_date, "community", age=17)
        born = b.people[-1]["date_of_birth"]
        adult = max(add_months(born, 12 * 18) + days(10), index_date + days(1))
        if adult <= add_months(index_date, 12):
            outcome_id = b.outcome(child, "fine", adult, self.dealt_with(adult, index_date))
            b.note("offence after the 18th birthday, within follow-up", child, outcome_id, "counted", "offending after 18 still counts (get it from the police)")
            self.reoffenders += 1
            self.reoffences += 1

        if self.single_event:
            return
        # Same-day ties: the more serious disposal is the index event.
        index_date = self.index_date()
        child, index_id = self.member(index_date, "community", age=16)
        b.outcomes[index_id - 1]["outcome_type"] = "yro"
        b.note("same-day tie: youth rehabilitation order and youth caution", child, index_id, "index", "community sentence > pre-court caution")
        b.outcome(child, "youth_caution", index_date - days(3), index_date)
        index_date = self.index_date()
        child, index_id = self.member(index_date, "custody", age=17)
        b.note("same-day tie: release from custody and a fine", child, index_id, "index", "custody release > first-tier sentence")
        b.outcome(child, "fine", index_date - days(300), index_date)

        # Two qualifying disposals in the quarter: one entry, at the first.
        index_date = self.start + days(b.rng.integers(0, 20))
        child, index_id = self.member(index_date, "pre_court", age=15)
        b.note("two disposals in the quarter (first)", child, index_id, "index", "one entry per child per quarter, at the first event")
        committed = index_date + days(12)
        later = b.outcome(child, "referral_order", committed, committed + days(30))
        b.note("two disposals in the quarter (second, offence after the index date)", child, later, "counted", "a later disposal's offence committed after the index date is a further offence")
        self.reoffenders += 1
        self.reoffences += 1
        index_date = self.start + days(b.rng.integers(0, 20))
        child, index_id = self.member(index_date, "pre_court", age=16)
        b.note("two disposals in the quarter (first)", child, index_id, "index", "one entry per child per quarter, at the first event")
        later = b.outcome(child, "referral_order", index_date - days(20), index_date + days(40))
        b.note("two disposals in the quarter (second, offence before the index date)", child, later, "not counted", "committed before the index date")

    DISTRACTORS = (
        "committed before the index date, proven after",
        "committed on the index date",
        "committed the day after 12 months",
        "proven the day after 18 months",
        "breach",
        "charged and admitted, never proven",
        "community resolution and no further action in follow-up",
    )

    def distractor(self, kind: str, child: str, index_date: dt.date) -> None:
        """Something on the record that the rules must not count for this entry."""
        b = self.b
        end, proven_by = add_months(index_date, 12), add_months(index_date, 18)
        if kind == "committed before the index date, proven after":
            committed = index_date - days(b.rng.integers(3, 30))
            proven = max(index_date + days(b.rng.integers(15, 60)), self.end + DAY if self.single_event else index_date)
            ids = [b.outcome(child, "fine", committed, proven)]
            why = "offences committed before the index date never count"
        elif kind == "committed on the index date":
            proven = self.end + days(20) if self.single_event else index_date + days(35)
            ids = [b.outcome(child, "conditional_discharge", index_date, proven)]
            why = "a further offence is committed strictly after the index date"
        elif kind == "committed the day after 12 months":
            ids = [b.outcome(child, "referral_order", end + DAY, end + days(30))]
            why = "follow-up is the 12 months after the index date"
        elif kind == "proven the day after 18 months":
            ids = [b.outcome(child, "referral_order", end - days(b.rng.integers(5, 40)), proven_by + DAY)]
            why = "an offence must be proven within 18 months of the index date"
        elif kind == "breach":
            committed = index_date + days(b.rng.integers(20, 200))
            ids = [b.outcome(child, "yro", committed, committed + days(14), breach=True)]
            why = "a breach of an order is not a new offence (default setting)"
        elif kind == "charged and admitted, never proven":
            committed = index_date + days(b.rng.integers(20, 200))
            ids = [b.outcome(child, "charged", committed, None), b.outcome(child, "admitted", committed + days(9), None)]
            why = "only proven offences count (default setting)"
        else:
            committed = index_date + days(b.rng.integers(20, 200))
            ids = [
                b.outcome(child, "community_resolution", committed, committed + days(7)),
                b.outcome(child, "no_further_action", committed + days(30), committed + days(40)),
            ]
            why = "informal outcomes are not proven offences"
        for outcome_id in ids:
            b.note(kind, child, outcome_id, "not counted", why)

    def non_members(self) -> None:
        """Children on the record who must not be in this period's cohort."""
        b = self.b
        middle = self.start + (self.end - self.start) // 2
        child = b.child(self.service, middle, 15)
        b.outcome(child, "community_resolution", middle - days(6), middle)
        b.outcome(child, "no_further_action", middle + days(20), middle + days(26))
        b.note("only a community resolution and no further action", child, None, "no entry", "informal outcomes do not enter the cohort")
        child = b.child(self.service, middle, 18)
        b.people[-1]["date_of_birth"] = add_months(middle, -12 * 18) - days(7)
        b.outcome(child, "youth_caution", middle - days(12), middle)
        b.note("aged 18 on the index date", child, None, "no entry", "the cohort is aged 10–17 on the index date")
        child = b.child(self.service, middle, 16)
        b.outcome(child, "dto", middle - days(30), middle, released=self.end + days(40))
        b.note("custody sentenced in the period, released after it", child, None, "no entry", "custody enters at release, not at sentence")
        child = b.child(self.service, self.start, 15)
        b.outcome(child, "referral_order", self.start - days(40), self.start - DAY)
        b.note("dealt with the day before the period", child, None, "no entry", "the index date must fall in the period")
        child = b.child(self.service, self.end, 16)
        b.outcome(child, "youth_caution", self.end - days(20), self.end + DAY)
        b.note("dealt with the day after the period", child, None, "no entry", "the index date must fall in the period")
        child = b.child(self.service, middle, 16)
        b.outcome(child, "referral_order", self.start - days(200), self.start - days(150))
        b.outcome(child, "referral_order", middle - days(10), middle, breach=True)
        b.note("a breach in the period and nothing else", child, None, "no entry", "a breach is not a qualifying event")

    def build(self, *, size: int, reoffenders: int, reoffences: int) -> None:
        b = self.b
        self.special_members()
        ordinary = size - self.entries
        counts = spread(b.rng, reoffences - self.reoffences, reoffenders - self.reoffenders)
        counts = counts + [0] * (ordinary - len(counts))
        b.rng.shuffle(counts)
        for n, count in enumerate(counts):
            tier = b.pick(["pre_court", "first_tier", "community", "custody"], [0.46, 0.36, 0.14, 0.04])
            index_date = self.index_date()
            child, _ = self.member(index_date, tier)
            if count:
                self.further(child, index_date, count)
            # Distractors: every kind on some non-reoffenders (where a wrong rule would make a
            # reoffender) and some reoffenders (where it would inflate the count).
            if n % 3 == 0 or (count == 0 and n % 3 == 1):
                self.distractor(self.DISTRACTORS[n % len(self.DISTRACTORS)], child, index_date)
        self.non_members()
        assert (self.entries, self.reoffenders, self.reoffences) == (size, reoffenders, reoffences)


def build_leicester(folder: str, *, start: dt.date, size: int, reoffenders: int, reoffences: int, seed: int) -> list[Distractor]:
    b = Builder(folder, "L", seed, ["Beaumont Leys", "Braunstone", "Highfields", "Belgrave", "Eyres Monsell"])
    Cohort(b, service=None, start=start, end=add_months(start, 3) - DAY, single_event=False).build(
        size=size, reoffenders=reoffenders, reoffences=reoffences
    )
    write_case_file(b.frames(), HERE / folder)
    return b.distractors


WEST_MERCIA = {
    "Herefordshire": (157, 64, 222),
    "Shropshire": (179, 61, 183),
    "Telford and Wrekin": (142, 57, 182),
    "Worcestershire": (339, 102, 404),
}


def build_west_mercia(folder: str) -> list[Distractor]:
    b = Builder(folder, "W", 2015, ["North", "South", "East", "West", "Central"])
    for service, (size, reoffenders, reoffences) in WEST_MERCIA.items():
        Cohort(b, service=service, start=D(2014, 4, 1), end=D(2015, 3, 31), single_event=True).build(
            size=size, reoffenders=reoffenders, reoffences=reoffences
        )
    write_case_file(b.frames(), HERE / folder)
    return b.distractors


def write_notes(distractors: list[Distractor]) -> None:
    with open(HERE / "distractors.csv", "w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["folder", "case", "person_id", "outcome_id", "expect", "why"])
        for d in distractors:
            writer.writerow([d.folder, d.case, d.person_id, d.outcome_id or "", d.expect, d.why])
    lines = [
        "# Golden case files",
        "",
        "Built by `build.py` (run `.venv/bin/python tests/data/golden/build.py`; deterministic) and checked by",
        "`tests/unit/test_golden.py`. Fictional children whose figures under the official rules (docs/rules.md §1–§5)",
        "are exactly the published ones (docs/rules.md §6):",
        "",
        "| folder | period | cohort | reoffenders | reoffences | binary | per cohort member | per reoffender |",
        "|---|---|---|---|---|---|---|---|",
        "| `leicester-2016q4` | 2016Q4 | 65 | 29 | 105 | 44.6% | 1.62 | 3.62 |",
        "| `leicester-2015q4` | 2015Q4 | 84 | 34 | 102 | 40.5% | 1.21 | 3.00 |",
        "| `west-mercia-2014-15` | Apr 2014 – Mar 2015, old method (`service` column: four areas) | 817 | 284 | 991 | 34.8% | 1.21 | 3.49 |",
        "",
        "West Mercia by area: Herefordshire 157 / 64 / 222 (40.8%, 3.47), Shropshire 179 / 61 / 183 (34.1%, 3.00),",
        "Telford and Wrekin 142 / 57 / 182 (40.1%, 3.19), Worcestershire 339 / 102 / 404 (30.1%, 3.96). Every child",
        "there has exactly one qualifying event in the year, so four aggregated quarters give the same figures.",
        "",
        "## The cases that test the rules",
        "",
        "`distractors.csv` lists every named case with what the rules must do with it — `entry` / `no entry`",
        "(is the child in the period's cohort), `index` (this outcome is the entry's index event), `counted` /",
        "`not counted` (this offence is / is not a further offence of the entry). The test checks every row.",
        "Counts per file:",
        "",
        "| case | expect | why | " + " | ".join(f"`{f}`" for f in ("leicester-2016q4", "leicester-2015q4", "west-mercia-2014-15")) + " |",
        "|---|---|---|---|---|---|",
    ]
    cases: dict[tuple[str, str, str], dict[str, int]] = {}
    for d in distractors:
        cases.setdefault((d.case, d.expect, d.why), {}).setdefault(d.folder, 0)
        cases[(d.case, d.expect, d.why)][d.folder] += 1
    for (case, expect, why), per_folder in cases.items():
        counts = [str(per_folder.get(f, "–")) for f in ("leicester-2016q4", "leicester-2015q4", "west-mercia-2014-15")]
        lines.append(f"| {case} | {expect} | {why} | " + " | ".join(counts) + " |")
    lines += [
        "",
        "Reoffending is spread as in real cohorts: many reoffenders with one or two further offences, a few",
        "prolific children (5+) with much of the total, most first further offences in the first months.",
        "",
    ]
    (HERE / "README.md").write_text("\n".join(lines))


if __name__ == "__main__":
    notes = build_leicester("leicester-2016q4", start=D(2016, 10, 1), size=65, reoffenders=29, reoffences=105, seed=2016)
    notes += build_leicester("leicester-2015q4", start=D(2015, 10, 1), size=84, reoffenders=34, reoffences=102, seed=2015)
    notes += build_west_mercia("west-mercia-2014-15")
    write_notes(notes)
    print(f"golden files written; {len(notes)} named cases in distractors.csv")
