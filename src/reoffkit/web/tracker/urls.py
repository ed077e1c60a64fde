"""The live tracker's pages: the cohort, a child's record, alerts, the review meeting, settings and
the summary for boards. Each view declares its permission (see ``permissions.py``)."""

from django.urls import path

from reoffkit.web.tracker.views import cohort, meeting, person, summary

service = "services/<int:service_id>/"
person_url = service + "people/<int:person_id>/"

urlpatterns = [
    path(service + "cohort/", cohort.cohort_list, name="cohort"),
    path(service + "my-work/", cohort.my_work, name="my-work"),
    path(service + "cohort/export/", cohort.cohort_export, name="cohort-export"),
    path(service + "cohort/add/", cohort.add_member, name="add-member"),
    path(person_url, person.person_detail, name="person"),
    path(person_url + "offences/add/", person.add_offence, name="add-offence"),
    path(person_url + "change/", person.edit_person, name="edit-person"),
    path(person_url + "offences/<int:outcome_id>/change/", person.edit_offence, name="edit-offence"),
    path(person_url + "offences/<int:outcome_id>/delete/", person.delete_offence, name="delete-offence"),
    path(person_url + "assessments/<int:assessment_id>/change/", person.edit_assessment, name="edit-assessment"),
    path(person_url + "assessments/<int:assessment_id>/delete/", person.delete_assessment, name="delete-assessment"),
    path(person_url + "actions/<int:action_id>/change/", person.edit_action, name="edit-action"),
    path(person_url + "assessments/add/", person.add_assessment, name="add-assessment"),
    path(person_url + "actions/add/", person.add_action, name="add-action"),
    path(person_url + "actions/<int:action_id>/status/", person.change_status, name="change-status"),
    path(person_url + "outcomes/<int:outcome_id>/resettlement/", person.resettlement, name="resettlement"),
    path(person_url + "police-check/", person.record_police_check, name="police-check"),
    path(service + "alerts/", meeting.alert_list, name="alerts"),
    path(service + "meeting/", meeting.review_meeting, name="meeting"),
    path(service + "settings/", meeting.service_settings, name="settings"),
    path(service + "summary/", summary.service_summary, name="summary"),
]
