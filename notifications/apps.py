from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "督办与通知"

    def ready(self) -> None:
        from notifications import signals  # noqa: F401
