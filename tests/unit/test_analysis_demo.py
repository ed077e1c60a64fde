"""On the demo's synthetic service, the analysis findings agree with the same numbers counted by
hand — plain Python over the rows of the engine's entry table, not the analysis code."""

from __future__ import annotations

import datetime as dt

import pytest

from reoffkit.demo import SERVICE_NAME, demo_frames
from reoffkit.engine import CountingRules, Period, entry_table
from reoffkit.engine.rules import add_months
from reoffkit.reports.analysis import analysis_report

AS_AT = dt.date(2026, 12, 3)
PERIOD = Period.parse("2024Q2", 4)


@pytest.fixture(scope="module")
def demo():
    frames = demo_frames(AS_AT)
    report = analysis_report(frames["people"], frames["outcomes"], frames["assessments"], areas=[SERVICE_NAME], period=PERIOD, as_at=AS_AT,
                             resettlement=frames["resettlement"])
    rows = entry_table(frames["people"], frames["outcomes"], frames["assessments"], period=PERIOD, rules=CountingRules(), as_at=AS_AT).to_dicts()
    return report, rows


def pct(part: float, whole: float) -> str:
    return f"{100 * part / whole:.0f}%"


def test_the_demo_findings_match_a_count_by_hand(demo):
    report, rows = demo
    assert report.complete
    found = {section.key: section.finding for section in report.sections}
    total = sum(r["further_offences"] for r in rows)

    off = [r for r in rows if r["yot_caseload"] is False]
    assert found["caseload"] == (
        f"Children not on the YOT caseload were {pct(len(off), len(rows))} of the cohort ({len(off)} children) "
        f"and committed {pct(sum(r['further_offences'] for r in off), total)} of all further offences"
    )
    prolific = [r for r in rows if r["further_offences"] >= 5]
    assert found["spread"].startswith(
        f"{len(prolific)} children ({pct(len(prolific), len(rows))} of the cohort) committed {pct(sum(r['further_offences'] for r in prolific), total)}"
    )
    early = [r for r in rows if r["first_further_offence_date"] and r["first_further_offence_date"] <= add_months(r["index_date"], 3)]
    assert found["time"].startswith(f"Children who first reoffended within 3 months committed {pct(sum(r['further_offences'] for r in early), total)}")
    few = [r for r in rows if (r["further_offences"] >= 5 and r["intervention_level"] in ("standard", "enhanced"))
           or (r["further_offences"] == 0 and r["intervention_level"] == "intensive")]
    assert f"{len(few)} critical-few cases to audit" in found["assessment"]
    custody = [r for r in rows if r["tier"] == "custody"]
    assert found["resettlement"].startswith(f"{sum(r['further_offences'] > 0 for r in custody)} of {len(custody)} children released from custody reoffended")
    turned = [r for r in rows if r["turns_18_in_follow_up"]]
    assert "who turned 18 during follow-up" in report.data_quality_finding and f"of the {len(turned)} children" in report.data_quality_finding
