"""What every report page shares (performance, analysis, comparison, disproportionality): the
partnership named in the URL, charts with their table twins, and chart downloads."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.urls import reverse

from reoffkit.web.tracker.permissions import services_of_request

FORMATS = {"svg": "image/svg+xml", "png": "image/png", "csv": "text/csv; charset=utf-8"}


def partnership(request, service) -> list:
    """The service and any others named by ``?with=`` (each must be one of the user's: found in
    the list of their services the request has read already, else "not found")."""
    mine = {s.pk: s for s in services_of_request(request)} if request.GET.getlist("with") else {}
    services = [service]
    for value in request.GET.getlist("with"):
        other = mine.get(int(value)) if value.isdigit() else None
        if other is None:
            raise Http404
        if other not in services:
            services.append(other)
    return services


def partnership_query(services) -> str:
    return "&".join(f"with={s.pk}" for s in services[1:])


def _cell(value) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def chart_context(name: str, chart, *, service_id: int, download: str, query: str = "") -> dict:
    """A chart for the page: the drawing, its table twin, and download links (``download`` is the
    URL pattern's name, taking the service and the chart's name and format)."""

    def url(fmt: str) -> str:
        return reverse(download, args=[service_id, name, fmt]) + (f"?{query}" if query else "")

    return {
        "name": name,
        "urls": {fmt: url(fmt) for fmt in FORMATS},
        "chart": chart,
        # The figure around it carries the finding as its accessible name; the drawing itself is
        # hidden from assistive technology, which reads the table twin instead.
        "svg": chart.svg().replace("<svg ", '<svg aria-hidden="true" focusable="false" ', 1),
        "columns": chart.table.columns,
        "rows": [[_cell(value) for value in row] for row in chart.table.rows()],
    }




def chart_download(chart, fmt: str, *, stem: str) -> HttpResponse:
    """A chart as SVG or PNG, or its table twin as CSV, as an attachment named ``stem.FMT`` (404 for
    a missing chart or an unknown format)."""
    if chart is None or fmt not in FORMATS:
        raise Http404
    body = {"svg": chart.svg, "png": chart.png, "csv": chart.csv}[fmt]()
    response = HttpResponse(body, content_type=FORMATS[fmt])
    response["Content-Disposition"] = f'attachment; filename="{stem[:120]}.{fmt}"'
    return response


def file_stem(services, *parts: str) -> str:
    """A file name stem from the services' names and ``parts`` (lower case, hyphenated)."""
    return "-".join([*(s.name.lower().replace(" ", "-") for s in services), *parts])
