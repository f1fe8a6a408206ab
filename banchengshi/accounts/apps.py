from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "banchengshi.accounts"
    verbose_name = "组织与账号"
