"""Every URL of the application: each tool's own ``urls.py``. URL names are global (no namespaces)."""

from django.urls import include, path

urlpatterns = [
    path("", include("reoffkit.web.accounts.urls")),
    path("", include("reoffkit.web.tracker.urls")),
    path("", include("reoffkit.web.spreadsheets.urls")),
    path("", include("reoffkit.web.performance.urls")),
    path("", include("reoffkit.web.analysis.urls")),
    path("", include("reoffkit.web.jobs.urls")),
    path("", include("reoffkit.web.disproportionality.urls")),
    path("", include("reoffkit.web.board.urls")),
    path("", include("reoffkit.web.compare.urls")),
]

# A parameter that cannot be used: the 400 page says which and what was expected.
handler400 = "reoffkit.web.tracker.views.errors.bad_request"
