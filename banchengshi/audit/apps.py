from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "banchengshi.audit"
    verbose_name = "审计"
