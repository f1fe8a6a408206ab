from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "banchengshi.accounts"
    verbose_name = "组织与账号"

    def ready(self) -> None:
        from banchengshi.accounts import checks  # noqa: F401  registers the system checks
