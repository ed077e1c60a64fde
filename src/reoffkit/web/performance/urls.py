"""Performance against projected national averages, and the reference figures it compares with."""

from django.urls import path

from reoffkit.web.performance import views

service = "services/<int:service_id>/"

urlpatterns = [
    path(service + "performance/", views.performance, name="performance"),
    path(service + "performance/<slug:name>.<str:fmt>", views.performance_chart, name="performance-chart"),
    path("reference/", views.reference_figures, name="reference"),
]
