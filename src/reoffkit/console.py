"""Plain-text tables for the terminal: what ``reoffkit measures`` and the demo print."""

from __future__ import annotations

import datetime as dt

MEASURE_HEADERS = [
    "group",
    "cohort",
    "reoffenders",
    "reoffences",
    "binary rate",
    "95% interval",
    "per cohort member",
    "per reoffender",
]


def cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def percent(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.1f}%"


def number(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def render_table(rows: list[list[str]], headers: list[str]) -> str:
    widths = [max(len(str(h)), *(len(r[i]) for r in rows)) if rows else len(str(h)) for i, h in enumerate(headers)]
    lines = ["  ".join(str(h).ljust(w) for h, w in zip(headers, widths))]
    lines.append("  ".join("-" * w for w in widths))
    lines.extend("  ".join(c.rjust(w) if c[:1].isdigit() or c[:1] in "–-" else c.ljust(w) for c, w in zip(r, widths)) for r in rows)
    return "\n".join(lines)


def measure_row(label: str, m: dict) -> list[str]:
    """One row of :data:`MEASURE_HEADERS` from a measures dictionary."""
    interval = "–" if m["binary_ci_low"] is None else f"{percent(m['binary_ci_low'])}–{percent(m['binary_ci_high'])}"
    return [
        label,
        str(m["cohort_size"]),
        str(m["reoffenders"]),
        str(m["reoffences"]),
        percent(m["binary_rate"]),
        interval,
        number(m["frequency_rate"]),
        number(m["reoffences_per_reoffender"]),
    ]
