"""Write docs/examples/case-file-example.xlsx: eight fictional children of one quarter (Oct–Dec 2016).

Every name, identifier and event is invented. The rows are written out by hand below (so the
example does not change when the synthetic data generator does) and saved with the product's own
writer, :func:`reoffkit.casefile.write_case_file`.

Run with: .venv/bin/python docs/examples/make_example.py [output.xlsx]
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import polars as pl

from reoffkit.casefile import write_case_file

D = dt.date
SERVICE = "Exampleshire Youth Justice Service"

PEOPLE = [
    # person_id, pnc_id, date_of_birth, sex, ethnicity, looked_after, district, yot_caseload
    ("EX001", "15/204518K", D(2000, 3, 14), "male", "White", False, "Northgate", True),
    ("EX002", None, D(2001, 7, 2), "female", "Mixed", True, "Riverside", True),
    ("EX003", "14/338201P", D(1999, 5, 21), "male", "Black", False, "Eastfield", True),
    ("EX004", "16/117395C", D(2002, 1, 30), "male", "Asian", False, "Northgate", False),
    ("EX005", "16/090442R", D(2000, 11, 11), "female", "White", False, "Riverside", True),
    ("EX006", "16/402877D", D(2003, 9, 9), "male", "Other", False, "Eastfield", True),
    ("EX007", None, D(2001, 2, 17), "male", "Not known", False, "Northgate", True),
    ("EX008", "16/385120T", D(2002, 6, 5), "female", "Black", True, "Riverside", True),
]

OUTCOMES = [
    # person_id, offence_date, outcome_date, outcome_type, release_date, offence_type, gravity, breach, recorded_on
    ("EX001", D(2016, 9, 28), D(2016, 10, 12), "youth_caution", None, "theft", 2, False, None),
    ("EX001", D(2016, 12, 3), D(2017, 1, 20), "referral_order", None, "criminal damage", 2, False, D(2016, 12, 5)),
    ("EX002", D(2016, 8, 19), D(2016, 11, 8), "referral_order", None, "assault", 3, False, None),
    ("EX003", D(2016, 4, 30), D(2016, 6, 15), "dto", D(2016, 10, 14), "robbery", 6, False, None),  # enters at release
    ("EX003", D(2017, 2, 11), None, "charged", None, "theft", 2, False, D(2017, 2, 13)),  # not yet proven
    ("EX003", D(2017, 3, 2), D(2017, 5, 10), "yro", None, "burglary", 5, False, D(2017, 3, 4)),
    ("EX004", D(2016, 11, 15), D(2016, 12, 1), "youth_conditional_caution", None, "possession of drugs", 2, False, None),
    ("EX004", D(2017, 4, 20), D(2017, 5, 2), "community_resolution", None, "theft", 1, False, D(2017, 5, 2)),  # informal
    ("EX005", D(2016, 7, 3), D(2016, 10, 27), "yro", None, "assault", 4, False, None),
    ("EX005", D(2017, 1, 15), D(2017, 2, 1), "yro", None, "breach of a youth rehabilitation order", 2, True, D(2017, 1, 20)),
    ("EX006", D(2016, 10, 30), D(2016, 12, 14), "referral_order", None, "burglary", 4, False, None),
    ("EX006", D(2017, 1, 8), D(2017, 2, 14), "fine", None, "theft", 2, False, D(2017, 1, 10)),
    ("EX006", D(2017, 2, 20), D(2017, 3, 20), "fine", None, "criminal damage", 2, False, D(2017, 2, 22)),
    ("EX006", D(2017, 3, 5), D(2017, 4, 25), "yro", None, "assault", 4, False, D(2017, 3, 7)),
    ("EX007", D(2016, 9, 10), D(2016, 11, 22), "conditional_discharge", None, "public order", 2, False, None),
    ("EX008", D(2016, 9, 21), D(2016, 10, 3), "youth_caution", None, "theft", 1, False, None),
    ("EX008", D(2017, 8, 15), None, "admitted", None, "theft", 1, False, D(2017, 8, 16)),  # not yet proven
]

ASSESSMENTS = [
    # person_id, assessment_date, tool, score, likelihood_band, intervention_level
    ("EX001", D(2016, 10, 10), "assetplus", 38.0, "medium", "standard"),
    ("EX002", D(2016, 10, 25), "asset", 18.0, "medium", "enhanced"),
    ("EX003", D(2016, 10, 3), "assetplus", 71.0, "high", "intensive"),
    ("EX005", D(2016, 10, 20), "assetplus", 45.0, "medium", "enhanced"),
    ("EX006", D(2016, 12, 1), "assetplus", 62.0, "high", "standard"),
    ("EX007", D(2016, 11, 10), "asset", 9.0, "low", "standard"),
]

ACTIONS = [
    # person_id, raised_on, trigger, action, status, owner, due_on, completed_on, notes
    ("EX001", D(2017, 1, 23), "further_offence", "re_assessment", "completed", "J. Patel", D(2017, 2, 6), D(2017, 2, 2), "Re-assessed after the referral order."),
    ("EX003", D(2017, 3, 6), "further_offence", "review", "completed", "S. Okafor", D(2017, 3, 20), D(2017, 3, 17), None),
    ("EX003", D(2017, 5, 12), "further_offence", "breach", "pending", "S. Okafor", D(2017, 5, 26), None, "Awaiting court date."),
    ("EX006", D(2017, 1, 12), "further_offence", "re_assessment", "completed", "R. Hughes", D(2017, 1, 26), D(2017, 1, 25), "Intervention level raised to intensive."),
    ("EX006", D(2017, 3, 9), "further_offence", "review", "required", "R. Hughes", D(2017, 3, 23), None, None),
    ("EX004", D(2017, 5, 4), "changed_circumstances", "no_action", "completed", "A. Byrne", D(2017, 5, 18), D(2017, 5, 4), "Community resolution; no YOT involvement."),
    ("EX002", D(2017, 2, 1), "periodic_review", "review", "completed", "J. Patel", D(2017, 2, 15), D(2017, 2, 14), None),
]


def example_frames() -> dict[str, pl.DataFrame]:
    people = pl.DataFrame(
        PEOPLE,
        schema=["person_id", "pnc_id", "date_of_birth", "sex", "ethnicity", "looked_after", "district", "yot_caseload"],
        orient="row",
    ).with_columns(pl.lit(SERVICE).alias("service"))
    outcomes = pl.DataFrame(
        OUTCOMES,
        schema=["person_id", "offence_date", "outcome_date", "outcome_type", "release_date", "offence_type", "gravity", "breach", "recorded_on"],
        orient="row",
    ).with_row_index("outcome_id", offset=1)
    assessments = pl.DataFrame(
        ASSESSMENTS, schema=["person_id", "assessment_date", "tool", "score", "likelihood_band", "intervention_level"], orient="row"
    )
    actions = pl.DataFrame(
        ACTIONS, schema=["person_id", "raised_on", "trigger", "action", "status", "owner", "due_on", "completed_on", "notes"], orient="row"
    )
    return {"people": people, "outcomes": outcomes, "assessments": assessments, "actions": actions}


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).with_name("case-file-example.xlsx")
    print(write_case_file(example_frames(), target))
