"""The performance report's charts: live cohorts, trend, children in follow-up, the follow-up curve."""

from __future__ import annotations

import altair as alt
import polars as pl

from reoffkit.charts import COMPARATORS, LOCAL, NATIONAL, Chart, rate_axis, titled, values


def live_chart(live: pl.DataFrame, title: str) -> Chart:
    """Each live cohort's binary rate so far (with interval) beside the projected national rate at
    the same point of follow-up."""
    table = live.select(
        pl.col("cohort").alias("Cohort"),
        pl.col("months_elapsed").alias("Months of follow-up (all entries)"),
        pl.col("cohort_size").alias("Cohort size"),
        pl.col("reoffenders").alias("Reoffenders so far"),
        pl.col("binary_rate").alias("Binary rate so far"),
        pl.col("binary_ci_low").alias("95% interval low"),
        pl.col("binary_ci_high").alias("95% interval high"),
        pl.col("national_binary_now").alias("Projected national at same point (modelled)"),
    )
    data = live.select(
        "cohort",
        value=pl.col("binary_rate"),
        low=pl.col("binary_ci_low"),
        high=pl.col("binary_ci_high"),
        national=pl.col("national_binary_now"),
    )
    base = alt.Chart(values(data)).encode(x=alt.X("cohort:N", title="Cohort (still in follow-up)", sort=None, axis=alt.Axis(labelAngle=0)))
    local = base.mark_point(filled=False, size=90, color=LOCAL, shape="circle").encode(
        y=rate_axis("Binary rate so far"), tooltip=["cohort:N", alt.Tooltip("value:Q", format=".1%")]
    )
    bars = base.mark_rule(color=LOCAL).encode(y="low:Q", y2="high:Q")
    national = base.mark_tick(color=NATIONAL, thickness=3, size=26).encode(y=alt.Y("national:Q"))
    spec = titled(
        alt.layer(bars, local, national),
        title,
        "Hollow circle: this service so far (provisional), bar: 95% interval; grey tick: national 12-month rate scaled to the "
        "same point of follow-up. Local, modelled — not official.",
    )
    return Chart("live", title, spec, table)


def _trend(trend: pl.DataFrame, reference: pl.DataFrame, *, value: str, low: str, high: str, reference_value: str, axis_title: str, name: str, title: str, percent: bool) -> Chart:
    local = trend.select(
        "period_start",
        "cohort",
        "status",
        value=pl.col(value),
        low=pl.col(low),
        high=pl.col(high),
    ).with_columns(series=pl.lit("This service"))
    ref = reference.filter(pl.col(reference_value).is_not_null()).select(
        "period_start", cohort=pl.lit(""), status=pl.lit("published"), value=pl.col(reference_value),
        low=pl.lit(None, pl.Float64), high=pl.lit(None, pl.Float64),
        series=pl.when(pl.col("official")).then(pl.lit("Official: ") + pl.col("area")).otherwise(pl.col("area")),
    ) if reference.height else local.clear()
    fmt = ".0%" if percent else ".1f"
    y = alt.Y("value:Q", title=axis_title, axis=alt.Axis(format=fmt), scale=alt.Scale(zero=True))
    x = alt.X("period_start:T", title="Quarterly cohort (start of quarter)", axis=alt.Axis(format="%b %Y"))
    base = alt.Chart(values(local)).encode(x=x)
    line = base.mark_line(color=LOCAL, strokeDash=[2, 3], opacity=0.6).encode(y=y)
    bars = base.mark_rule(color=LOCAL).encode(y="low:Q", y2="high:Q")
    points = base.mark_point(size=80, color=LOCAL).encode(
        y=y,
        shape=alt.Shape("status:N", title="Figures", scale=alt.Scale(domain=["final", "provisional"], range=["circle", "diamond"])),
        fill=alt.Fill("status:N", scale=alt.Scale(domain=["final", "provisional"], range=[LOCAL, "white"]), legend=None),
        tooltip=["cohort:N", "status:N", alt.Tooltip("value:Q", format=fmt)],
    )
    layers = [line, bars, points]
    if ref.height:
        layers.append(
            alt.Chart(values(ref)).mark_square(size=70).encode(
                x=x, y=y, color=alt.Color("series:N", title="Published (quarterly cohorts)", scale=alt.Scale(range=[NATIONAL, *COMPARATORS])),
                tooltip=["series:N", alt.Tooltip("value:Q", format=fmt)],
            )
        )
    spec = titled(
        alt.layer(*layers).resolve_scale(fill="independent"),
        title,
        "Filled: final; hollow diamond: provisional (follow-up or waiting period not over); bars: 95% intervals; "
        "squares: published figures for quarterly cohorts.",
    )
    table = pl.concat([local, ref], how="vertical_relaxed").select(
        pl.col("series").alias("Series"),
        pl.col("cohort").alias("Cohort"),
        pl.col("period_start").alias("Quarter starting"),
        pl.col("status").alias("Figures"),
        pl.col("value").alias(axis_title),
        pl.col("low").alias("95% interval low"),
        pl.col("high").alias("95% interval high"),
    )
    return Chart(name, title, spec, table)


def trend_binary_chart(trend: pl.DataFrame, reference: pl.DataFrame, title: str) -> Chart:
    return _trend(trend, reference, value="binary_rate", low="binary_ci_low", high="binary_ci_high", reference_value="binary_rate",
                  axis_title="Binary rate", name="trend-binary", title=title, percent=True)


def trend_per_reoffender_chart(trend: pl.DataFrame, reference: pl.DataFrame, title: str) -> Chart:
    return _trend(trend, reference, value="reoffences_per_reoffender", low="per_reoffender_ci_low", high="per_reoffender_ci_high",
                  reference_value="reoffences_per_reoffender", axis_title="Further offences per reoffender",
                  name="trend-per-reoffender", title=title, percent=False)


def in_follow_up_chart(in_follow_up: pl.DataFrame, title: str) -> Chart:
    spec = titled(
        alt.Chart(values(in_follow_up)).mark_bar(color=LOCAL).encode(
            x=alt.X("month_end:T", title="Month end", axis=alt.Axis(format="%b %Y")),
            y=alt.Y("children_in_follow_up:Q", title="Children in follow-up"),
            tooltip=[alt.Tooltip("month_end:T", format="%d %b %Y"), "children_in_follow_up:Q"],
        ),
        title,
    )
    table = in_follow_up.select(pl.col("month_end").alias("Month end"), pl.col("children_in_follow_up").alias("Children in follow-up"))
    return Chart("in-follow-up", title, spec, table)


def curve_chart(curve: pl.DataFrame, basis: str, title: str) -> Chart:
    long = pl.concat(
        [
            curve.select("month", value=pl.col("binary_share"), measure=pl.lit("Reoffenders (time to first further offence)")),
            curve.select("month", value=pl.col("frequency_share"), measure=pl.lit("Further offences (cumulative)")),
        ]
    )
    spec = titled(
        alt.Chart(values(long)).mark_line(point=True).encode(
            x=alt.X("month:Q", title="Months of follow-up", scale=alt.Scale(domain=[0, 12]), axis=alt.Axis(tickCount=12)),
            y=alt.Y("value:Q", title="Share of 12-month reoffending", axis=alt.Axis(format=".0%")),
            color=alt.Color("measure:N", title="Share of", scale=alt.Scale(range=[LOCAL, NATIONAL])),
            strokeDash=alt.StrokeDash("measure:N", title="Share of"),
        ),
        title,
        f"Basis: {basis}.",
    )
    table = curve.select(
        pl.col("month").alias("Months of follow-up"),
        pl.col("binary_share").alias("Share of 12-month reoffenders"),
        pl.col("frequency_share").alias("Share of 12-month further offences"),
    )
    return Chart("curve", title, spec, table)


def performance_charts(report) -> dict[str, Chart]:
    """The performance page's charts, from a :class:`reoffkit.reports.performance.PerformanceReport`."""
    found = report.findings
    charts = [
        live_chart(report.live, found.get("live", "Live cohorts")),
        trend_binary_chart(report.trend, report.reference_series, found["trend_binary"]),
        trend_per_reoffender_chart(report.trend, report.reference_series, found["trend_per_reoffender"]),
        in_follow_up_chart(report.in_follow_up, found.get("in_follow_up", "Children in follow-up")),
        curve_chart(report.curve_table(), report.curve.basis, found["curve"]),
    ]
    return {chart.name: chart for chart in charts}


