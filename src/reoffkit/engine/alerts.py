"""Alerts that pick out cohort entries to re-assess and review (docs/rules.md §8).

Each alert says why it fired, in words a manager can read out at the review meeting. Alerts are
raised only for entries still in follow-up on the as-at date (the follow-up end not yet passed),
except where noted; thresholds are service settings (``AlertSettings`` with ``CountingRules``'
``early_months`` and ``prolific_threshold``).

===============================  ==========================================================
alert                            fires when
===============================  ==========================================================
early_reoffending                first further offence within ``early_months`` (3) of entry
potentially_prolific             ``early_count`` (2)+ further offences within ``early_months``,
                                 or ``any_time_count`` (3)+ at any time, and not yet prolific
prolific                         ``prolific_threshold`` (5)+ further offences
no_action_after_reoffending      the latest further offence has been known for more than
                                 ``action_days`` (14) and no review action was raised since
overdue_action                   an action "required – not completed" past its due date
turning_18                       the 18th birthday falls within follow-up (check adult
                                 offending with the police)
reoffending_off_caseload         reoffended while not on the YOT caseload (wider partnership)
standard_with_early_reoffending  Standard intervention level at entry and early reoffending
===============================  ==========================================================
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from reoffkit.engine.cohort import ENTRY_KEY, _months_later
from reoffkit.engine.rules import CountingRules
from reoffkit.engine.schema import conform

ALERT_LABELS: dict[str, str] = {
    "early_reoffending": "Early reoffending",
    "potentially_prolific": "Potentially prolific",
    "prolific": "Prolific",
    "no_action_after_reoffending": "Reoffended – no action recorded",
    "overdue_action": "Action overdue",
    "turning_18": "Turns 18 in follow-up",
    "reoffending_off_caseload": "Reoffending, not on caseload",
    "standard_with_early_reoffending": "Standard intervention, early reoffending",
}

ALERT_SCHEMA = {"person_id": pl.String, "entry_quarter": pl.Int32, "alert": pl.String, "label": pl.String, "reason": pl.String}


@dataclass(frozen=True)
class AlertSettings:
    early_count: int = 2
    any_time_count: int = 3
    action_days: int = 14


def _date_text(column: str) -> pl.Expr:
    return pl.col(column).dt.strftime("%-d %b %Y")


def alerts(
    entries: pl.DataFrame,
    actions: pl.DataFrame,
    *,
    rules: CountingRules,
    settings: AlertSettings,
    as_at: dt.date,
) -> pl.DataFrame:
    """One row per (entry, alert) for entries in follow-up on ``as_at``: ``alert``, ``label``, ``reason``."""
    actions = conform(actions, "actions")
    early_end = _months_later(pl.col("index_date"), rules.early_months)
    # Count further offences committed on or before the end of the early window.
    exploded = (
        entries.lazy()
        .filter(pl.col("follow_up_end") >= as_at)
        .select(*ENTRY_KEY, "index_date", pl.col("further_offence_dates").alias("offence_date"))
        .explode("offence_date")
        .filter(pl.col("offence_date") <= early_end)
        .group_by(ENTRY_KEY)
        .agg(early_offences=pl.len().cast(pl.Int32))
    )
    live = (
        entries.lazy()
        .filter(pl.col("follow_up_end") >= as_at)
        .join(exploded, on=ENTRY_KEY, how="left")
        .with_columns(early_offences=pl.col("early_offences").fill_null(0), early_end=early_end)
    )
    latest_action = (
        actions.lazy().group_by("person_id").agg(latest_action_raised_on=pl.col("raised_on").max())
    )
    overdue = (
        actions.lazy()
        .filter((pl.col("status") == "required") & (pl.col("due_on") < as_at))
        .group_by("person_id")
        .agg(overdue_actions=pl.len(), oldest_due_on=pl.col("due_on").min())
    )
    live = live.join(latest_action, on="person_id", how="left").join(overdue, on="person_id", how="left")

    n = pl.col("further_offences")
    action_deadline = pl.col("latest_further_offence_known_on") + pl.duration(days=settings.action_days)
    rules_fired: list[tuple[str, pl.Expr, pl.Expr]] = [
        (
            "early_reoffending",
            pl.col("early_reoffender"),
            pl.format(
                "First further offence on {}, {} days after entering the cohort (within {} months).",
                _date_text("first_further_offence_date"),
                pl.col("days_to_first_further_offence"),
                pl.lit(rules.early_months),
            ),
        ),
        (
            "prolific",
            n >= rules.prolific_threshold,
            pl.format("{} further offences in follow-up ({} or more is prolific).", n, pl.lit(rules.prolific_threshold)),
        ),
        (
            "potentially_prolific",
            (n < rules.prolific_threshold)
            & ((pl.col("early_offences") >= settings.early_count) | (n >= settings.any_time_count)),
            pl.when(pl.col("early_offences") >= settings.early_count)
            .then(
                pl.format(
                    "{} further offences within {} months of entry (by {}).",
                    pl.col("early_offences"),
                    pl.lit(rules.early_months),
                    _date_text("early_end"),
                )
            )
            .otherwise(pl.format("{} further offences so far ({} or more).", n, pl.lit(settings.any_time_count))),
        ),
        (
            "no_action_after_reoffending",
            (n > 0)
            & (action_deadline < as_at)
            & (
                pl.col("latest_action_raised_on").is_null()
                | (pl.col("latest_action_raised_on") < pl.col("latest_further_offence_known_on"))
            ),
            pl.format(
                "Latest further offence known since {}; no review action recorded since then ({} days allowed).",
                _date_text("latest_further_offence_known_on"),
                pl.lit(settings.action_days),
            ),
        ),
        (
            "overdue_action",
            pl.col("overdue_actions").fill_null(0) > 0,
            pl.format(
                "{} required and not completed; the oldest was due on {}.",
                pl.when(pl.col("overdue_actions") == 1)
                .then(pl.lit("1 action"))
                .otherwise(pl.format("{} actions", pl.col("overdue_actions"))),
                _date_text("oldest_due_on"),
            ),
        ),
        (
            "turning_18",
            pl.col("turns_18_in_follow_up"),
            pl.format(
                "Turns 18 on {}, before follow-up ends on {}: check adult offending with the police.",
                _date_text("eighteenth_birthday"),
                _date_text("follow_up_end"),
            ),
        ),
        (
            "reoffending_off_caseload",
            (n > 0) & (pl.col("yot_caseload") == False),  # noqa: E712 — null (not known) must not fire
            pl.format("Reoffended ({} further offences) while not on the YOT caseload: consider wider partnership support.", n),
        ),
        (
            "standard_with_early_reoffending",
            pl.col("early_reoffender") & (pl.col("intervention_level") == "standard"),
            pl.format(
                "On Standard intervention (assessed {}) and reoffended within {} months: review the intervention level.",
                _date_text("assessment_date"),
                pl.lit(rules.early_months),
            ),
        ),
    ]
    fired = [
        live.filter(condition.fill_null(False)).select(
            *ENTRY_KEY, alert=pl.lit(code), label=pl.lit(ALERT_LABELS[code]), reason=reason
        )
        for code, condition, reason in rules_fired
    ]
    return pl.concat(fired).collect().cast(ALERT_SCHEMA).sort([*ENTRY_KEY, "alert"])
