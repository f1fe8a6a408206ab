from django.apps import AppConfig


class DispatchConfig(AppConfig):
    name = "banchengshi.dispatch"
    verbose_name = "事项与派单"
