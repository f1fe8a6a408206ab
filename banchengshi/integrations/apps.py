from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "banchengshi.integrations"
    verbose_name = "上游平台对接"
