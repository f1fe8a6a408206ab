from django.apps import AppConfig


class PapersConfig(AppConfig):
    name = "banchengshi.papers"
    verbose_name = "文书打印"
