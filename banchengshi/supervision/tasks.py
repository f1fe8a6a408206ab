"""Periodic job of 反馈整改: an item past its due time is noted once (an audit event) and its unit's
handlers and heads get an in-app reminder, as overdue case clocks are (cases.tasks)."""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from banchengshi.accounts.choices import Role
from banchengshi.accounts.models import User
from banchengshi.audit.events import record_event
from banchengshi.notify.periodic import once_per_period
from banchengshi.notify.services import queue_inapp
from banchengshi.supervision.models import Rectification
from banchengshi.supervision.selectors import RUNNING_RECTIFICATION

RECIPIENT_ROLES = (Role.HANDLER, Role.CENTER_HEAD)


def note_overdue_rectifications() -> int:
    """Each running item past its due time, once: an event, and a reminder to its unit."""
    now = timezone.now()
    noted = 0
    with transaction.atomic():
        overdue = Rectification.objects.select_for_update(of=("self",)).select_related("unit").filter(
            status__in=RUNNING_RECTIFICATION, overdue_noted_at__isnull=True, due_at__lt=now
        )
        for item in overdue:
            item.overdue_noted_at = now
            item.save(update_fields=["overdue_noted_at"])
            record_event("rectification_overdue", at=now, rectification=item.pk, unit=item.unit.name,
                         subject=item.subject, due_at=item.due_at)
            link = reverse("rectification", args=[item.pk])
            for user_id in User.objects.filter(is_active=True, unit_id=item.unit_id, role__in=RECIPIENT_ROLES).values_list("pk", flat=True):
                queue_inapp(user_id, f"反馈整改已超期：{item.subject}", f"整改期限 {timezone.localtime(item.due_at):%Y-%m-%d %H:%M}，请尽快完成整改并上传佐证材料。",
                            link=link, subject=f"rectification:{item.pk}")
            noted += 1
    return noted


@db_periodic_task(crontab(minute="*/5"))
@once_per_period("note_overdue_rectifications", minutes=5)
def note_overdue_rectifications_task() -> int | None:
    return note_overdue_rectifications()
