"""A tiny builder for engine tests: children and their outcomes as frames, by name and date."""

from __future__ import annotations

import datetime as dt
import itertools

import polars as pl

from reoffkit.engine import CountingRules, Period, entry_table, measures
from reoffkit.engine.schema import conform

D = dt.date
FINAL = D(2030, 1, 1)  # an as-at date long after every follow-up in these tests


class Universe:
    def __init__(self) -> None:
        self.people: list[dict] = []
        self.outcomes: list[dict] = []
        self.assessments: list[dict] = []
        self.actions: list[dict] = []
        self._ids = itertools.count(1)

    def child(self, person_id: str, born: dt.date, **details) -> str:
        self.people.append({"person_id": person_id, "date_of_birth": born, **details})
        return person_id

    def outcome(
        self,
        person_id: str,
        outcome_type: str,
        *,
        committed: dt.date,
        dealt_with: dt.date | None,
        released: dt.date | None = None,
        breach: bool = False,
        gravity: int = 3,
        recorded_on: dt.date | None = None,
    ) -> int:
        outcome_id = next(self._ids)
        self.outcomes.append(
            {
                "outcome_id": outcome_id,
                "person_id": person_id,
                "offence_date": committed,
                "outcome_date": dealt_with,
                "outcome_type": outcome_type,
                "release_date": released,
                "breach": breach,
                "gravity": gravity,
                "recorded_on": recorded_on,
            }
        )
        return outcome_id

    def assessment(self, person_id: str, on: dt.date, band: str, level: str, score: float | None = None) -> None:
        self.assessments.append(
            {"person_id": person_id, "assessment_date": on, "tool": "assetplus", "score": score, "likelihood_band": band, "intervention_level": level}
        )

    def action(self, person_id: str, raised_on: dt.date, status: str, *, due_on: dt.date | None = None, action: str = "review") -> None:
        self.actions.append(
            {"person_id": person_id, "raised_on": raised_on, "trigger": "further_offence", "action": action, "status": status, "due_on": due_on}
        )

    def actions_frame(self) -> pl.DataFrame:
        return conform(pl.DataFrame(self.actions, infer_schema_length=None), "actions")

    def frames(self) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
        return (
            conform(pl.DataFrame(self.people, infer_schema_length=None), "people"),
            conform(pl.DataFrame(self.outcomes, infer_schema_length=None), "outcomes"),
            conform(pl.DataFrame(self.assessments, infer_schema_length=None), "assessments"),
        )

    def entries(self, period: str = "2016Q4", quarters: int = 1, *, as_at: dt.date = FINAL, method: str = "aggregated_quarters", **rules) -> pl.DataFrame:
        people, outcomes, assessments = self.frames()
        return entry_table(
            people, outcomes, assessments, period=Period.parse(period, quarters, method), rules=CountingRules(**rules), as_at=as_at
        )

    def measures(self, period: str = "2016Q4", quarters: int = 1, *, as_at: dt.date = FINAL, method: str = "aggregated_quarters", **rules):
        entries = self.entries(period, quarters, as_at=as_at, method=method, **rules)
        return measures(entries, period=Period.parse(period, quarters, method), rules=CountingRules(**rules), as_at=as_at)


def further_offences_of(entries: pl.DataFrame, person_id: str) -> list[int]:
    """Further-offence counts of a child's entries, in quarter order."""
    return entries.filter(pl.col("person_id") == person_id).sort("entry_quarter")["further_offences"].to_list()
