"""The national comparison's charts: a funnel plot of the binary rate and one of reoffences per
child (every area against its cohort size, with 95% and 99.8% control limits around the national
rate, the focus area and the chosen comparators picked out and named), the focus and its
comparators over the cohorts, and the ranks with their intervals. Each keeps its data as a table
(the page shows it beside the chart); a synthetic table says so in every title."""

from __future__ import annotations

import altair as alt
import polars as pl

from reoffkit.charts import COMPARATORS, LOCAL, NATIONAL, Chart, titled, values
from reoffkit.engine.comparison import POSITIONS
from reoffkit.reports.comparison import ComparisonReport, period_label

OTHER = "#b1b4b6"
FAMILY = "#6f72af"
LEGEND = alt.Legend(orient="bottom", direction="vertical", columns=2, labelLimit=320, columnPadding=24)
MEASURES = {
    "binary": ("binary_rate", "Binary rate (share of children who reoffended)", ".0%"),
    "frequency": ("frequency_rate", "Reoffences per child", ".2f"),
}


def _chart(name: str, title: str, spec, table: pl.DataFrame) -> Chart:
    """A chart whose drawing carries no ARIA description of each mark: the page hides the drawing
    from assistive technology and gives its table twin instead, and 155 points' generated labels
    were most of each drawing's size."""
    chart = Chart(name, title, spec, table)
    chart.spec.setdefault("config", {})["aria"] = False
    return chart


def _mark(report: ComparisonReport, title: str) -> str:
    return f"SYNTHETIC — {title}" if report.synthetic else title


def funnel_title(report: ComparisonReport, measure: str) -> str:
    table = report.tables[f"funnel_{measure}"]
    name = report.focus.area_name
    what = "binary rate" if measure == "binary" else "reoffences per child"
    focus = table.filter(pl.col("role") == "focus")
    if table.is_empty():
        return f"No funnel plot of the {what}: the figures loaded have no counts for the areas of this cohort"
    outside = table.filter(pl.col("position").is_in(["above_998", "below_998"])).height
    where = POSITIONS[focus["position"][0]] if focus.height and focus["position"][0] else "not on the plot (no counts)"
    return f"{name} is {where} for its {what}; {outside} of {table.height} areas are outside the 99.8% limits"


def funnel_chart(report: ComparisonReport, measure: str = "binary") -> Chart:
    """Every area's rate against its cohort size with control limits; focus and comparators named."""
    column, axis_title, fmt = MEASURES[measure]
    table = report.tables[f"funnel_{measure}"]
    title = _mark(report, funnel_title(report, measure))
    latest = period_label(report.latest) if report.latest else ""
    roles = {"focus": report.focus.area_name, "comparator": "Chosen comparators", "family": "Family of similar services", "other": "Other areas"}
    points = table.select("area_name", "cohort_size", pl.col(column).alias("rate"), "position", "role").with_columns(
        group=pl.col("role").replace_strict(roles, return_dtype=pl.String)
    )
    limits = table.select("cohort_size", "low_95", "high_95", "low_998", "high_998", "national_rate").unique("cohort_size").sort("cohort_size")
    limit_long = pl.concat(
        [limits.select("cohort_size", value=pl.col(c), line=pl.lit(label)) for c, label in
         (("low_95", "95% limits"), ("high_95", "95% limits"), ("low_998", "99.8% limits"), ("high_998", "99.8% limits"))]
    ).with_columns(side=pl.lit(""))
    limit_long = limit_long.with_columns(series=pl.col("line") + pl.lit(" ") + pl.Series([c for c in ("low_95", "high_95", "low_998", "high_998") for _ in range(limits.height)]))
    x = alt.X("cohort_size:Q", title="Children in the cohort", scale=alt.Scale(zero=True))
    y = alt.Y("rate:Q", title=axis_title, axis=alt.Axis(format=fmt), scale=alt.Scale(zero=True))
    domain = [roles["focus"], "Chosen comparators", "Family of similar services", "Other areas"]
    colour = alt.Scale(domain=domain, range=[LOCAL, COMPARATORS[0], FAMILY, OTHER])
    shape = alt.Scale(domain=domain, range=["diamond", "square", "triangle-up", "circle"])
    layers = []
    if limits.height:
        layers.append(
            alt.Chart(values(limit_long)).mark_line(color=NATIONAL).encode(
                x=x, y=alt.Y("value:Q"), detail="series:N",
                strokeDash=alt.StrokeDash("line:N", title=None, scale=alt.Scale(domain=["95% limits", "99.8% limits"], range=[[6, 4], [1, 0]]),
                                          legend=alt.Legend(orient="bottom", direction="vertical")),
            )
        )
        layers.append(alt.Chart(values(limits.head(1))).mark_rule(color=NATIONAL, size=1.5).encode(y=alt.Y("national_rate:Q")))
    layers.append(
        alt.Chart(values(points)).mark_point(filled=True, size=60, opacity=0.9).encode(
            x=x, y=y,
            # below the plot, in two columns that fit under it: the focus's whole name, nothing drawn over the points
            color=alt.Color("group:N", title=None, scale=colour, legend=LEGEND),
            shape=alt.Shape("group:N", title=None, scale=shape, legend=LEGEND),
            order=alt.Order("role:N", sort="descending"),
            tooltip=["area_name:N", "cohort_size:Q", alt.Tooltip("rate:Q", format=fmt), "position:N"],
        )
    )
    # Names beside the focus (above) and the comparators (below), so that the two do not collide.
    for role, dy in (("focus", -10), ("comparator", 14)):
        named = points.filter(pl.col("role") == role)
        if named.height:
            layers.append(alt.Chart(values(named)).mark_text(align="left", dx=8, dy=dy, fontSize=11, fontWeight="bold").encode(x=x, y=y, text="area_name:N"))
    national = table["national_rate"][0] if table.height else None
    subtitle = (
        f"{latest}: each point is an area of the same type. Solid lines: 99.8% control limits; dashed: 95%; the flat line is the national rate"
        + (f" ({national:.1%})." if national is not None and measure == "binary" else f" ({national:.2f})." if national is not None else ".")
        + " An area inside the funnel is not better or worse than the national rate."
    )
    spec = titled(alt.layer(*layers), title, subtitle)
    out = table.select(
        pl.col("area_name").alias("Area"), pl.col("role").alias("Shown as"), pl.col("cohort_size").alias("Children"),
        pl.col(column).alias(axis_title), pl.col("low_95").alias("95% lower limit"), pl.col("high_95").alias("95% upper limit"),
        pl.col("low_998").alias("99.8% lower limit"), pl.col("high_998").alias("99.8% upper limit"),
        pl.col("position").replace_strict(POSITIONS, default=None, return_dtype=pl.String).alias("Where it sits"),
    )
    return _chart(f"funnel_{measure}", title, spec, out)


def cohorts_title(report: ComparisonReport) -> str:
    focus = report.tables["cohorts"].filter(pl.col("key") == "focus")
    if focus.height < 2 or focus["binary_rate"].null_count():
        return f"{report.focus.area_name} and its comparators over the cohorts"
    first, last = focus["binary_rate"][0], focus["binary_rate"][-1]
    word = "rose" if last > first else "fell" if last < first else "stayed"
    return f"{report.focus.area_name}'s binary rate {word} from {first:.1%} to {last:.1%} over {focus.height} cohorts"


def cohorts_chart(report: ComparisonReport) -> Chart:
    """The focus and each comparator in each cohort: points with 95% intervals, one row per cohort."""
    table = report.tables["cohorts"].select("row", "period", "cohort_size", "binary_rate", "binary_ci_low", "binary_ci_high")
    title = _mark(report, cohorts_title(report))
    order = list(dict.fromkeys(table["row"].to_list()))
    y = alt.Y("row:N", title=None, sort=order, axis=alt.Axis(labelLimit=220))
    base = alt.Chart(values(table)).encode(y=y)
    colour = alt.Color("period:N", title="Cohort", scale=alt.Scale(range=[OTHER, FAMILY, LOCAL, COMPARATORS[0]]))
    spec = titled(
        alt.layer(
            base.mark_rule().encode(x=alt.X("binary_ci_low:Q", title="Binary rate (95% interval)", axis=alt.Axis(format=".0%")), x2="binary_ci_high:Q", color=colour, yOffset="period:N"),
            base.mark_point(filled=True, size=60).encode(x="binary_rate:Q", color=colour, yOffset="period:N",
                                                         tooltip=["row:N", "period:N", "cohort_size:Q", alt.Tooltip("binary_rate:Q", format=".1%")]),
        ),
        title,
        "Each comparator's rate in each cohort with its 95% interval (none where only a rate was published).",
    ).properties(height=max(80, 20 * table.height))
    out = table.select(
        pl.col("row").alias("Area"), pl.col("period").alias("Cohort"), pl.col("cohort_size").alias("Children"),
        pl.col("binary_rate").alias("Binary rate"), pl.col("binary_ci_low").alias("95% interval low"), pl.col("binary_ci_high").alias("95% interval high"),
    )
    return _chart("cohorts", title, spec, out)


def ranks_chart(report: ComparisonReport) -> Chart:
    """Every area's rank with its 95% interval, the focus and comparators picked out."""
    table = report.tables["ranks"]
    focus = table.filter(pl.col("area_code") == report.focus.area_code)
    if focus.height:
        r = focus.row(0, named=True)
        title = f"{report.focus.area_name} ranks {r['rank']} of {r['of']}, but could be anywhere from {r['rank_low']} to {r['rank_high']}"
    else:
        title = "Ranks of every area with their 95% intervals"
    title = _mark(report, title)
    named = {report.focus.area_code: "focus", **{c.codes[0]: "comparator" for c in report.comparators if c.kind == "area"}}
    data = table.with_columns(role=pl.col("area_code").replace_strict(named, default="other", return_dtype=pl.String))
    colour = alt.Color("role:N", title=None, scale=alt.Scale(domain=["focus", "comparator", "other"], range=[LOCAL, COMPARATORS[0], OTHER]))
    x = alt.X("rank:Q", title="Rank (1 = lowest binary rate) with 95% interval")
    y = alt.Y("area_name:N", title=None, sort=alt.EncodingSortField("rank"), axis=alt.Axis(labels=False, ticks=False))
    base = alt.Chart(values(data)).encode(y=y)
    spec = titled(
        alt.layer(
            base.mark_rule().encode(x=alt.X("rank_low:Q", title="Rank (1 = lowest binary rate) with 95% interval"), x2="rank_high:Q", color=colour),
            base.mark_point(filled=True, size=20).encode(x=x, color=colour, tooltip=["area_name:N", "rank:Q", "rank_low:Q", "rank_high:Q"]),
        ),
        title,
        "Each line is one area's rank with its 95% interval, simulated from its counts: most areas could sit almost anywhere in the middle.",
    ).properties(height=max(120, 3 * data.height))
    out = data.select(
        pl.col("area_name").alias("Area"), pl.col("cohort_size").alias("Children"), pl.col("binary_rate").alias("Binary rate"),
        pl.col("rank").alias("Rank"), pl.col("rank_low").alias("Rank, 95% interval low"), pl.col("rank_high").alias("Rank, 95% interval high"),
        pl.col("quartile").alias("Quartile"),
    )
    return _chart("ranks", title, spec, out)


CHARTS = {"funnel_binary": lambda r: funnel_chart(r, "binary"), "funnel_frequency": lambda r: funnel_chart(r, "frequency"), "cohorts": cohorts_chart, "ranks": ranks_chart}


def charts(report: ComparisonReport) -> list[Chart]:
    """Every chart of the report, in page order."""
    return [draw(report) for draw in CHARTS.values()]
