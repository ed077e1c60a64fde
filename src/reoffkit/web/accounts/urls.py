"""Sign-in, the landing page, the audit log, users and services."""

from django.urls import path

from reoffkit.web.accounts import administration, views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("healthz", views.health, name="health"),
    path("audit/", administration.audit_log, name="audit"),
    path("manage/users/", administration.user_list, name="users"),
    path("manage/users/add/", administration.add_user, name="add-user"),
    path("manage/users/<int:user_id>/", administration.edit_user, name="edit-user"),
    path("manage/users/<int:user_id>/link/", administration.issue_link, name="user-link"),
    path("manage/users/<int:user_id>/unlock/", administration.unlock_user, name="user-unlock"),
    path("password/", views.change_password, name="change-password"),
    path("set-password/<str:uidb64>/<str:token>/", views.set_password_from_link, name="set-password"),
    path("manage/services/", administration.service_list, name="services"),
    path("manage/services/add/", administration.add_service, name="add-service"),
]
