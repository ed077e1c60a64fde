"""``{% load action_plan %}{% plan_due service %}``: the overdue and due-soon action plan items the
user may see, for the alerts and review-meeting pages (one line in their templates)."""

from __future__ import annotations

import datetime as dt

from django import template

register = template.Library()


@register.inclusion_tag("board/includes/due.html", takes_context=True)
def plan_due(context, service):
    from reoffkit.web.board.queries import due_items

    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    items = due_items(user, service, today=dt.date.today()) if user is not None and user.is_authenticated else []
    return {"service": service, "items": items}


@register.simple_tag(takes_context=True)
def add_from_finding(context, service, kind: str, reference: str, finding: str):
    """A link to add an action plan item from a finding, the issue filled in (only for editors:
    the request's user, or ``plan_editor`` in a kept fragment's context, which is keyed by role)."""
    from urllib.parse import urlencode

    from django.urls import reverse
    from django.utils.html import format_html

    from reoffkit.web.board.queries import can_edit

    editor = context.get("plan_editor")
    if editor is None:
        request = context.get("request")
        editor = request is not None and can_edit(request.user)
    if not editor:
        return ""
    query = urlencode({"source": kind, "source_ref": str(reference)[:300], "issue": str(finding).rstrip(".")[:1000] + "."})
    return format_html(
        '<a class="govuk-link rk-no-print rk-add-action" href="{}?{}">Add an action from this finding</a>',
        reverse("plan-add", args=[service.pk]), query,
    )
