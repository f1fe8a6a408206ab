from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "banchengshi.supervision"
    verbose_name = "督办与联席会议"
