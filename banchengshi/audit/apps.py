from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "banchengshi.audit"
    verbose_name = "审计"

    def ready(self) -> None:
        from django.contrib.auth import signals as auth_signals
        from django.db.backends.signals import connection_created

        from banchengshi.audit import sign_ins
        from banchengshi.audit.guard import register_sqlite_function

        connection_created.connect(register_sqlite_function, dispatch_uid="audit_guard_function")
        # Django's own hooks for sign-in, sign-out and failure: the one place they can be observed.
        auth_signals.user_logged_in.connect(sign_ins.logged_in, dispatch_uid="audit_logged_in")
        auth_signals.user_logged_out.connect(sign_ins.logged_out, dispatch_uid="audit_logged_out")
        auth_signals.user_login_failed.connect(sign_ins.login_failed, dispatch_uid="audit_login_failed")
