"""The retrospective analysis's own chart kinds: Pareto of further offences, time to first further
offence, calibration of assessments."""

from __future__ import annotations

import altair as alt
import polars as pl

from reoffkit.charts import COMPARATORS, LOCAL, NATIONAL, Chart, titled, values


def pareto_chart(table: pl.DataFrame, title: str) -> Chart:
    """Reoffenders from most to fewest further offences (bars) and the running share of all
    further offences (line)."""
    base = alt.Chart(values(table)).encode(x=alt.X("rank:O", title="Reoffenders, most further offences first", axis=alt.Axis(labels=False, ticks=False)))
    spec = titled(
        alt.layer(
            base.mark_bar(color=LOCAL).encode(y=alt.Y("further_offences:Q", title="Further offences")),
            base.mark_line(color=NATIONAL).encode(y=alt.Y("cumulative_share_of_reoffences:Q", title="Share of all further offences (running)", axis=alt.Axis(format=".0%"))),
        ).resolve_scale(y="independent"),
        title,
        "Bars: each reoffender's further offences; line: their running share of all further offences.",
    )
    out = table.select(
        pl.col("rank").alias("Reoffender (rank)"), pl.col("further_offences").alias("Further offences"),
        pl.col("cumulative_share_of_reoffenders").alias("Share of reoffenders (running)"),
        pl.col("cumulative_share_of_reoffences").alias("Share of further offences (running)"),
    )
    return Chart("pareto", title, spec, out)


COARSE_SUBTITLE = (
    "Shown outside the service in monthly steps of at least 5 children: each step is the share who had reoffended by the end "
    "of a month of follow-up, never a child's day."
)


def survival_chart(curve: pl.DataFrame, title: str, name: str = "time-to-first", subtitle: str | None = None) -> Chart:
    """Kaplan–Meier: share of children who had reoffended by each day of follow-up, per group."""
    spec = titled(
        alt.Chart(values(curve)).mark_line(interpolate="step-after").encode(
            x=alt.X("day:Q", title="Days since entering the cohort", scale=alt.Scale(domain=[0, 366])),
            y=alt.Y("reoffended_share:Q", title="Share who had reoffended (Kaplan–Meier)", axis=alt.Axis(format=".0%"), scale=alt.Scale(domain=[0, 1])),
            color=alt.Color("group:N", title="Group", scale=alt.Scale(range=[LOCAL, NATIONAL, *COMPARATORS])),
            strokeDash=alt.StrokeDash("group:N", title="Group"),
        ),
        title,
        subtitle or "Each step is a day on which a child first reoffended; children still in follow-up count until their follow-up so far.",
    )
    out = curve.select(pl.col("group").alias("Group"), pl.col("day").alias("Day"), pl.col("reoffended_share").alias("Share who had reoffended"), pl.col("children").alias("Children in group"))
    return Chart(name, title, spec, out)


def calibration_chart(table: pl.DataFrame, title: str) -> Chart:
    data = table.select("score_band", "children", predicted="predicted", value="observed", low="observed_ci_low", high="observed_ci_high")
    axis = alt.Axis(format=".0%")
    base = alt.Chart(values(data)).encode(x=alt.X("predicted:Q", title="Predicted (mean YOGRS)", axis=axis, scale=alt.Scale(domain=[0, 1])))
    diagonal = alt.Chart(values(pl.DataFrame({"predicted": [0.0, 1.0], "value": [0.0, 1.0]}))).mark_line(color=NATIONAL, strokeDash=[4, 4]).encode(
        x="predicted:Q", y="value:Q"
    )
    spec = titled(
        alt.layer(
            diagonal,
            base.mark_rule(color=LOCAL).encode(y=alt.Y("low:Q"), y2="high:Q"),
            base.mark_point(filled=True, size=80, color=LOCAL).encode(y=alt.Y("value:Q", title="Observed binary rate", axis=axis, scale=alt.Scale(domain=[0, 1])), tooltip=["score_band:N", "children:Q"]),
        ),
        title,
        "Points on the dashed line: reoffending as predicted; above it: more than predicted.",
    )
    out = data.select(
        pl.col("score_band").alias("Score band"), pl.col("children").alias("Children"), pl.col("predicted").alias("Predicted"),
        pl.col("value").alias("Observed binary rate"), pl.col("low").alias("95% interval low"), pl.col("high").alias("95% interval high"),
    )
    return Chart("calibration", title, spec, out)


