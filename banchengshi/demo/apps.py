from django.apps import AppConfig


class DemoConfig(AppConfig):
    """`manage.py demo`: the fictional district in every state. It composes the whole system (accounts,
    dispatch, sla, cases, supervision), so it sits above every domain app and nothing imports it."""

    name = "banchengshi.demo"
    verbose_name = "演示数据"
