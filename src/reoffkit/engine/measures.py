"""The reoffending measures of a cohort, overall and by group.

==========================  ================================  =====================================
measure                     formula                           Leicester Oct–Dec 2016
==========================  ================================  =====================================
binary_rate                 reoffenders ÷ cohort_size         29 ÷ 65 = 0.446 (Wilson 95% interval)
frequency_rate              reoffences ÷ cohort_size          105 ÷ 65 = 1.62 per cohort member
reoffences_per_reoffender   reoffences ÷ reoffenders          105 ÷ 29 = 3.62
==========================  ================================  =====================================

An aggregated period adds its quarterly entries together: Σ reoffenders ÷ Σ cohort. Rates are
unrounded fractions and ``None`` where the denominator is zero.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

import numpy as np
import polars as pl

from reoffkit.engine.rules import CountingRules, Period

MEASURE_COLUMNS: tuple[str, ...] = (
    "cohort_size",
    "reoffenders",
    "reoffences",
    "binary_rate",
    "binary_ci_low",
    "binary_ci_high",
    "frequency_rate",
    "reoffences_per_reoffender",
)

#: The breakdowns a cohort can be split by, each as the label it groups on.
BREAKDOWNS: dict[str, pl.Expr] = {
    "service": pl.col("service").fill_null("not known"),
    "quarter": pl.col("quarter"),
    "sex": pl.col("sex").fill_null("not known"),
    "age": pl.col("age_at_index"),
    "age_group": pl.col("age_group"),
    "ethnicity": pl.col("ethnicity").fill_null("Not known"),
    "looked_after": pl.col("looked_after").replace_strict({True: "yes", False: "no"}, default="not known", return_dtype=pl.String),
    "district": pl.col("district").fill_null("not known"),
    "yot_caseload": pl.col("yot_caseload").replace_strict({True: "yes", False: "no"}, default="not known", return_dtype=pl.String),
    "tier": pl.col("tier"),
    "index_disposal": pl.col("index_disposal"),
    "intervention_level": pl.col("intervention_level").fill_null("not assessed"),
    "likelihood_band": pl.col("likelihood_band").fill_null("not assessed"),
}


@dataclass(frozen=True)
class CohortMeasures:
    period_start: dt.date
    period_end: dt.date
    cohort_size: int
    reoffenders: int
    reoffences: int
    binary_rate: float | None
    binary_ci_low: float | None
    binary_ci_high: float | None
    frequency_rate: float | None
    reoffences_per_reoffender: float | None
    provisional: bool
    follow_up_complete_on: dt.date
    follow_up_months_elapsed: int
    as_at: dt.date

    def as_dict(self) -> dict:
        return asdict(self)


#: The 97.5th percentile of the standard normal distribution, for two-sided 95% intervals.
Z_95 = 1.959963984540054


def wilson_interval(successes: np.ndarray, trials: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score 95% interval for each proportion; NaN where there are no trials.

    centre = (p + z²/2n) / (1 + z²/n) and half-width = z·√(p(1−p)/n + z²/4n²) / (1 + z²/n), with
    p = successes ÷ n (Wilson 1927; statsmodels' ``proportion_confint(method="wilson")`` gives the
    same, and a test holds the two together)."""
    successes = np.asarray(successes, dtype=float)
    trials = np.asarray(trials, dtype=float)
    low = np.full(trials.shape, np.nan)
    high = np.full(trials.shape, np.nan)
    some = trials > 0
    if some.any():
        n = trials[some]
        p = successes[some] / n
        z2 = Z_95 * Z_95
        denominator = 1 + z2 / n
        centre = (p + z2 / (2 * n)) / denominator
        half = Z_95 * np.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denominator
        low[some], high[some] = centre - half, centre + half
    return low, high


def _counts(entries: pl.LazyFrame | pl.DataFrame, by: list[str]) -> pl.DataFrame:
    aggregations = dict(
        cohort_size=pl.len().cast(pl.Int64),
        reoffenders=(pl.col("further_offences") > 0).sum().cast(pl.Int64),
        reoffences=pl.col("further_offences").sum().cast(pl.Int64),
    )
    frame = entries.lazy()
    if by:
        grouped = frame.with_columns(BREAKDOWNS[name].alias(name) for name in by).group_by(by).agg(**aggregations).sort(by)
    else:
        grouped = frame.select(**aggregations)
    return grouped.collect()


def _with_rates(counts: pl.DataFrame) -> pl.DataFrame:
    low, high = wilson_interval(counts["reoffenders"].to_numpy(), counts["cohort_size"].to_numpy())
    def ratio(numerator: str, denominator: str) -> pl.Expr:
        return pl.when(pl.col(denominator) > 0).then(pl.col(numerator) / pl.col(denominator)).otherwise(None)

    return counts.with_columns(
        binary_rate=ratio("reoffenders", "cohort_size"),
        binary_ci_low=pl.Series(low).fill_nan(None),
        binary_ci_high=pl.Series(high).fill_nan(None),
        frequency_rate=ratio("reoffences", "cohort_size"),
        reoffences_per_reoffender=ratio("reoffences", "reoffenders"),
    )


def measures(
    entries: pl.DataFrame, *, period: Period, as_at: dt.date, rules: CountingRules = CountingRules()
) -> CohortMeasures:
    """The measures of the whole period from its entry table (see :func:`entry_table`)."""
    row = _with_rates(_counts(entries, [])).row(0, named=True)
    complete_on = period.follow_up_complete_on(rules)
    return CohortMeasures(
        period_start=period.start,
        period_end=period.end,
        **{name: row[name] for name in MEASURE_COLUMNS},
        provisional=as_at < complete_on,
        follow_up_complete_on=complete_on,
        follow_up_months_elapsed=period.follow_up_months_elapsed(as_at, rules),
        as_at=as_at,
    )


def measures_by(entries: pl.DataFrame, by: str | list[str] | tuple[str, ...]) -> pl.DataFrame:
    """The measures for each group of ``by`` (one breakdown name or several, see ``BREAKDOWNS``).

    Returns one row per group: a column per breakdown (named after it) then ``MEASURE_COLUMNS``.
    Several breakdowns at once (``["service", "quarter", "sex"]``) give every combination present.
    """
    names = [by] if isinstance(by, str) else list(by)
    unknown = [name for name in names if name not in BREAKDOWNS]
    if unknown:
        raise ValueError(f"cannot break down by {', '.join(unknown)}; expected one of {', '.join(BREAKDOWNS)}")
    return _with_rates(_counts(entries, names))
