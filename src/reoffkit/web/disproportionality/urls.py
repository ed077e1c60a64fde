"""Ethnic disproportionality: the page, its downloads, population tables and a service's areas."""

from django.urls import path

from reoffkit.web.disproportionality import views

service = "services/<int:service_id>/"

urlpatterns = [
    path(service + "disproportionality/", views.disproportionality, name="disproportionality"),
    path(service + "disproportionality/<slug:name>.<str:fmt>", views.disproportionality_download, name="disproportionality-download"),
    path(service + "disproportionality/population/", views.service_population, name="service-population"),
    path("population/", views.population_tables, name="population-tables"),
]
