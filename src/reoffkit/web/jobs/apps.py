from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "reoffkit.web.jobs"
    label = "jobs"
    verbose_name = "Background jobs"

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("jobs")  # each app's jobs.py registers the kinds it runs
