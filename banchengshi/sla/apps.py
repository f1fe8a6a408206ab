from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


def _calendar_written(**_kwargs: Any) -> None:
    from banchengshi.sla.services import forget_calendar_check

    forget_calendar_check()


class SlaConfig(AppConfig):
    name = "banchengshi.sla"
    verbose_name = "时限与工作日"

    def ready(self) -> None:
        from banchengshi.sla.models import CalendarDay, CalendarYear

        for model in (CalendarDay, CalendarYear):
            post_save.connect(_calendar_written, sender=model, dispatch_uid=f"calendar_written_{model.__name__}")
            post_delete.connect(_calendar_written, sender=model, dispatch_uid=f"calendar_deleted_{model.__name__}")
