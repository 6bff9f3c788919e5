from django.apps import AppConfig


class TrackerConfig(AppConfig):
    name = "tracker"
    verbose_name = "账户与角色"

    def ready(self) -> None:
        from tracker import audit, sessions  # noqa: F401 — sessions connects its login receiver

        audit.connect()
