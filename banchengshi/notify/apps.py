from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "banchengshi.notify"
    verbose_name = "通知"
