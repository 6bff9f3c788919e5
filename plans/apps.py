from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "plans"
    verbose_name = "实施方案"

    def ready(self) -> None:
        from plans import signals  # noqa: F401  (connects the group-membership receiver)
