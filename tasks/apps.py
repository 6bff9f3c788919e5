from django.apps import AppConfig


class TasksConfig(AppConfig):
    name = "tasks"
    verbose_name = "任务落实"

    def ready(self) -> None:
        from tasks import signals  # noqa: F401
