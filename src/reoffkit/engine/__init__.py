"""The reoffending engine: pure functions over Polars frames (no Django, no I/O).

    from reoffkit.engine import CountingRules, Period, entry_table, measures, measures_by

    period = Period.parse("2016Q4")
    entries = entry_table(people, outcomes, assessments, period=period, rules=CountingRules(), as_at=as_at)
    measures(entries, period=period, rules=rules, as_at=as_at).binary_rate
    measures_by(entries, "sex")

Frames follow :mod:`reoffkit.engine.schema`; the rules are described in :mod:`reoffkit.engine.cohort`.
"""

from reoffkit.engine.alerts import ALERT_LABELS, AlertSettings, alerts
from reoffkit.engine.cohort import assessment_at_entry, cohort_entries, entry_counts, entry_table, further_offences
from reoffkit.engine.measures import BREAKDOWNS, MEASURE_COLUMNS, CohortMeasures, measures, measures_by, wilson_interval
from reoffkit.engine.rules import CountingRules, Period, add_months, quarter_label

__all__ = [
    "ALERT_LABELS",
    "AlertSettings",
    "alerts",
    "BREAKDOWNS",
    "MEASURE_COLUMNS",
    "CohortMeasures",
    "CountingRules",
    "Period",
    "add_months",
    "assessment_at_entry",
    "cohort_entries",
    "entry_counts",
    "entry_table",
    "further_offences",
    "measures",
    "measures_by",
    "quarter_label",
    "wilson_interval",
]
