from django.apps import AppConfig


class IdempotencyConfig(AppConfig):
    name = "banchengshi.idempotency"
    verbose_name = "接口幂等"
