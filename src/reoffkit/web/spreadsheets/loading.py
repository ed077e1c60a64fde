"""Load engine frames (a case file) into a service through the actions, so every record is
validated and audited exactly as if it had been typed in."""

from __future__ import annotations

from typing import Callable

import polars as pl
from django.core.exceptions import ValidationError
from django.db import transaction

from reoffkit.engine import codes
from reoffkit.web.tracker import actions
from reoffkit.web.tracker.models import Service, YoungPerson


@transaction.atomic
def load_case_frames(
    *,
    by,
    service: Service,
    frames: dict[str, pl.DataFrame],
    name_for: Callable[[str], tuple[str, str]],
    owner_for: Callable[[str | None], object] | None = None,
) -> dict[str, YoungPerson]:
    """Create the young people, outcomes, assessments and review actions of ``frames``.

    ``name_for(person_id)`` gives a (first, last) name — case files carry no names; ``owner_for``
    maps an action's owner text to a user. All or nothing: one transaction.
    """
    districts = {d.name: d for d in service.districts.all()}
    people: dict[str, YoungPerson] = {}
    for row in frames["people"].iter_rows(named=True):
        district = row["district"]
        if district and district not in districts:
            districts[district] = actions.add_district(by=by, service=service, name=district)
        first, last = name_for(row["person_id"])
        people[row["person_id"]] = actions.create_young_person(
            by=by,
            service=service,
            local_id=row["person_id"],
            pnc_id=row["pnc_id"] or "",
            first_name=first,
            last_name=last,
            date_of_birth=row["date_of_birth"],
            sex=row["sex"] or "not known",
            ethnicity=row["ethnicity"] or "Not known",
            ethnicity_scheme=row.get("ethnicity_scheme") or codes.DEFAULT_ETHNICITY_SCHEME,
            ethnicity_detail=row.get("ethnicity_detail") or "",
            looked_after=bool(row["looked_after"]),
            district=districts.get(district) if district else None,
            yot_caseload=row["yot_caseload"] is not False,
            adult_offending_checked=bool(row.get("adult_offending_checked")),
        )
    for row in frames["outcomes"].sort("offence_date", "outcome_id").iter_rows(named=True):
        actions.add_outcome(
            by=by,
            person=people[row["person_id"]],
            offence_date=row["offence_date"],
            outcome_date=row["outcome_date"],
            outcome_type=row["outcome_type"],
            release_date=row["release_date"],
            offence_type=row["offence_type"] or "",
            gravity=row["gravity"],
            breach=bool(row["breach"]),
            recorded_on=row["recorded_on"] or row["outcome_date"] or row["offence_date"],
        )
    for row in frames["assessments"].iter_rows(named=True):
        actions.add_assessment(
            by=by,
            person=people[row["person_id"]],
            assessment_date=row["assessment_date"],
            tool=row["tool"],
            score=None if row["score"] is None else round(row["score"], 1),
            likelihood_band=row["likelihood_band"],
            intervention_level=row["intervention_level"],
        )
    for row in frames["actions"].iter_rows(named=True):
        actions.add_review_action(
            by=by,
            person=people[row["person_id"]],
            raised_on=row["raised_on"],
            trigger=row["trigger"],
            action=row["action"],
            status=row["status"],
            owner=owner_for(row["owner"]) if owner_for else None,
            due_on=row["due_on"],
            completed_on=row["completed_on"] if row["status"] == "completed" else None,
            notes=row["notes"] or "",
        )
    resettlement = frames.get("resettlement")
    if resettlement is not None:
        from reoffkit.engine.schema import RESETTLEMENT_FACTORS
        from reoffkit.web.tracker.models import Outcome

        for row in resettlement.iter_rows(named=True):
            person = people[row["person_id"]]
            release = Outcome.objects.filter(person=person, release_date=row["release_date"]).order_by("pk").first()
            if release is None:
                raise ValidationError(
                    f"resettlement for person {row['person_id']}: no custodial outcome released on {row['release_date']:%Y-%m-%d}"
                )
            actions.record_resettlement(by=by, outcome=release, **{f: row[f] or "not known" for f in RESETTLEMENT_FACTORS})
    return people
