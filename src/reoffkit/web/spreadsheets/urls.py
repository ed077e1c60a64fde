"""Spreadsheets in and out: importing case files, the column mapping, the case-file export."""

from django.urls import path

from reoffkit.web.spreadsheets import guide, mapping, views

service = "services/<int:service_id>/"

urlpatterns = [
    path(service + "import/", views.import_case_file, name="import"),
    path(service + "import/commit/", views.commit_case_file, name="import-commit"),
    path(service + "import/template.xlsx", views.import_template, name="import-template"),
    path(service + "import/mapping/", mapping.column_mapping, name="import-mapping"),
    path(service + "import/guide/", guide.case_file_guide, name="import-guide"),
    path(service + "export/case-file/", views.export_case_file, name="export-case-file"),
]
