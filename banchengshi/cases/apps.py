from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "banchengshi.cases"
    verbose_name = "反映件"
