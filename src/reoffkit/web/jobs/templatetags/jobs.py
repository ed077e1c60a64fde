"""``{% import_banner service %}``: the banner a service's pages show while an import runs into it."""

from django import template

from reoffkit.web.jobs.imports import import_running

register = template.Library()


@register.inclusion_tag("jobs/import_banner.html")
def import_banner(service):
    return {"running": import_running(service)}
