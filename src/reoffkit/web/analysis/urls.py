"""The retrospective analysis of a completed cohort."""

from django.urls import path

from reoffkit.web.analysis import views

service = "services/<int:service_id>/"

urlpatterns = [
    path(service + "analysis/", views.analysis, name="analysis"),
    path(service + "analysis/<slug:name>.<str:fmt>", views.analysis_chart, name="analysis-chart"),
]
