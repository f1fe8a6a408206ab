from django.apps import AppConfig


class PublicConfig(AppConfig):
    name = "banchengshi.public"
    verbose_name = "群众自助反映"
