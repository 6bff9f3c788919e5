from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "plans"
    verbose_name = "实施方案"
