"""The disproportionality report's charts: the population against each stage (side-by-side bars per
group, or pies as an option), the forest plot of the relative rate index across stages, and the
trend of each index. Each is drawn from the report's tables — for a shared report, the tables with
small counts withheld — and its title states what it shows, computed from the figures."""

from __future__ import annotations

import textwrap

import altair as alt
import polars as pl

from reoffkit.charts import COMPARATORS, FONT, LOCAL, NATIONAL, Chart, values
from reoffkit.engine.codes import SCHEME_GROUPS
from reoffkit.engine.disproportionality import NOT_KNOWN, REFERENCE_GROUP, STAGE_TABLE, VERDICTS
from reoffkit.reports.disproportionality import DisproportionalityReport

POPULATION = "10–17 population"
GROUP_COLOURS = [LOCAL, COMPARATORS[0], COMPARATORS[1], COMPARATORS[3], COMPARATORS[2]]
CLAIMED = ("over", "under")


def _titled(chart, title: str, subtitle: str):
    return chart.properties(
        title=alt.TitleParams(textwrap.wrap(title, 72), subtitle=textwrap.wrap(subtitle, 100), anchor="start", fontSize=14)
    ).configure(font=FONT).configure_axis(labelFontSize=11, titleFontSize=11).configure_legend(labelFontSize=12, titleFontSize=12, orient="bottom").configure_header(labelFontSize=12, titleFontSize=12)


def _groups(report: DisproportionalityReport) -> tuple[str, ...]:
    return SCHEME_GROUPS[report.result.scheme]


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.1f}%"


def _stage_shares(report: DisproportionalityReport) -> pl.DataFrame:
    """Each stage's share of children of known ethnicity per group, beside the population's."""
    stages = report.tables["stages"].filter(pl.col("group") != NOT_KNOWN)
    population = report.tables["population"]
    return stages.join(population.select("group", "population_share"), on="group", how="left", suffix="_table").select(
        "stage", "stage_label", "group", "count", share="share_of_known", population_share="population_share_table"
    )


def population_title(report: DisproportionalityReport) -> str:
    """The group most over-represented among children entering the cohort, in shares."""
    shares = _stage_shares(report).filter(
        (pl.col("stage") == "entered_cohort") & pl.col("share").is_not_null() & pl.col("population_share").is_not_null() & (pl.col("group") != REFERENCE_GROUP)
    )
    if report.population is None or report.population.scheme != report.result.scheme or shares.is_empty():
        return "Children at each stage by ethnic group (no population of the same scheme to set them against)"
    top = shares.with_columns(ratio=pl.col("share") / pl.col("population_share")).sort("ratio", descending=True).row(0, named=True)
    return (
        f"{top['group']} children are {_pct(top['population_share'])} of the 10–17 population "
        f"and {_pct(top['share'])} of the children who entered the cohort"
    )


def population_chart(report: DisproportionalityReport) -> Chart:
    """For each stage, each group's share of the children at it (filled) beside its share of the
    10–17 population (hollow): side-by-side bars per group."""
    shares = _stage_shares(report)
    stage_order = [STAGE_TABLE[s].label for s in report.result.stages]
    long = pl.concat(
        [
            shares.select("stage_label", "group", series=pl.lit("At this stage"), share="share"),
            shares.select("stage_label", "group", series=pl.lit(POPULATION), share="population_share"),
        ]
    )
    groups = list(_groups(report))
    series = alt.Scale(domain=["At this stage", POPULATION], range=[LOCAL, "white"])
    spec = _titled(
        alt.Chart(values(long))
        .mark_bar(stroke=NATIONAL, strokeWidth=1)
        .encode(
            x=alt.X("group:N", title=None, sort=groups, axis=alt.Axis(labelAngle=0)),
            xOffset=alt.XOffset("series:N", sort=["At this stage", POPULATION]),
            y=alt.Y("share:Q", title="Share", axis=alt.Axis(format=".0%"), scale=alt.Scale(zero=True)),
            fill=alt.Fill("series:N", title=None, scale=series),
            tooltip=["stage_label:N", "group:N", "series:N", alt.Tooltip("share:Q", format=".1%")],
        )
        .properties(width=190, height=130)
        .facet(facet=alt.Facet("stage_label:N", title=None, sort=stage_order), columns=3),
        population_title(report),
        "Filled bars: each group's share of the children (of known ethnicity) at the stage; hollow bars: its share of the "
        "10–17 population. A filled bar taller than its hollow one: more of the group at that stage than in the population.",
    )
    table = shares.select(
        pl.col("stage_label").alias("Stage"), pl.col("group").alias("Ethnic group"), pl.col("count").alias("Children (or offences)"),
        pl.col("share").alias("Share of the stage (known ethnicity)"), pl.col("population_share").alias("Share of the 10–17 population"),
    )
    return Chart("population", population_title(report), spec, table)


def pie_charts(report: DisproportionalityReport, stage: str = "entered_cohort") -> Chart:
    """The summary tool's view, as an option: the ethnic make-up of the 10–17 population and of the
    children at ``stage``, as two pies."""
    shares = _stage_shares(report).filter(pl.col("stage") == stage)
    label = STAGE_TABLE[stage].label
    long = pl.concat(
        [
            shares.select("group", series=pl.lit(POPULATION), share="population_share"),
            shares.select("group", series=pl.lit(label), share="share"),
        ]
    ).filter(pl.col("share").is_not_null())
    title = f"Ethnic make-up of the 10–17 population and of the children at one stage ({label.lower()})"
    spec = _titled(
        alt.Chart(values(long))
        .mark_arc(stroke="white")
        .encode(
            theta=alt.Theta("share:Q", stack=True),
            color=alt.Color("group:N", title="Ethnic group", sort=list(_groups(report)), scale=alt.Scale(domain=list(_groups(report)), range=GROUP_COLOURS)),
            order=alt.Order("group:N"),
            tooltip=["series:N", "group:N", alt.Tooltip("share:Q", format=".1%")],
        )
        .properties(width=200, height=200)
        .facet(column=alt.Column("series:N", title=None, sort=[POPULATION, label])),
        title,
        "Pies show shares only: the bars and the relative rate index say how much larger or smaller each group's rate is, and how sure.",
    )
    table = shares.select(
        pl.col("group").alias("Ethnic group"), pl.col("population_share").alias("Share of the 10–17 population"), pl.col("share").alias(f"Share of {label.lower()}")
    )
    return Chart("pies", title, spec, table)


def forest_title(report: DisproportionalityReport) -> str:
    stages = report.tables["stages"]
    claims = stages.filter(pl.col("verdict").is_in(CLAIMED))
    if claims.is_empty():
        return "No group is clearly over- or under-represented against White children at any stage"
    parts = []
    for verdict in CLAIMED:
        chosen = claims.filter(pl.col("verdict") == verdict)
        for group in [g for g in _groups(report) if g in chosen["group"].to_list()]:
            names = chosen.filter(pl.col("group") == group)["stage_label"].to_list()
            parts.append(f"{group} children {VERDICTS[verdict].lower()} at {len(names)} stage{'s' if len(names) > 1 else ''} ({', '.join(n.lower() for n in names)})")
    return "; ".join(parts)


def forest_chart(report: DisproportionalityReport) -> Chart:
    """The relative rate index of each group at each stage with its 95% interval, on a log scale,
    one panel per group; 1 (the White children's rate) marked. Filled points: the interval excludes
    1; hollow: it does not, or too few children to say."""
    stages = report.tables["stages"]
    groups = [g for g in _groups(report) if g != REFERENCE_GROUP]
    data = stages.filter(pl.col("group").is_in(groups) & (pl.col("rri") > 0)).select(
        "stage_label", "group", "count", "rri", "rri_low", "rri_high", "verdict",
        verdict_label=pl.col("verdict").replace_strict({**VERDICTS, "withheld": "Withheld"}, default="", return_dtype=pl.String),
        claimed=pl.col("verdict").is_in(CLAIMED),
    )
    order = [STAGE_TABLE[s].label for s in report.result.stages]
    low = max(min([v for v in data["rri_low"].drop_nulls().to_list() + data["rri"].to_list()] or [0.5]), 0.02)
    high = min(max([v for v in data["rri_high"].drop_nulls().to_list() + data["rri"].to_list()] or [2.0]), 50.0)
    x_scale = alt.Scale(type="log", domain=[max(min(low, 0.5), 0.05), min(max(high, 2.0), 20.0)], clamp=True, nice=False)
    y = alt.Y("stage_label:N", title=None, sort=order)
    base = alt.Chart()
    layers = alt.layer(
        base.mark_rule(color=NATIONAL, strokeDash=[4, 4]).encode(x=alt.datum(1.0)),
        base.mark_rule(color=LOCAL).encode(x=alt.X("rri_low:Q", scale=x_scale, title="Index (log scale)"), x2="rri_high:Q", y=y),
        base.mark_point(size=70, color=LOCAL, strokeWidth=2).encode(
            x=alt.X("rri:Q", scale=x_scale),
            y=y,
            fill=alt.condition("datum.claimed", alt.value(LOCAL), alt.value("white")),
            shape=alt.Shape("verdict_label:N", title="Finding", scale=alt.Scale(
                domain=[VERDICTS["over"], VERDICTS["under"], VERDICTS["no_clear_difference"], VERDICTS["too_few"]],
                range=["triangle-right", "triangle-left", "circle", "square"])),
            tooltip=["group:N", "stage_label:N", "count:Q", alt.Tooltip("rri:Q", format=".2f"), alt.Tooltip("rri_low:Q", format=".2f"), alt.Tooltip("rri_high:Q", format=".2f"), "verdict_label:N"],
        ),
    ).properties(width=260, height=max(120, 22 * len(order)))
    spec = _titled(
        layers.facet(facet=alt.Facet("group:N", title=None, sort=groups), columns=2, data=values(data)),
        forest_title(report),
        "Each point is a group's rate at a stage divided by White children's (a decision stage: of the children at the stage "
        "before); lines are 95% intervals (none where there are too few children to say). Filled: the interval lies wholly above or below 1. Points are missing where there is "
        "no index (no children, no White children, withheld).",
    )
    table = stages.filter(pl.col("group").is_in(groups)).select(
        pl.col("stage_label").alias("Stage"), pl.col("group").alias("Ethnic group"), pl.col("count").alias("Children (or offences)"),
        pl.col("rate").alias("Rate"), pl.col("rate_per").alias("Per"), pl.col("rri").alias("Relative rate index"),
        pl.col("rri_low").alias("95% interval low"), pl.col("rri_high").alias("95% interval high"),
        pl.col("verdict_label").alias("Finding"), pl.col("reason").alias("Why no index / why too few"),
    )
    return Chart("forest", forest_title(report), spec, table)


def trend_title(report: DisproportionalityReport) -> str:
    trend = report.tables["trend"].filter(
        (pl.col("stage") == "entered_cohort") & pl.col("rri").is_not_null() & (pl.col("rri") > 0) & ~pl.col("verdict").is_in(["too_few", "no_index", "withheld"])
    )
    periods = trend["period"].unique(maintain_order=True).to_list()
    if len(periods) < 2:
        return "Relative rate index of entering the cohort: only one period with figures so far"
    first, last = periods[0], periods[-1]
    moves = []
    for group in _groups(report):
        mine = trend.filter(pl.col("group") == group)
        start, end = mine.filter(pl.col("period") == first)["rri"], mine.filter(pl.col("period") == last)["rri"]
        if start.len() and end.len():
            moves.append(f"{group} {start[0]:.2f} → {end[0]:.2f}")
    return f"Relative rate index of entering the cohort, {first} to {last}: " + ("; ".join(moves) or "no group with enough children for an index in both periods")


def trend_chart(report: DisproportionalityReport) -> Chart:
    """Each group's index at each stage over the periods, one panel per stage (log scale; 1 marked)."""
    trend = report.tables["trend"]
    shown = trend.filter(pl.col("rri").is_not_null() & (pl.col("rri") > 0))
    stages_with = [STAGE_TABLE[s].label for s in report.result.stages if s in shown["stage"].to_list()]
    groups = [g for g in _groups(report) if g != REFERENCE_GROUP]
    periods = trend["period"].unique(maintain_order=True).to_list()
    data = shown.select(
        "period", "stage_label", "group", "rri", "rri_low", "rri_high",
        claimed=pl.col("verdict").is_in(CLAIMED),
    )
    y_scale = alt.Scale(type="log", clamp=True, domain=[0.1, 10])
    palette = alt.Scale(domain=groups, range=GROUP_COLOURS[1:])
    x = alt.X("period:N", title=None, sort=periods, axis=alt.Axis(labelAngle=-30))
    base = alt.Chart()
    layers = alt.layer(
        base.mark_rule(color=NATIONAL, strokeDash=[4, 4]).encode(y=alt.datum(1.0)),
        base.mark_line(strokeWidth=1.5).encode(
            x=x, y=alt.Y("rri:Q", scale=y_scale, title="Index (log scale)"), color=alt.Color("group:N", scale=palette, title="Ethnic group"),
            strokeDash=alt.StrokeDash("group:N", legend=None),
        ),
        # one legend for colour, shape and fill (filled: the interval excludes 1 in that period)
        base.mark_point(size=50, strokeWidth=2, filled=False).encode(
            x=x, y=alt.Y("rri:Q", scale=y_scale),
            color=alt.Color("group:N", scale=palette, title="Ethnic group"),
            shape=alt.Shape("group:N", scale=alt.Scale(domain=groups), title="Ethnic group"),
            fill=alt.Fill("group:N", scale=palette, title="Ethnic group"),
            fillOpacity=alt.condition("datum.claimed", alt.value(1.0), alt.value(0.0)),
            tooltip=["period:N", "stage_label:N", "group:N", alt.Tooltip("rri:Q", format=".2f"), alt.Tooltip("rri_low:Q", format=".2f"), alt.Tooltip("rri_high:Q", format=".2f")],
        ),
        data=values(data),
    ).properties(width=190, height=130)
    spec = _titled(
        layers.facet(facet=alt.Facet("stage_label:N", title=None, sort=stages_with), columns=3),
        trend_title(report),
        f"Each period is {report.period.quarters} quarter{'s' if report.period.quarters > 1 else ''}; filled points: the interval "
        "excludes 1 in that period. 1 (dashed) is White children's rate. Periods with too few children show wide swings.",
    )
    table = trend.select(
        pl.col("period").alias("Period"), pl.col("stage_label").alias("Stage"), pl.col("group").alias("Ethnic group"),
        pl.col("count").alias("Children (or offences)"), pl.col("rri").alias("Relative rate index"),
        pl.col("rri_low").alias("95% interval low"), pl.col("rri_high").alias("95% interval high"), pl.col("verdict").alias("Finding"),
    )
    return Chart("trend", trend_title(report), spec, table)


#: Each chart by name, in page order; the pies are drawn only when asked for.
CHARTS = {"population": population_chart, "pies": pie_charts, "forest": forest_chart, "trend": trend_chart}


def chart_names(*, pies: bool = False) -> list[str]:
    return [name for name in CHARTS if pies or name != "pies"]


def charts(report: DisproportionalityReport, *, pies: bool = False) -> list[Chart]:
    """Every chart of the report, in page order."""
    return [CHARTS[name](report) for name in chart_names(pies=pies)]
