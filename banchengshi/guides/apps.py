from django.apps import AppConfig


class GuidesConfig(AppConfig):
    name = "banchengshi.guides"
    verbose_name = "办事指南"
