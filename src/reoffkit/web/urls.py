from django.urls import include, path

urlpatterns = [path("", include("reoffkit.web.tracker.urls"))]
