from django.apps import AppConfig


class TrackerConfig(AppConfig):
    name = "reoffkit.web.tracker"
    label = "tracker"
    verbose_name = "Live tracker"

    def ready(self) -> None:
        from reoffkit.web.tracker import signals  # noqa: F401 — login and logout audit
