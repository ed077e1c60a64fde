from django.apps import AppConfig


class BoardConfig(AppConfig):
    name = "reoffkit.web.board"
    label = "board"
    verbose_name = "Board report and improvement action plan"
