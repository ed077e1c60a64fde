"""The national comparison: the page, its downloads, and the loads of area figures."""

from django.urls import path

from reoffkit.web.compare import views

service = "services/<int:service_id>/"

urlpatterns = [
    path(service + "compare/", views.compare, name="compare"),
    path(service + "compare/<slug:name>.<str:fmt>", views.compare_download, name="compare-download"),
    path("national-figures/", views.figure_loads, name="national-figures"),
]
