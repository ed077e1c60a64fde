"""The Wilson 95% interval on every binary rate (rules.md §3), in closed form."""

import math
import subprocess
import sys

import numpy as np
import pytest

from reoffkit.engine import wilson_interval


def test_leicester_quarter_worked_by_hand():
    # 29 reoffenders in a cohort of 65, z = 1.959964 (the 97.5th percentile of the normal):
    # centre = (p + z²/2n) / (1 + z²/n), half-width = z·sqrt(p(1-p)/n + z²/4n²) / (1 + z²/n).
    z, n, p = 1.959963984540054, 65, 29 / 65
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    low, high = wilson_interval(np.array([29]), np.array([65]))
    assert low[0] == pytest.approx(centre - half, abs=1e-12)
    assert high[0] == pytest.approx(centre + half, abs=1e-12)
    # To four places, as a reader checking by hand would get them.
    assert (round(low[0], 4), round(high[0], 4)) == (0.3317, 0.5666)


def test_the_ends_and_empty_cohorts():
    low, high = wilson_interval(np.array([0, 5, 0, 3]), np.array([5, 5, 0, 0]))
    assert low[0] == 0.0 and 0 < high[0] < 1
    assert 0 < low[1] < 1 and high[1] == pytest.approx(1.0, abs=1e-15)
    assert np.isnan(low[2]) and np.isnan(high[2]) and np.isnan(low[3])


def test_agrees_with_statsmodels_on_every_small_cohort():
    from statsmodels.stats.proportion import proportion_confint

    trials = np.repeat(np.arange(1, 201), np.arange(1, 201) + 1)
    successes = np.concatenate([np.arange(0, n + 1) for n in range(1, 201)])
    low, high = wilson_interval(successes, trials)
    ref_low, ref_high = proportion_confint(successes, trials, alpha=0.05, method="wilson")
    np.testing.assert_allclose(low, ref_low, rtol=0, atol=1e-12)
    np.testing.assert_allclose(high, ref_high, rtol=0, atol=1e-12)


def test_counting_does_not_import_statsmodels():
    # statsmodels (and through it scipy.stats and pandas) took a second to import in every
    # process that counted; the interval needs none of it.
    code = (
        "import sys, numpy as np\n"
        "from reoffkit.engine import wilson_interval\n"
        "wilson_interval(np.array([1]), np.array([3]))\n"
        "print(sorted(m for m in ('statsmodels', 'scipy', 'pandas') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
