"""National comparison: areas of different sizes set side by side honestly (docs/rules.md §17).

Pure functions over numbers and Polars frames (no Django, no I/O, no clock):

- :func:`binary_funnel` — control limits for a binary rate around the national rate: the exact
  binomial limits with Spiegelhalter's interpolation, at 95% and 99.8% (Spiegelhalter, "Funnel
  plots for comparing institutional performance", Statistics in Medicine 24, 2005).
- :func:`frequency_funnel` — the same for reoffences per child, by the normal approximation to a
  Poisson count (λ₀ ± z·√(λ₀/n)).
- :func:`funnel_position` — inside, above or below the 95% and 99.8% limits.
- :func:`ranks` — rank among areas (1 = lowest rate) with a 95% interval by simulation: each
  area's rate is drawn from Beta(reoffenders + ½, cohort − reoffenders + ½) (the Jeffreys
  posterior), the areas are ranked in every draw, and the 2.5th and 97.5th percentiles of its ranks
  are its interval. Seeded, so the same figures give the same intervals.
- :func:`quartile` — quartile of the observed rank (1 = the lowest quarter of rates).
- :func:`change` — the change between two cohorts with a two-proportion z test.
- :func:`rag` — red/amber/green against a comparator rate: green when the whole 95% interval is
  below it, red when wholly above, amber when the comparator rate is inside the interval.
- :func:`indirect_standardisation` — the expected rate of a cohort from national rates by
  stratum; observed ÷ expected with Byar's 95% interval.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np
import polars as pl

#: Two-sided control limits: 95% (about 2 standard deviations) and 99.8% (about 3).
LEVELS: tuple[float, ...] = (0.95, 0.998)
RANK_DRAWS = 1000
RANK_SEED = 20171001
#: Strata of the expected rate, in the order they are matched (more are used when both sides have them).
STRATA: tuple[str, ...] = ("age_at_index", "sex", "tier")
POSITIONS = {
    "above_998": "above the 99.8% limit",
    "above_95": "above the 95% limit",
    "inside": "inside the funnel",
    "below_95": "below the 95% limit",
    "below_998": "below the 99.8% limit",
}


def _z(level: float) -> float:
    from scipy.stats import norm

    return float(norm.ppf(1 - (1 - level) / 2))


def _binomial_limits(n: np.ndarray, p0: float, probability: float) -> np.ndarray:
    """Spiegelhalter's interpolated binomial quantile ÷ n: r is the smallest count with
    P(R ≤ r) ≥ probability; α = (P(R ≤ r) − probability) ÷ P(R = r); the limit is (r − α) ÷ n."""
    from scipy.stats import binom

    r = binom.ppf(probability, n, p0)
    at_r, below_r = binom.cdf(r, n, p0), binom.cdf(r - 1, n, p0)
    step = at_r - below_r
    alpha = np.divide(at_r - probability, step, out=np.zeros_like(step), where=step > 0)
    return np.clip((r - alpha) / n, 0.0, 1.0)


def binary_funnel(national_rate: float, sizes: Sequence[int], levels: Sequence[float] = LEVELS) -> pl.DataFrame:
    """Lower and upper control limits of a binary rate for each cohort size: columns
    ``cohort_size``, then ``low_95``, ``high_95``, ``low_998``, ``high_998`` (for the default levels)."""
    if not 0.0 < national_rate < 1.0:
        raise ValueError(f"the national rate must be between 0 and 1, not {national_rate}")
    n = np.array(sorted({int(s) for s in sizes if s and s > 0}), dtype=float)
    columns: dict[str, object] = {"cohort_size": pl.Series(n.astype(np.int64), dtype=pl.Int64)}
    for level in levels:
        tail = (1 - level) / 2
        columns[f"low_{_label(level)}"] = pl.Series(_binomial_limits(n, national_rate, tail), dtype=pl.Float64)
        columns[f"high_{_label(level)}"] = pl.Series(_binomial_limits(n, national_rate, 1 - tail), dtype=pl.Float64)
    return pl.DataFrame(columns)


def frequency_funnel(national_rate: float, sizes: Sequence[int], levels: Sequence[float] = LEVELS) -> pl.DataFrame:
    """Control limits of reoffences per child: λ₀ ± z·√(λ₀ ÷ n), never below 0. Reoffences cluster
    in a few children, so these Poisson limits are narrow; an area outside them is worth a look,
    not a verdict."""
    if national_rate <= 0:
        raise ValueError(f"the national frequency rate must be above 0, not {national_rate}")
    rows = []
    for n in sorted({int(s) for s in sizes if s and s > 0}):
        row: dict[str, float] = {"cohort_size": n}
        for level in levels:
            half = _z(level) * math.sqrt(national_rate / n)
            row[f"low_{_label(level)}"] = max(0.0, national_rate - half)
            row[f"high_{_label(level)}"] = national_rate + half
        rows.append(row)
    return pl.DataFrame(rows, schema={"cohort_size": pl.Int64, **{f"{side}_{_label(level)}": pl.Float64 for level in levels for side in ("low", "high")}})


def _label(level: float) -> str:
    return f"{level * 100:g}".replace(".", "")


def funnel_position(rate: float | None, low_95: float, high_95: float, low_998: float, high_998: float) -> str | None:
    """Where a rate sits against its limits (a key of :data:`POSITIONS`); None without a rate."""
    if rate is None:
        return None
    if rate > high_998:
        return "above_998"
    if rate > high_95:
        return "above_95"
    if rate < low_998:
        return "below_998"
    if rate < low_95:
        return "below_95"
    return "inside"


def with_funnel(areas: pl.DataFrame, national_rate: float, *, measure: str = "binary") -> pl.DataFrame:
    """``areas`` (``cohort_size`` and ``binary_rate`` or ``frequency_rate``) with its limits and position."""
    column = f"{measure}_rate"
    limits = (binary_funnel if measure == "binary" else frequency_funnel)(national_rate, areas["cohort_size"].drop_nulls().to_list())
    joined = areas.join(limits, on="cohort_size", how="left")
    positions = [
        funnel_position(row[column], row["low_95"], row["high_95"], row["low_998"], row["high_998"]) if row["low_95"] is not None else None
        for row in joined.iter_rows(named=True)
    ]
    return joined.with_columns(position=pl.Series(positions, dtype=pl.String))


@dataclass(frozen=True)
class Ranks:
    """Observed rank (1 = lowest rate; ties share the best rank), its 95% interval and quartile."""

    rank: np.ndarray
    low: np.ndarray
    high: np.ndarray
    quartile: np.ndarray
    of: int


def ranks(successes: Sequence[int], trials: Sequence[int], *, draws: int = RANK_DRAWS, seed: int = RANK_SEED) -> Ranks:
    """Rank each area's rate among all of them with a 95% interval on the rank.

    Every draw takes each area's rate from Beta(r + ½, n − r + ½), ranks the draws (1 = lowest),
    and the interval is the 2.5th to 97.5th percentile of an area's ranks over the draws."""
    r = np.asarray(successes, dtype=float)
    n = np.asarray(trials, dtype=float)
    if r.shape != n.shape or (n <= 0).any() or (r < 0).any() or (r > n).any():
        raise ValueError("every area needs a cohort above 0 and reoffenders from 0 to its cohort")
    count = r.size
    observed = _competition_rank(r / n)
    rng = np.random.default_rng(seed)
    sampled = rng.beta(r + 0.5, n - r + 0.5, size=(draws, count))
    simulated = sampled.argsort(axis=1).argsort(axis=1) + 1
    low = np.floor(np.percentile(simulated, 2.5, axis=0, method="lower")).astype(int)
    high = np.ceil(np.percentile(simulated, 97.5, axis=0, method="higher")).astype(int)
    return Ranks(rank=observed, low=low, high=high, quartile=np.array([quartile(int(k), count) for k in observed]), of=count)


def _competition_rank(values: np.ndarray) -> np.ndarray:
    """1 + the number of values strictly below each (ties share the best rank: 1, 2, 2, 4)."""
    ordered = np.sort(values)
    return np.searchsorted(ordered, values, side="left") + 1


def rank_values(values: Sequence[float]) -> np.ndarray:
    """Competition ranks (1 = lowest) of plain values, for indicators without counts to simulate."""
    return _competition_rank(np.asarray(values, dtype=float))


def quartile(rank: int, of: int) -> int:
    """1 for the lowest quarter of ranks up to 4 for the highest: ⌈4 × rank ÷ of⌉."""
    if not 1 <= rank <= of:
        raise ValueError(f"rank {rank} is not between 1 and {of}")
    return math.ceil(4 * rank / of)


@dataclass(frozen=True)
class Change:
    difference: float
    p_value: float | None

    @property
    def significant(self) -> bool:
        return self.p_value is not None and self.p_value < 0.05


def change(before_reoffenders: int, before_cohort: int, after_reoffenders: int, after_cohort: int) -> Change | None:
    """The later binary rate minus the earlier, with the two-sided p-value of the pooled
    two-proportion z test: z = (p₂ − p₁) ÷ √(p̄(1 − p̄)(1/n₁ + 1/n₂)). None if a cohort is empty."""
    if min(before_cohort, after_cohort) <= 0:
        return None
    p1, p2 = before_reoffenders / before_cohort, after_reoffenders / after_cohort
    pooled = (before_reoffenders + after_reoffenders) / (before_cohort + after_cohort)
    if pooled in (0.0, 1.0):
        return Change(p2 - p1, None)
    z = (p2 - p1) / math.sqrt(pooled * (1 - pooled) * (1 / before_cohort + 1 / after_cohort))
    return Change(p2 - p1, math.erfc(abs(z) / math.sqrt(2)))


RAG_LABELS = {"green": "Green: significantly lower", "amber": "Amber: not distinguishable", "red": "Red: significantly higher"}


def rag(low: float | None, high: float | None, comparator_rate: float | None) -> str | None:
    """Green when the whole 95% interval is below the comparator's rate (lower is better for every
    measure compared), red when wholly above it, amber when the interval holds it."""
    if low is None or high is None or comparator_rate is None:
        return None
    if high < comparator_rate:
        return "green"
    if low > comparator_rate:
        return "red"
    return "amber"


def rate_rag(rate: float | None, comparator_rate: float | None, *, margin: float = 0.05) -> str | None:
    """For indicators published without counts to give an interval: green at least ``margin``
    (relative) below the comparator, red at least ``margin`` above it, amber between."""
    if rate is None or not comparator_rate:
        return None
    relative = rate / comparator_rate - 1
    return "green" if relative <= -margin else "red" if relative >= margin else "amber"


def byar_interval(observed: float, expected: float, level: float = 0.95) -> tuple[float | None, float | None]:
    """Byar's approximation to the exact Poisson interval on observed ÷ expected:
    low = O(1 − 1/(9O) − z/(3√O))³ ÷ E; high = (O+1)(1 − 1/(9(O+1)) + z/(3√(O+1)))³ ÷ E."""
    if expected <= 0:
        return None, None
    z = _z(level)
    low = 0.0 if observed == 0 else observed * (1 - 1 / (9 * observed) - z / (3 * math.sqrt(observed))) ** 3 / expected
    o1 = observed + 1
    high = o1 * (1 - 1 / (9 * o1) + z / (3 * math.sqrt(o1))) ** 3 / expected
    return max(0.0, low), high


@dataclass(frozen=True)
class Expected:
    """A cohort's observed figures against those expected from national rates by stratum."""

    cohort_size: int
    observed_reoffenders: int
    expected_reoffenders: float
    observed_reoffences: int | None
    expected_reoffences: float | None
    ratio: float | None
    ratio_low: float | None
    ratio_high: float | None
    strata: tuple[str, ...]
    unmatched: int
    table: pl.DataFrame

    @property
    def expected_rate(self) -> float | None:
        return self.expected_reoffenders / self.cohort_size if self.cohort_size else None

    @property
    def observed_rate(self) -> float | None:
        return self.observed_reoffenders / self.cohort_size if self.cohort_size else None

    def meaning(self) -> str:
        """What the ratio says, in words."""
        if self.ratio is None or self.ratio_low is None:
            return "No expected rate: no child of the cohort matched a national stratum."
        observed = f"{self.observed_reoffenders} children reoffended where {self.expected_reoffenders:.1f} were expected"
        if self.ratio_low > 1:
            verdict = "more than children like these reoffend nationally, beyond what chance would explain"
        elif self.ratio_high < 1:
            verdict = "fewer than children like these reoffend nationally, beyond what chance would explain"
        else:
            verdict = "about as many as children like these reoffend nationally: the difference could be chance"
        return (
            f"{observed} from national rates for children of the same age, sex and disposal tier "
            f"(observed ÷ expected {self.ratio:.2f}, 95% interval {self.ratio_low:.2f} to {self.ratio_high:.2f}): {verdict}. "
            "Modelled, not an official statistic."
        )


def indirect_standardisation(cohort: pl.DataFrame, national: pl.DataFrame, *, strata: Sequence[str] | None = None) -> Expected:
    """Expected reoffenders (and reoffences) of a cohort from national rates by stratum.

    ``cohort`` has one row per child (an entry table: ``further_offences`` and the stratum
    columns) or one per stratum (``cohort_size``, ``reoffenders``, ``reoffences``). ``national``
    has the stratum columns and ``binary_rate`` (and optionally ``frequency_rate``). Strata are the
    columns both share among ``age_at_index``, ``sex``, ``tier`` and any extra the national table
    has. Expected = Σ nᵢ × pᵢ over strata; children in a stratum the national table lacks are
    counted in ``unmatched`` and left out of observed and expected alike."""
    if "further_offences" in cohort.columns:
        keys_all = [c for c in cohort.columns if c in national.columns and c not in ("binary_rate", "frequency_rate")]
        keys = list(strata) if strata else [c for c in keys_all if c in STRATA] + [c for c in keys_all if c not in STRATA]
        counts = cohort.group_by(keys).agg(
            cohort_size=pl.len().cast(pl.Int64),
            reoffenders=(pl.col("further_offences") > 0).sum().cast(pl.Int64),
            reoffences=pl.col("further_offences").sum().cast(pl.Int64),
        )
    else:
        counts = cohort
        keys = list(strata) if strata else [c for c in cohort.columns if c in national.columns and c not in ("binary_rate", "frequency_rate", "cohort_size", "reoffenders", "reoffences")]
    if not keys:
        raise ValueError(f"the cohort and the national rates share no stratum column (expected some of {', '.join(STRATA)})")
    rate_columns = ["binary_rate"] + (["frequency_rate"] if "frequency_rate" in national.columns else [])
    joined = counts.join(national.select(*keys, *rate_columns), on=keys, how="left").sort(keys)
    matched = joined.filter(pl.col("binary_rate").is_not_null())
    unmatched = int(joined.filter(pl.col("binary_rate").is_null())["cohort_size"].sum() or 0)
    table = matched.with_columns(expected_reoffenders=pl.col("cohort_size") * pl.col("binary_rate"))
    with_frequency = "frequency_rate" in rate_columns and "reoffences" in table.columns
    if with_frequency:
        table = table.with_columns(expected_reoffences=pl.col("cohort_size") * pl.col("frequency_rate"))
    size = int(table["cohort_size"].sum() or 0)
    observed = int(table["reoffenders"].sum() or 0)
    expected = float(table["expected_reoffenders"].sum() or 0.0)
    ratio = observed / expected if expected > 0 else None
    low, high = byar_interval(observed, expected) if expected > 0 else (None, None)
    return Expected(
        cohort_size=size,
        observed_reoffenders=observed,
        expected_reoffenders=expected,
        observed_reoffences=int(table["reoffences"].sum()) if "reoffences" in table.columns else None,
        expected_reoffences=float(table["expected_reoffences"].sum()) if with_frequency else None,
        ratio=ratio,
        ratio_low=low,
        ratio_high=high,
        strata=tuple(keys),
        unmatched=unmatched,
        table=table,
    )


def per_population(count: float | None, population: float | None, per: int) -> float | None:
    """A count per ``per`` children aged 10-17 (first-time entrants per 100,000, custody per 1,000)."""
    if count is None or not population:
        return None
    return count / population * per
