"""Statistics for the retrospective analysis of a completed cohort (the lines of enquiry of docs/rules.md §10).

Everything takes the engine's entry table (:func:`reoffkit.engine.entry_table`), and for
seriousness the further offences (:func:`reoffkit.engine.further_offences`). Pure: frames in,
frames or small dataclasses out.

Worked examples are in the tests (``tests/unit/test_analysis_engine.py``), each by hand.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from reoffkit.engine.measures import measures_by, wilson_interval
from reoffkit.engine.performance import kaplan_meier

#: A group smaller than this is flagged "small: interpret with care" (its interval is wide).
SMALL_GROUP = 10

#: Score bands by tool: Asset scores banded as the Scaled Approach does (0–14 low, 15–32 medium,
#: 33+ high); AssetPlus scores are YOGRS percentages, banded in quarters.
SCORE_BANDS: dict[str, tuple[tuple[float, float, str], ...]] = {
    "asset": ((0, 14, "Asset 0–14"), (15, 32, "Asset 15–32"), (33, 48, "Asset 33–48")),
    "assetplus": ((0, 24, "YOGRS 0–24%"), (25, 49, "YOGRS 25–49%"), (50, 74, "YOGRS 50–74%"), (75, 100, "YOGRS 75–100%")),
}


def profile(entries: pl.DataFrame, by: str) -> pl.DataFrame:
    """Measures by group with each group's share of the cohort and of all further offences, and a
    ``small`` flag."""
    table = measures_by(entries, by)
    total_children = max(int(table["cohort_size"].sum()), 1)
    total_offences = int(table["reoffences"].sum())
    return table.rename({by: "group"}).with_columns(
        pl.col("group").cast(pl.String),
        share_of_cohort=pl.col("cohort_size") / total_children,
        share_of_reoffences=(pl.col("reoffences") / total_offences) if total_offences else pl.lit(None, pl.Float64),
        small=pl.col("cohort_size") < SMALL_GROUP,
    )


def offence_count_distribution(entries: pl.DataFrame) -> pl.DataFrame:
    """Children by number of further offences (0, 1, 2, …), with shares."""
    counts = entries.group_by("further_offences").len("children").sort("further_offences")
    return counts.with_columns(share_of_children=pl.col("children") / max(entries.height, 1))


def pareto(entries: pl.DataFrame) -> pl.DataFrame:
    """Reoffenders from most to fewest further offences, with the running share of all further
    offences they account for."""
    reoffenders = entries.filter(pl.col("further_offences") > 0).sort(["further_offences", "entry_id"], descending=[True, False])
    total = max(int(reoffenders["further_offences"].sum()), 1)
    return reoffenders.select(
        rank=pl.int_range(1, pl.len() + 1),
        further_offences="further_offences",
        cumulative_share_of_reoffenders=pl.int_range(1, pl.len() + 1) / pl.len(),
        cumulative_share_of_reoffences=pl.col("further_offences").cum_sum() / total,
    )


@dataclass(frozen=True)
class Concentration:
    children: int
    reoffences: int
    share_of_cohort: float | None
    share_of_reoffences: float | None


def concentration(entries: pl.DataFrame, mask: pl.Expr) -> Concentration:
    """How many children match ``mask`` and what share of all further offences they committed."""
    chosen = entries.filter(mask)
    total = int(entries["further_offences"].sum())
    return Concentration(
        chosen.height,
        int(chosen["further_offences"].sum()),
        chosen.height / entries.height if entries.height else None,
        int(chosen["further_offences"].sum()) / total if total else None,
    )


def first_within(months: int) -> pl.Expr:
    """Entries whose first further offence came within ``months`` calendar months of the index date."""
    return pl.col("first_further_offence_date").is_not_null() & (
        pl.col("first_further_offence_date") <= pl.col("index_date").dt.offset_by(f"{months}mo")
    )


def time_to_first(entries: pl.DataFrame, by: str | None = None) -> pl.DataFrame:
    """Kaplan–Meier of the days to the first further offence, by group: one row per group and
    event day with ``reoffended_share`` (1 − S). Entries are censored at their follow-up so far."""
    rows = []
    groups = [("All", entries)] if by is None else [(str(key[0]), frame) for key, frame in entries.group_by(by, maintain_order=True)]
    for name, frame in sorted(groups, key=lambda g: g[0]):
        first = frame["days_to_first_further_offence"].fill_null(-1).to_numpy()
        observed = first > 0
        durations = np.where(observed, first, frame["follow_up_days_elapsed"].to_numpy())
        times, survival = kaplan_meier(durations, observed)
        rows.append({"group": name, "day": 0, "reoffended_share": 0.0, "children": frame.height})
        rows.extend({"group": name, "day": int(t), "reoffended_share": float(1 - s), "children": frame.height} for t, s in zip(times, survival))
    return pl.DataFrame(rows, schema={"group": pl.String, "day": pl.Int64, "reoffended_share": pl.Float64, "children": pl.Int64})


def median_days(curve: pl.DataFrame) -> int | None:
    """The first day by which half the group had reoffended (None if fewer than half did)."""
    reached = curve.filter(pl.col("reoffended_share") >= 0.5)
    return None if reached.is_empty() else int(reached["day"].min())


def auc_with_interval(scores: np.ndarray, outcomes: np.ndarray) -> tuple[float, float, float] | None:
    """Area under the ROC curve (the c-statistic: the chance a random reoffender scored higher than
    a random non-reoffender, ties counting half) with a 95% interval by Hanley and McNeil (1982).
    None unless there are both reoffenders and non-reoffenders."""
    from scipy.stats import rankdata

    scores = np.asarray(scores, dtype=float)
    outcomes = np.asarray(outcomes, dtype=bool)
    positives, negatives = int(outcomes.sum()), int((~outcomes).sum())
    if positives == 0 or negatives == 0:
        return None
    ranks = rankdata(scores)
    auc = (ranks[outcomes].sum() - positives * (positives + 1) / 2) / (positives * negatives)
    q1, q2 = auc / (2 - auc), 2 * auc**2 / (1 + auc)
    variance = (auc * (1 - auc) + (positives - 1) * (q1 - auc**2) + (negatives - 1) * (q2 - auc**2)) / (positives * negatives)
    half = 1.959964 * np.sqrt(max(variance, 0.0))
    return float(auc), float(max(0.0, auc - half)), float(min(1.0, auc + half))


def with_score_band(entries: pl.DataFrame) -> pl.DataFrame:
    expression = pl.lit(None, pl.String)
    for tool, bands in SCORE_BANDS.items():
        for low, high, label in reversed(bands):
            expression = pl.when((pl.col("assessment_tool") == tool) & pl.col("assessment_score").is_between(low, high + 0.999)).then(pl.lit(label)).otherwise(expression)
    return entries.with_columns(score_band=expression.fill_null("no score"))


def discrimination(entries: pl.DataFrame, by: str | None = None) -> pl.DataFrame:
    """AUC of the assessment score for reoffending, per tool (scores of different tools are not
    comparable), overall or by group."""
    rows = []
    scored = entries.filter(pl.col("assessment_score").is_not_null() & pl.col("assessment_tool").is_in(list(SCORE_BANDS)))
    keys = ["assessment_tool"] + ([by] if by else [])
    for key, frame in sorted(scored.group_by(keys), key=lambda item: tuple(str(k) for k in item[0])):
        found = auc_with_interval(frame["assessment_score"].to_numpy(), frame["further_offences"].to_numpy() > 0)
        rows.append(
            {
                "tool": key[0],
                "group": "All" if by is None else str(key[1]),
                "children": frame.height,
                "reoffenders": int((frame["further_offences"] > 0).sum()),
                "auc": None if found is None else found[0],
                "auc_ci_low": None if found is None else found[1],
                "auc_ci_high": None if found is None else found[2],
            }
        )
    schema = {"tool": pl.String, "group": pl.String, "children": pl.Int64, "reoffenders": pl.Int64, "auc": pl.Float64, "auc_ci_low": pl.Float64, "auc_ci_high": pl.Float64}
    return pl.DataFrame(rows, schema=schema)


def calibration(entries: pl.DataFrame) -> pl.DataFrame:
    """AssetPlus YOGRS scores are predicted percentages: their mean against the observed binary
    rate, per score band, with a Wilson interval on the observed rate."""
    scored = with_score_band(entries.filter((pl.col("assessment_tool") == "assetplus") & pl.col("assessment_score").is_not_null()))
    table = (
        scored.group_by("score_band")
        .agg(
            children=pl.len(),
            reoffenders=(pl.col("further_offences") > 0).sum().cast(pl.Int64),
            predicted=pl.col("assessment_score").mean() / 100,
        )
        .sort("predicted")
        .with_columns(observed=pl.col("reoffenders") / pl.col("children"))
    )
    low, high = wilson_interval(table["reoffenders"].to_numpy(), table["children"].to_numpy())
    return table.with_columns(observed_ci_low=pl.Series(low), observed_ci_high=pl.Series(high))


CRITICAL_FEW_COLUMNS = [
    "person_id", "quarter", "index_date", "index_disposal", "intervention_level", "likelihood_band", "further_offences", "reason",
]


def critical_few(entries: pl.DataFrame, *, prolific_threshold: int = 5) -> pl.DataFrame:
    """The critical few to audit (docs/rules.md §10): prolific children (``prolific_threshold``+ further offences) who
    were on Standard or Enhanced intervention, and children on Intensive who did not reoffend."""
    prolific_low = (pl.col("further_offences") >= prolific_threshold) & pl.col("intervention_level").is_in(["standard", "enhanced"])
    intensive_none = (pl.col("further_offences") == 0) & (pl.col("intervention_level") == "intensive")
    return (
        entries.filter(prolific_low | intensive_none)
        .with_columns(
            reason=pl.when(prolific_low)
            .then(pl.format("prolific ({} further offences) on {} intervention", "further_offences", "intervention_level"))
            .otherwise(pl.lit("did not reoffend, on intensive intervention"))
        )
        .sort(["further_offences", "index_date"], descending=[True, False])
        .select(CRITICAL_FEW_COLUMNS)
    )


def seriousness(entries: pl.DataFrame, offences: pl.DataFrame) -> pl.DataFrame:
    """For each reoffender, the most serious further offence (gravity 1–8) against the index
    offence: counts of more, as and less serious, and not known."""
    worst = offences.group_by("entry_id").agg(worst_gravity=pl.col("gravity").max(), mean_gravity=pl.col("gravity").mean())
    compared = entries.filter(pl.col("further_offences") > 0).join(worst, on="entry_id", how="left").with_columns(
        comparison=pl.when(pl.col("index_gravity").is_null() | pl.col("worst_gravity").is_null())
        .then(pl.lit("not known"))
        .when(pl.col("worst_gravity") > pl.col("index_gravity"))
        .then(pl.lit("more serious"))
        .when(pl.col("worst_gravity") == pl.col("index_gravity"))
        .then(pl.lit("as serious"))
        .otherwise(pl.lit("less serious"))
    )
    order = ["more serious", "as serious", "less serious", "not known"]
    counted = compared.group_by("comparison").len("reoffenders")
    table = pl.DataFrame({"comparison": order}).join(counted, on="comparison", how="left").with_columns(pl.col("reoffenders").fill_null(0).cast(pl.Int64))
    return table.with_columns(share=pl.col("reoffenders") / max(compared.height, 1))


def gravity_table(entries: pl.DataFrame, offences: pl.DataFrame) -> pl.DataFrame:
    """Index offences and further offences by gravity (1–8)."""
    index = entries.group_by(gravity=pl.col("index_gravity")).len("index_offences")
    further = offences.group_by("gravity").len("further_offences")
    grid = pl.DataFrame({"gravity": list(range(1, 9))}, schema={"gravity": pl.Int8})
    return (
        grid.join(index.with_columns(pl.col("gravity").cast(pl.Int8)), on="gravity", how="left")
        .join(further.with_columns(pl.col("gravity").cast(pl.Int8)), on="gravity", how="left")
        .with_columns(pl.col("index_offences", "further_offences").fill_null(0).cast(pl.Int64))
    )
