"""The 400 page: which parameter could not be used, what it held and what was expected."""

from __future__ import annotations

from django.shortcuts import render

from reoffkit.web.tracker.params import BadParameter


def bad_request(request, exception=None):
    problem = exception if isinstance(exception, BadParameter) else None
    return render(request, "400.html", {"problem": problem}, status=400)
