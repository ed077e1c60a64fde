"""Reference figures labelled: each national figure on the performance page names its period and
publication; a binary rate and a frequency from different cohorts are flagged, never set side by
side unlabelled; the curve names the cohorts it came from; final dates fall at month ends."""

from __future__ import annotations

import html
import re

from django.urls import reverse

from reoffkit.reference import default_reference, national


def test_each_national_figure_on_the_page_names_its_period_and_publication(world):
    page = html.unescape(world.client("pat").get(reverse("performance", args=[world.northmoor.pk])).content.decode())
    live = page[page.index('id="live"'): page.index('id="trend"')]
    figures = default_reference()
    binary, frequency = national(figures, "quarter", "binary_rate"), national(figures, "quarter", "reoffences_per_reoffender")
    assert binary.period_label != frequency.period_label  # the shipped figures: the newest of each differ
    assert f"from {binary.period_label}" in live and f"from {frequency.period_label}" in live
    used = page[page.index("National figures used"):]
    assert f"{binary.period_label} ({binary.source})" in used and f"{frequency.period_label} ({frequency.source})" in used
    assert 'id="periods-differ"' in live and "come from different cohorts" in live
    for final in re.findall(r"final (\d{1,2} \w{3} \d{4})", live):
        assert final.split()[0] in ("30", "31"), final  # 30 Jun, 30 Sep, 31 Dec, 31 Mar — never 30 Mar or 30 Dec
        assert final.split()[:2] not in (["30", "Mar"], ["30", "Dec"])
