"""How far through its 12 months a live cohort's reoffending usually is, and what that projects.

No official month-by-month curve of reoffending is published (docs/rules.md §9), so a live cohort is
set against the national 12-month figure scaled by the share of 12-month reoffending that has
usually happened by the same point of follow-up, estimated from completed cohorts:

binary
    Kaplan–Meier estimate F(t) of the time to first further offence (days from the index date;
    an entry still in follow-up is censored at the days it has had). The share reached by day t
    is F(t) ÷ F(end of follow-up).
frequency
    the cumulative share of all further offences of the completed entries committed by day t.

A live cohort's entries have had different lengths of follow-up, so its expected share is the
mean of the curve over its entries. With national 12-month rate p, the national figure "at the
same point" is p × that mean share; the cohort's projected 12-month rate is its observed
reoffenders ÷ Σ share (a ratio estimate). Worked example: 40 entries each 91 days in, a curve
reaching 0.45 at day 91, 9 reoffenders so far → expected share 0.45, projected 12-month binary
rate 9 ÷ (40 × 0.45) = 0.5; national 0.404 becomes 0.404 × 0.45 = 0.182 at this point.

The projected interval scales the cohort's own interval by the same factor: it carries the
uncertainty of a small cohort, not that of the curve (which is shown with its basis instead).
Frequency intervals are t intervals on the mean number of further offences per child.

When the completed cohorts hold fewer than ``min_reoffenders`` reoffenders, the curve falls back
to a straight line (the same share of reoffending in every day of follow-up) and says so.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

#: Days in the longest 12-month follow-up (a year holding 29 February).
FOLLOW_UP_DAYS = 366
MIN_REOFFENDERS = 20


def kaplan_meier(durations: np.ndarray, observed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The Kaplan–Meier survival estimate: distinct event times and S(t) just after each.

    ``durations`` are days to the event or to censoring; ``observed`` says which ended in the event.
    """
    durations = np.asarray(durations, dtype=float)
    observed = np.asarray(observed, dtype=bool)
    times = np.unique(durations[observed])
    if times.size == 0:
        return times, np.ones(0)
    at_risk = durations.size - np.searchsorted(np.sort(durations), times, side="left")
    events = np.bincount(np.searchsorted(times, durations[observed]), minlength=times.size)
    return times, np.cumprod(1.0 - events / at_risk)


def _step(times: np.ndarray, values: np.ndarray, grid: np.ndarray, before: float) -> np.ndarray:
    """A right-continuous step function (``values[i]`` from ``times[i]``) evaluated on ``grid``."""
    position = np.searchsorted(times, grid, side="right") - 1
    return np.where(position >= 0, values[np.clip(position, 0, None)] if values.size else before, before)


@dataclass(frozen=True)
class FollowUpCurve:
    """Share of 12-month reoffending reached by each day of follow-up (index 0 … ``FOLLOW_UP_DAYS``)."""

    binary_share: np.ndarray
    frequency_share: np.ndarray
    basis: str
    entries: int
    reoffenders: int
    reoffences: int
    modelled_from_data: bool

    def binary_at(self, days) -> np.ndarray:
        return self.binary_share[np.clip(np.asarray(days, dtype=int), 0, FOLLOW_UP_DAYS)]

    def frequency_at(self, days) -> np.ndarray:
        return self.frequency_share[np.clip(np.asarray(days, dtype=int), 0, FOLLOW_UP_DAYS)]

    def table(self) -> pl.DataFrame:
        """The curve by whole month of follow-up (0–12), for charts and downloads."""
        months = np.arange(13)
        days = np.minimum(np.round(months * FOLLOW_UP_DAYS / 12).astype(int), FOLLOW_UP_DAYS)
        return pl.DataFrame(
            {"month": months, "day": days, "binary_share": self.binary_at(days), "frequency_share": self.frequency_at(days)}
        )


def straight_line(basis: str) -> FollowUpCurve:
    share = np.arange(FOLLOW_UP_DAYS + 1) / FOLLOW_UP_DAYS
    return FollowUpCurve(share, share.copy(), basis, 0, 0, 0, modelled_from_data=False)


def follow_up_curve(completed: pl.DataFrame, *, described_as: str, min_reoffenders: int = MIN_REOFFENDERS) -> FollowUpCurve:
    """The curve estimated from ``completed`` entries (an entry table whose follow-up is over).

    ``described_as`` names where the entries came from ("12 completed quarterly cohorts of
    Leicester, 2022Q1–2024Q4"); it is kept in ``basis``.
    """
    elapsed = completed["follow_up_days_elapsed"].to_numpy().astype(float)
    first = completed["days_to_first_further_offence"].fill_null(-1).to_numpy().astype(float)
    reoffended = first > 0
    reoffenders = int(reoffended.sum())
    offence_days = (
        completed.select("index_date", "further_offence_dates")
        .explode("further_offence_dates")
        .drop_nulls()
        .select((pl.col("further_offence_dates") - pl.col("index_date")).dt.total_days())
        .to_series()
        .to_numpy()
    )
    if reoffenders < min_reoffenders:
        return straight_line(
            f"straight line (same share of reoffending each day): {described_as} hold {reoffenders} reoffender"
            f"{'' if reoffenders == 1 else 's'}, fewer than the {min_reoffenders} needed to estimate a curve"
        )
    durations = np.where(reoffended, first, elapsed)
    times, survival = kaplan_meier(durations, reoffended)
    grid = np.arange(FOLLOW_UP_DAYS + 1)
    reached = 1.0 - _step(times, survival, grid, before=1.0)
    binary = reached / reached[-1]
    counted = np.bincount(np.clip(offence_days.astype(int), 0, FOLLOW_UP_DAYS), minlength=FOLLOW_UP_DAYS + 1).cumsum()
    frequency = counted / counted[-1]
    return FollowUpCurve(
        binary,
        frequency,
        f"Kaplan–Meier from {described_as}: {completed.height} children, {reoffenders} reoffenders, {offence_days.size} further offences",
        completed.height,
        reoffenders,
        int(offence_days.size),
        modelled_from_data=True,
    )


def mean_interval(values: np.ndarray) -> tuple[float | None, float | None]:
    """95% t interval on the mean of ``values`` (None with fewer than two values); never below 0."""
    from scipy import stats

    values = np.asarray(values, dtype=float)
    if values.size < 2:
        return None, None
    mean = values.mean()
    half = stats.t.ppf(0.975, values.size - 1) * values.std(ddof=1) / np.sqrt(values.size)
    return max(0.0, mean - half), mean + half


def two_proportion_test(successes_a: int, trials_a: int, successes_b: int, trials_b: int) -> float | None:
    """Two-sided p-value that two binary rates differ (pooled z test); None if either is empty or
    both rates are 0 or 1 (nothing to test)."""
    from statsmodels.stats.proportion import proportions_ztest

    if min(trials_a, trials_b) == 0:
        return None
    pooled = (successes_a + successes_b) / (trials_a + trials_b)
    if pooled in (0.0, 1.0):
        return None
    _, p_value = proportions_ztest([successes_a, successes_b], [trials_a, trials_b])
    return float(p_value)


def mean_difference_test(values_a: np.ndarray, values_b: np.ndarray) -> float | None:
    """Two-sided Welch t-test p-value that two means differ; None with fewer than two values in either."""
    from scipy import stats

    values_a, values_b = np.asarray(values_a, dtype=float), np.asarray(values_b, dtype=float)
    if min(values_a.size, values_b.size) < 2 or (values_a.std() == 0 and values_b.std() == 0):
        return None
    return float(stats.ttest_ind(values_a, values_b, equal_var=False).pvalue)


@dataclass(frozen=True)
class Projection:
    """A live cohort against the curve: expected shares, and its projected 12-month rates."""

    binary_share: float
    frequency_share: float
    projected_binary: float | None
    projected_binary_low: float | None
    projected_binary_high: float | None
    projected_frequency: float | None
    projected_frequency_low: float | None
    projected_frequency_high: float | None


def project(entries: pl.DataFrame, curve: FollowUpCurve, *, binary_interval: tuple, frequency_interval: tuple) -> Projection:
    """Project a live cohort (its entry table) to 12 months; the intervals are the cohort's own."""
    days = entries["follow_up_days_elapsed"].to_numpy()
    if days.size == 0:
        return Projection(0.0, 0.0, None, None, None, None, None, None)
    binary_share = float(curve.binary_at(days).mean())
    frequency_share = float(curve.frequency_at(days).mean())

    def scaled(value, share, cap=None):
        if value is None or share <= 0:
            return None
        result = value / share
        return min(result, cap) if cap is not None else result

    reoffenders = int((entries["further_offences"] > 0).sum())
    reoffences = int(entries["further_offences"].sum())
    n = entries.height
    return Projection(
        binary_share,
        frequency_share,
        scaled(reoffenders / n, binary_share, 1.0),
        scaled(binary_interval[0], binary_share, 1.0),
        scaled(binary_interval[1], binary_share, 1.0),
        scaled(reoffences / n, frequency_share),
        scaled(frequency_interval[0], frequency_share),
        scaled(frequency_interval[1], frequency_share),
    )
