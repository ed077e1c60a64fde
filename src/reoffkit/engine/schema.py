"""The frame contract between the engine and whatever feeds it (a case file or the database).

Every producer of engine input — the case-file reader, the web application's queries, the
synthetic data generator — builds frames with exactly these columns and types. Codes are the
canonical ones of :mod:`reoffkit.engine.codes`; yes/no columns are booleans; missing values are
nulls, never empty strings.

``outcome_id`` identifies one offence (one row of the outcomes sheet): each offence is counted
once however many cohort entries or hearings it touches.
"""

from __future__ import annotations

import polars as pl

PEOPLE_SCHEMA: dict[str, pl.DataType] = {
    "person_id": pl.String(),
    "pnc_id": pl.String(),
    "service": pl.String(),
    "date_of_birth": pl.Date(),
    "sex": pl.String(),
    "ethnicity": pl.String(),
    # how ethnicity was recorded (codes.ETHNICITY_SCHEMES; blank: self-defined) and the detailed
    # category it was recorded as (codes.ETHNIC_CATEGORIES), when the source gives one
    "ethnicity_scheme": pl.String(),
    "ethnicity_detail": pl.String(),
    "looked_after": pl.Boolean(),
    "district": pl.String(),
    "yot_caseload": pl.Boolean(),
    # whether adult offending was checked with the police (for a child who turns 18 in follow-up)
    "adult_offending_checked": pl.Boolean(),
    # names, for importing into the live tracker (the engine never reads or returns them)
    "first_name": pl.String(),
    "last_name": pl.String(),
}

OUTCOMES_SCHEMA: dict[str, pl.DataType] = {
    "outcome_id": pl.Int64(),
    "person_id": pl.String(),
    "offence_date": pl.Date(),
    "outcome_date": pl.Date(),
    "outcome_type": pl.String(),
    "release_date": pl.Date(),
    "offence_type": pl.String(),
    "gravity": pl.Int8(),
    "breach": pl.Boolean(),
    "recorded_on": pl.Date(),
}

ASSESSMENTS_SCHEMA: dict[str, pl.DataType] = {
    "person_id": pl.String(),
    "assessment_date": pl.Date(),
    "tool": pl.String(),
    "score": pl.Float64(),
    "likelihood_band": pl.String(),
    "intervention_level": pl.String(),
}

ACTIONS_SCHEMA: dict[str, pl.DataType] = {
    "person_id": pl.String(),
    "raised_on": pl.Date(),
    "trigger": pl.String(),
    "action": pl.String(),
    "status": pl.String(),
    "owner": pl.String(),
    "due_on": pl.Date(),
    "completed_on": pl.Date(),
    "notes": pl.String(),
}

#: Resettlement on release from custody (docs/rules.md §10, line of enquiry 7): for each of accommodation, education /
#: training / employment and health, whether arrangements were in place at release and sustained —
#: ``yes``, ``no`` or ``not known``. One row per release, matched on person and release date.
RESETTLEMENT_FACTORS: tuple[str, ...] = (
    "accommodation_in_place", "accommodation_sustained", "ete_in_place", "ete_sustained", "health_in_place", "health_sustained",
)
RESETTLEMENT_SCHEMA: dict[str, pl.DataType] = {
    "person_id": pl.String(),
    "release_date": pl.Date(),
    **{factor: pl.String() for factor in RESETTLEMENT_FACTORS},
}

SCHEMAS: dict[str, dict[str, pl.DataType]] = {
    "people": PEOPLE_SCHEMA,
    "outcomes": OUTCOMES_SCHEMA,
    "assessments": ASSESSMENTS_SCHEMA,
    "actions": ACTIONS_SCHEMA,
    "resettlement": RESETTLEMENT_SCHEMA,
}


def empty_frame(name: str) -> pl.DataFrame:
    return pl.DataFrame(schema=SCHEMAS[name])


def conform(frame: pl.DataFrame, name: str) -> pl.DataFrame:
    """Return ``frame`` with exactly the columns of schema ``name``, in order and cast.

    Columns missing from ``frame`` are added as nulls (all schema columns are optional to the
    engine except identifiers and dates it checks itself); extra columns are dropped.
    """
    schema = SCHEMAS[name]
    if frame.width == 0:  # selecting literals from a frame without columns would make one row
        return empty_frame(name)
    columns = []
    for column, dtype in schema.items():
        if column in frame.columns:
            columns.append(pl.col(column).cast(dtype))
        else:
            columns.append(pl.lit(None, dtype=dtype).alias(column))
    return frame.select(columns)
