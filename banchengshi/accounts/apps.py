from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "banchengshi.accounts"
    verbose_name = "组织与账号"

    def ready(self) -> None:
        from axes.signals import user_locked_out
        from django.contrib.auth import signals as auth_signals

        from banchengshi.accounts import (
            checks,  # noqa: F401  registers the system checks
            lockout,
            sessions,
        )

        user_locked_out.connect(lockout.locked_out, dispatch_uid="accounts_login_locked")
        auth_signals.user_logged_in.connect(sessions.started, dispatch_uid="accounts_session_started")
