"""Charts: Altair specifications rendered to SVG and PNG on the server (vl-convert; no browser
JavaScript, nothing fetched). Each chart carries a title that states its finding and keeps the
table it was drawn from, which pages show as its table twin and offer as CSV.

Conventions: rates are drawn as percentages; final figures are filled, provisional ones hollow
(never colour alone); intervals are 95% error bars; national and comparator figures are separate
series, one per cohort basis, never joined to local lines.
"""

from __future__ import annotations

import datetime as dt
import io
import textwrap
import json
from dataclasses import dataclass, field

import altair as alt
import polars as pl

#: Arial where installed; Liberation Sans (metric-compatible) on Linux servers, where PNGs are drawn.
FONT = "Arial, Liberation Sans, sans-serif"
WIDTH = 620
HEIGHT = 260
LOCAL = "#1d70b8"
NATIONAL = "#505a5f"
COMPARATORS = ["#d4351c", "#00703c", "#6f72af", "#f47738", "#912b88"]


@dataclass
class Chart:
    """A chart, its finding and its data (``table``: human column names, as the CSV download).

    ``spec`` is the Vega-Lite specification as plain data (an Altair chart given here is converted
    once, without re-validating it), so a chart can be cached and pickled; the SVG is drawn once.
    """

    name: str
    title: str
    spec: dict
    table: pl.DataFrame
    _svg: str | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if not isinstance(self.spec, dict):
            self.spec = self.spec.to_dict(validate=False)

    def svg(self) -> str:
        import vl_convert

        if self._svg is None:
            self._svg = vl_convert.vegalite_to_svg(self.spec)
        return self._svg

    def png(self, scale: float = 2.0) -> bytes:
        import vl_convert

        return vl_convert.vegalite_to_png(self.spec, scale=scale)

    def csv(self) -> str:
        return self.table.write_csv()

    def to_json(self) -> str:
        return json.dumps(self.spec)


def _values(frame: pl.DataFrame) -> alt.Data:
    def plain(value):
        return value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else value

    return alt.Data(values=[{k: plain(v) for k, v in row.items()} for row in frame.to_dicts()])


def _titled(chart, title: str, subtitle: str = ""):
    return chart.properties(
        title=alt.TitleParams(
            textwrap.wrap(title, 90), subtitle=textwrap.wrap(subtitle, 110) if subtitle else alt.Undefined, anchor="start", fontSize=14
        ),
        width=WIDTH,
        height=HEIGHT,
    ).configure(font=FONT).configure_axis(labelFontSize=12, titleFontSize=12).configure_legend(labelFontSize=12, titleFontSize=12, orient="bottom")


def _rate_axis(title: str) -> alt.Y:
    return alt.Y("value:Q", title=title, axis=alt.Axis(format=".0%"), scale=alt.Scale(zero=True))


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
    base = alt.Chart(_values(data)).encode(x=alt.X("cohort:N", title="Cohort (still in follow-up)", sort=None, axis=alt.Axis(labelAngle=0)))
    local = base.mark_point(filled=False, size=90, color=LOCAL, shape="circle").encode(
        y=_rate_axis("Binary rate so far"), tooltip=["cohort:N", alt.Tooltip("value:Q", format=".1%")]
    )
    bars = base.mark_rule(color=LOCAL).encode(y="low:Q", y2="high:Q")
    national = base.mark_tick(color=NATIONAL, thickness=3, size=26).encode(y=alt.Y("national:Q"))
    spec = _titled(
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
    base = alt.Chart(_values(local)).encode(x=x)
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
            alt.Chart(_values(ref)).mark_square(size=70).encode(
                x=x, y=y, color=alt.Color("series:N", title="Published (quarterly cohorts)", scale=alt.Scale(range=[NATIONAL, *COMPARATORS])),
                tooltip=["series:N", alt.Tooltip("value:Q", format=fmt)],
            )
        )
    spec = _titled(
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
    spec = _titled(
        alt.Chart(_values(in_follow_up)).mark_bar(color=LOCAL).encode(
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
    spec = _titled(
        alt.Chart(_values(long)).mark_line(point=True).encode(
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
    """The performance page's charts, from a :class:`reoffkit.performance.PerformanceReport`."""
    found = report.findings
    charts = [
        live_chart(report.live, found.get("live", "Live cohorts")),
        trend_binary_chart(report.trend, report.reference_series, found["trend_binary"]),
        trend_per_reoffender_chart(report.trend, report.reference_series, found["trend_per_reoffender"]),
        in_follow_up_chart(report.in_follow_up, found.get("in_follow_up", "Children in follow-up")),
        curve_chart(report.curve.table(), report.curve.basis, found["curve"]),
    ]
    return {chart.name: chart for chart in charts}


def write_png(chart: Chart, path) -> None:
    with io.open(path, "wb") as handle:
        handle.write(chart.png())


def rates_chart(name: str, table: pl.DataFrame, title: str, *, label: str = "label", national: float | None = None, national_label: str = "") -> Chart:
    """Binary rate by group as horizontal points with 95% intervals, each labelled with its size;
    ``table`` has ``label``, ``cohort_size``, ``binary_rate``, ``binary_ci_low``, ``binary_ci_high``."""
    data = table.select(
        label=pl.col(label).cast(pl.String),
        children=pl.col("cohort_size"),
        value=pl.col("binary_rate"),
        low=pl.col("binary_ci_low"),
        high=pl.col("binary_ci_high"),
    ).with_columns(group=pl.col("label") + pl.lit(" (") + pl.col("children").cast(pl.String).fill_null("fewer than 5") + pl.lit(")"))
    y = alt.Y("group:N", title=None, sort=None)
    base = alt.Chart(_values(data)).encode(y=y)
    layers = [
        base.mark_rule(color=LOCAL).encode(x=alt.X("low:Q", title="Binary rate (95% interval)", axis=alt.Axis(format=".0%"), scale=alt.Scale(domain=[0, 1])), x2="high:Q"),
        base.mark_point(filled=True, size=70, color=LOCAL).encode(x="value:Q", tooltip=["group:N", alt.Tooltip("value:Q", format=".1%")]),
    ]
    subtitle = "Each group with its number of children; bars are 95% intervals — wide bars mean few children."
    if national is not None:
        layers.append(alt.Chart(_values(pl.DataFrame({"national": [national]}))).mark_rule(color=NATIONAL, strokeDash=[6, 4], size=2).encode(x="national:Q"))
        subtitle += f" Dashed line: {national_label or 'national'} {100 * national:.1f}%."
    spec = _titled(alt.layer(*layers), title, subtitle).properties(height=max(60, 22 * data.height))
    out = data.select(
        pl.col("label").alias("Group"), pl.col("children").alias("Children"), pl.col("value").alias("Binary rate"),
        pl.col("low").alias("95% interval low"), pl.col("high").alias("95% interval high"),
    )
    return Chart(name, title, spec, out)


def pareto_chart(table: pl.DataFrame, title: str) -> Chart:
    """Reoffenders from most to fewest further offences (bars) and the running share of all
    further offences (line)."""
    base = alt.Chart(_values(table)).encode(x=alt.X("rank:O", title="Reoffenders, most further offences first", axis=alt.Axis(labels=False, ticks=False)))
    spec = _titled(
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


def survival_chart(curve: pl.DataFrame, title: str, name: str = "time-to-first") -> Chart:
    """Kaplan–Meier: share of children who had reoffended by each day of follow-up, per group."""
    spec = _titled(
        alt.Chart(_values(curve)).mark_line(interpolate="step-after").encode(
            x=alt.X("day:Q", title="Days since entering the cohort", scale=alt.Scale(domain=[0, 366])),
            y=alt.Y("reoffended_share:Q", title="Share who had reoffended (Kaplan–Meier)", axis=alt.Axis(format=".0%"), scale=alt.Scale(domain=[0, 1])),
            color=alt.Color("group:N", title="Group", scale=alt.Scale(range=[LOCAL, NATIONAL, *COMPARATORS])),
            strokeDash=alt.StrokeDash("group:N", title="Group"),
        ),
        title,
        "Each step is a day on which a child first reoffended; children still in follow-up count until their follow-up so far.",
    )
    out = curve.select(pl.col("group").alias("Group"), pl.col("day").alias("Day"), pl.col("reoffended_share").alias("Share who had reoffended"), pl.col("children").alias("Children in group"))
    return Chart(name, title, spec, out)


def calibration_chart(table: pl.DataFrame, title: str) -> Chart:
    data = table.select("score_band", "children", predicted="predicted", value="observed", low="observed_ci_low", high="observed_ci_high")
    axis = alt.Axis(format=".0%")
    base = alt.Chart(_values(data)).encode(x=alt.X("predicted:Q", title="Predicted (mean YOGRS)", axis=axis, scale=alt.Scale(domain=[0, 1])))
    diagonal = alt.Chart(_values(pl.DataFrame({"predicted": [0.0, 1.0], "value": [0.0, 1.0]}))).mark_line(color=NATIONAL, strokeDash=[4, 4]).encode(
        x="predicted:Q", y="value:Q"
    )
    spec = _titled(
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


def bars_chart(name: str, table: pl.DataFrame, *, category: str, value: str, title: str, axis_title: str, subtitle: str = "") -> Chart:
    spec = _titled(
        alt.Chart(_values(table)).mark_bar(color=LOCAL).encode(
            y=alt.Y(f"{category}:N", title=None, sort=None),
            x=alt.X(f"{value}:Q", title=axis_title),
            tooltip=[f"{category}:N", f"{value}:Q"],
        ),
        title,
        subtitle,
    ).properties(height=max(60, 24 * table.height))
    return Chart(name, title, spec, table.select(pl.col(category).alias(category.replace("_", " ").capitalize()), pl.col(value).alias(axis_title)))
