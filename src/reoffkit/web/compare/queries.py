"""What other tools read of the comparison: the board report calls :func:`comparison_summary`."""

from __future__ import annotations

from reoffkit.reports.comparison import ComparisonSummary


def comparison_summary(service, *, synthetic: bool | None = None) -> ComparisonSummary | None:
    """The service against its saved comparators (family, region, England and Wales) in its latest
    three cohorts, made fit to leave the service (counts under 5 withheld): columns and rows as text,
    findings and sources. ``None`` when the service is not among the areas of the figures loaded.
    ``synthetic``: which set of figures (by default the one the service is an area of)."""
    from django.test import RequestFactory

    from reoffkit.reports.comparison import comparison_summary as summarise
    from reoffkit.web.compare import views

    request = RequestFactory().get("/", {} if synthetic is None else {"figures": "synthetic" if synthetic else "published"})
    shown = views._shown(request, service)
    if shown.focus_code is None:
        return None
    chosen = {"groups": list(views.DEFAULT), "areas": [], "basis": "aggregated_quarters", "cohorts": 3}
    report, _ = views._report(service, synthetic=shown.synthetic, chosen=chosen, focus_code=shown.focus_code, rag_against=shown.rag_against,
                              shared=True, signature=shown.signature)
    return summarise(report)
