"""The improvement action plan and the board papers."""

from django.urls import path

from reoffkit.web.board import views

service = "services/<int:service_id>/"

urlpatterns = [
    path(service + "action-plan/", views.plan, name="plan"),
    path(service + "action-plan/add/", views.add_item, name="plan-add"),
    path(service + "action-plan/<int:item_id>/", views.item, name="plan-item"),
    path(service + "action-plan/export.xlsx", views.export_plan, name="plan-export"),
    path(service + "action-plan/import/", views.import_plan, name="plan-import"),
    path(service + "board-papers/", views.papers, name="board-papers"),
    path(service + "board-papers/<int:paper_id>/", views.paper, name="board-paper"),
    path(service + "board-papers/<int:paper_id>/paper.<str:fmt>", views.paper_file, name="board-paper-file"),
]
