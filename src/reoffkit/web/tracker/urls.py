"""Every URL of the application. Each view declares its permission (see ``permissions.py``)."""

from django.urls import path

from reoffkit.web.tracker.views import account, admin, analysis, cohort, importing, mapping, meeting, performance, person, summary

service = "services/<int:service_id>/"
person_url = service + "people/<int:person_id>/"

urlpatterns = [
    path("", account.home, name="home"),
    path("login/", account.LoginView.as_view(), name="login"),
    path("logout/", account.logout_view, name="logout"),
    path("healthz", account.health, name="health"),
    # The live tracker
    path(service + "cohort/", cohort.cohort_list, name="cohort"),
    path(service + "cohort/export/", cohort.cohort_export, name="cohort-export"),
    path(service + "cohort/add/", cohort.add_member, name="add-member"),
    path(service + "import/", importing.import_case_file, name="import"),
    path(service + "import/commit/", importing.commit_case_file, name="import-commit"),
    path(service + "import/progress/<str:token>/", importing.import_progress, name="import-progress"),
    path(service + "import/template.xlsx", importing.import_template, name="import-template"),
    path(service + "import/mapping/", mapping.column_mapping, name="import-mapping"),
    path(service + "export/case-file/", importing.export_case_file, name="export-case-file"),
    path(person_url, person.person_detail, name="person"),
    path(person_url + "offences/add/", person.add_offence, name="add-offence"),
    path(person_url + "assessments/add/", person.add_assessment, name="add-assessment"),
    path(person_url + "actions/add/", person.add_action, name="add-action"),
    path(person_url + "actions/<int:action_id>/status/", person.change_status, name="change-status"),
    path(person_url + "outcomes/<int:outcome_id>/resettlement/", person.resettlement, name="resettlement"),
    path(person_url + "police-check/", person.record_police_check, name="police-check"),
    path(service + "alerts/", meeting.alert_list, name="alerts"),
    path(service + "meeting/", meeting.review_meeting, name="meeting"),
    path(service + "settings/", meeting.service_settings, name="settings"),
    # Aggregates (board viewers too)
    path(service + "summary/", summary.service_summary, name="summary"),
    path(service + "performance/", performance.performance, name="performance"),
    path(service + "performance/<slug:name>.<str:fmt>", performance.performance_chart, name="performance-chart"),
    path(service + "analysis/", analysis.analysis, name="analysis"),
    path(service + "analysis/<slug:name>.<str:fmt>", analysis.analysis_chart, name="analysis-chart"),
    path("reference/", performance.reference_figures, name="reference"),
    # Administration
    path("audit/", admin.audit_log, name="audit"),
    path("manage/users/", admin.user_list, name="users"),
    path("manage/users/add/", admin.add_user, name="add-user"),
    path("manage/users/<int:user_id>/", admin.edit_user, name="edit-user"),
    path("manage/services/", admin.service_list, name="services"),
    path("manage/services/add/", admin.add_service, name="add-service"),
]
