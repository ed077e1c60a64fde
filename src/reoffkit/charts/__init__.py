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

from reoffkit.cells import write_csv

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
        return write_csv(self.table)

    def to_json(self) -> str:
        return json.dumps(self.spec)


def values(frame: pl.DataFrame) -> alt.Data:
    def plain(value):
        return value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else value

    return alt.Data(values=[{k: plain(v) for k, v in row.items()} for row in frame.to_dicts()])


def titled(chart, title: str, subtitle: str = ""):
    return chart.properties(
        title=alt.TitleParams(
            textwrap.wrap(title, 72), subtitle=textwrap.wrap(subtitle, 100) if subtitle else alt.Undefined, anchor="start", fontSize=14
        ),
        width=WIDTH,
        height=HEIGHT,
    ).configure(font=FONT).configure_axis(labelFontSize=12, titleFontSize=12).configure_legend(labelFontSize=12, titleFontSize=12, orient="bottom")


def rate_axis(title: str) -> alt.Y:
    return alt.Y("value:Q", title=title, axis=alt.Axis(format=".0%"), scale=alt.Scale(zero=True))


def write_png(chart: Chart, path) -> None:
    with io.open(path, "wb") as handle:
        handle.write(chart.png())


#: Colour of groups too small to compare (greyed, never named in a finding).
SMALL = "#b1b4b6"
#: Characters per line of a wrapped axis label.
LABEL_WIDTH = 34


def wrap_label(text: str, width: int = LABEL_WIDTH) -> str:
    """A label broken into lines of at most ``width`` characters (joined by newlines): charts draw
    each line, so no label is cut short."""
    return "\n".join(textwrap.wrap(text, width)) or text


def rates_chart(name: str, table: pl.DataFrame, title: str, *, label: str = "label", national: float | None = None, national_label: str = "", small_below: int = 10) -> Chart:
    """Binary rate by group as horizontal points with 95% intervals, each labelled with its size;
    ``table`` has ``label``, ``cohort_size``, ``binary_rate``, ``binary_ci_low``, ``binary_ci_high``,
    and ``small`` (groups under ``small_below`` children: greyed, and said to be too few to compare).
    Long labels wrap onto several lines."""
    small = pl.col("small") if "small" in table.columns else pl.col("cohort_size").fill_null(0) < small_below
    data = table.select(
        label=pl.col(label).cast(pl.String),
        children=pl.col("cohort_size"),
        value=pl.col("binary_rate"),
        low=pl.col("binary_ci_low"),
        high=pl.col("binary_ci_high"),
        small=small.fill_null(True),
    ).with_columns(
        group=pl.col("label") + pl.lit(" (") + pl.col("children").cast(pl.String).fill_null("withheld")
        + pl.when(pl.col("children") == 1).then(pl.lit(" child")).otherwise(pl.lit(" children"))
        + pl.when(pl.col("small")).then(pl.lit(", too few to compare)")).otherwise(pl.lit(")")),
        compared=pl.when(pl.col("small")).then(pl.lit(f"under {small_below} children: too few to compare")).otherwise(pl.lit("compared")),
    ).with_columns(group=pl.col("group").map_elements(wrap_label, return_dtype=pl.String))
    y = alt.Y("group:N", title=None, sort=None, axis=alt.Axis(labelExpr="split(datum.label, '\\n')", labelLimit=0))
    colour = alt.Color("compared:N", title="Groups", scale=alt.Scale(domain=["compared", f"under {small_below} children: too few to compare"], range=[LOCAL, SMALL]), legend=alt.Legend(labelLimit=0))
    drawn = data.filter(pl.col("value").is_not_null())  # a withheld rate has no point (its table row says so)
    base = alt.Chart(values(drawn)).encode(y=y)
    layers = [
        base.mark_rule().encode(x=alt.X("low:Q", title="Binary rate (95% interval)", axis=alt.Axis(format=".0%"), scale=alt.Scale(domain=[0, 1])), x2="high:Q", color=colour),
        base.mark_point(filled=True, size=70).encode(x="value:Q", color=colour, tooltip=["group:N", alt.Tooltip("value:Q", format=".1%")]),
    ]
    subtitle = f"Each group with its number of children; bars are 95% intervals — wide bars mean few children. Grey: under {small_below} children, too few to compare."
    if national is not None:
        layers.append(alt.Chart(values(pl.DataFrame({"national": [national]}))).mark_rule(color=NATIONAL, strokeDash=[6, 4], size=2).encode(x="national:Q"))
        subtitle += f" Dashed line: {national_label or 'national'} {100 * national:.1f}%."
    lines = sum(text.count("\n") + 1 for text in drawn["group"].to_list())
    # Room to the left of the labels in case the reader's browser draws them in a wider font than the server measured.
    longest = max((len(line) for text in drawn["group"].to_list() for line in text.split("\n")), default=0)
    spec = titled(alt.layer(*layers), title, subtitle).properties(
        height=max(60, 16 * lines + 14 * drawn.height), padding={"left": 5 + round(1.6 * longest), "top": 5, "right": 5, "bottom": 5}
    )
    out = data.select(
        pl.col("label").alias("Group"), pl.col("children").alias("Children"), pl.col("value").alias("Binary rate"),
        pl.col("low").alias("95% interval low"), pl.col("high").alias("95% interval high"),
        pl.col("small").alias(f"Under {small_below} children (too few to compare)"),
    )
    return Chart(name, title, spec, out)


def bars_chart(name: str, table: pl.DataFrame, *, category: str, value: str, title: str, axis_title: str, subtitle: str = "") -> Chart:
    spec = titled(
        alt.Chart(values(table)).mark_bar(color=LOCAL).encode(
            y=alt.Y(f"{category}:N", title=None, sort=None),
            x=alt.X(f"{value}:Q", title=axis_title),
            tooltip=[f"{category}:N", f"{value}:Q"],
        ),
        title,
        subtitle,
    ).properties(height=max(60, 24 * table.height))
    return Chart(name, title, spec, table.select(pl.col(category).alias(category.replace("_", " ").capitalize()), pl.col(value).alias(axis_title)))
