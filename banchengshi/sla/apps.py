from django.apps import AppConfig


class SlaConfig(AppConfig):
    name = "banchengshi.sla"
    verbose_name = "时限与工作日"
