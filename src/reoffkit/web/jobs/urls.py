"""A job's page."""

from django.urls import path

from reoffkit.web.jobs import views

urlpatterns = [path("jobs/<str:job_id>/", views.job_page, name="job")]
