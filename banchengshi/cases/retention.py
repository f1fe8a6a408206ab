"""Retention of the reporter's personal information (PIPL art. 19: kept no longer than its purpose needs).

A case closed for good (closed, or visited without a complaint awaiting re-supervision) whose closure is
older than settings.PII_RETENTION_DAYS (default 1095 days, three years) is anonymised: the reporter's name
becomes its first character and one star (张*, however long the name was), the phone and its lookup hash are
cleared (statistics use nothing of the phone), the SMS sent to that phone lose their
recipient. Everything else stays: the problem, the demand, the replies and every time, status, unit, clock
and rating that a statistic counts. The reporter can no longer follow the case with the phone's last four
digits, which after three years is the point.

Run daily by the job worker (cases/tasks.py) and by `manage.py anonymise_cases`; each run is one audit event
with the number of cases, whatever the number.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from banchengshi.accounts.models import User
from banchengshi.audit.events import record_event
from banchengshi.cases.choices import CaseStatus
from banchengshi.cases.models import Case
from banchengshi.cases.selectors import awaiting_resupervision
from banchengshi.notify.models import Message, MessageKind

CLOSED_FOR_GOOD = (CaseStatus.CLOSED, CaseStatus.VISITED)
BATCH = 200


def retention_cutoff(now: datetime) -> datetime:
    return now - timedelta(days=settings.PII_RETENTION_DAYS)


def anonymised_name(name: str) -> str:
    """张三丰 → 张*: the first character only, and one star whatever the length (the length says something)."""
    name = name.strip()
    return f"{name[:1]}*" if name else ""


def due_for_anonymisation(now: datetime) -> QuerySet[Case]:
    """Cases closed for good before the cutoff and not yet anonymised."""
    closed = Case.objects.filter(status__in=CLOSED_FOR_GOOD, closed_at__lt=retention_cutoff(now), anonymised_at__isnull=True)
    return closed.exclude(pk__in=awaiting_resupervision(closed).values("pk"))


def do_anonymise_closed_cases(*, now: datetime | None = None, acting_user: User | None = None) -> int:
    """Anonymise every case due (see the module's docstring); the number anonymised."""
    now = now or timezone.now()
    cutoff = retention_cutoff(now)
    ids = list(due_for_anonymisation(now).order_by("pk").values_list("pk", flat=True))
    with transaction.atomic():
        for start in range(0, len(ids), BATCH):
            batch = ids[start : start + BATCH]
            references = []
            # Locked, and checked again: a case reopened since the list was read is left alone.
            for case in due_for_anonymisation(now).select_for_update().filter(pk__in=batch):
                case.reporter_name = anonymised_name(case.reporter_name)
                case.reporter_phone = ""
                case.anonymised_at = now
                case.save(update_fields=["reporter_name", "reporter_name_hash", "reporter_phone", "reporter_phone_hash",
                                         "anonymised_at"])
                references.append(case.reference)
            Message.objects.filter(kind=MessageKind.SMS, subject__in=references).update(to="")
        # SMS not about a case (one-time codes) carry a phone too: cleared after the same period.
        Message.objects.filter(kind=MessageKind.SMS, created_at__lt=cutoff).exclude(to="").update(to="")
        done = Case.objects.filter(pk__in=ids, anonymised_at=now).count()
        record_event("personal_data_anonymised", actor=acting_user, at=now, count=done,
                     retention_days=settings.PII_RETENTION_DAYS, closed_before=cutoff)
    return done
