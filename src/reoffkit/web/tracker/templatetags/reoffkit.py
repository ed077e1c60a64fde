"""Number formats used on every page: rates as percentages with one decimal, intervals as ranges."""

from django import template

register = template.Library()


@register.filter
def percent(value) -> str:
    """0.4461 → "44.6%"; missing → "–"."""
    if value is None:
        return "–"
    return f"{100 * float(value):.1f}%"


@register.simple_tag
def interval(low, high) -> str:
    if low is None or high is None:
        return ""
    return f"{100 * float(low):.1f}%–{100 * float(high):.1f}%"
