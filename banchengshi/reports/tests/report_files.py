"""What the report files' tests share: reading the files back, and counting the raw Case rows the files'
figures must equal, with plain ORM filters written here (never through reports.figures)."""

from __future__ import annotations

import math
import re
from collections import Counter
from datetime import date, datetime, time, timedelta
from io import BytesIO
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Q, QuerySet
from django.utils import timezone
from docx import Document
from openpyxl import load_workbook
from PIL import Image

from banchengshi.cases.actions.attachments import do_attach_file
from banchengshi.cases.models import Case, Clock, Visit
from banchengshi.sla.deadlines import SHANGHAI
from banchengshi.sla.services import load_calendar

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
JPEG_MAGIC = b"\xff\xd8\xff"
FWZX_CENTERS = ["FWZX", "C-CH", "C-BQ", "C-XK", "C-CT", "C-MJ", "C-CY", "C-HZ", "C-LS"]  # the center and its towns
REPORTER, PHONE = "王小明", "13912345678"
ELEVEN_DIGITS = re.compile(r"(?<!\d)1\d{10}(?!\d)")


def received_between(start: date, end: date) -> QuerySet[Case]:
    lo = datetime.combine(start, time.min, tzinfo=SHANGHAI)
    hi = datetime.combine(end + timedelta(days=1), time.min, tzinfo=SHANGHAI)
    return Case.objects.filter(received_at__gte=lo, received_at__lt=hi)


def of_center(cases: QuerySet[Case], codes: list[str]) -> QuerySet[Case]:
    """A center's cases: registered at it (or the centers below, `codes`) or held by their work orders."""
    return cases.filter(Q(center__code__in=codes) | Q(work_orders__unit__code__in=codes)).distinct()


def of_department(cases: QuerySet[Case], code: str) -> QuerySet[Case]:
    return cases.filter(work_orders__unit__code=code).distinct()


def raw_counts(cases: QuerySet[Case]) -> dict[str, Any]:
    ids = list(cases.values_list("pk", flat=True))
    rows = Case.objects.filter(pk__in=ids)
    return {
        "registered": len(ids),
        "accepted": rows.exclude(accepted_at=None).count(),
        "not_accepted": rows.filter(status="not_accepted").count(),
        "resolved_on_site": rows.filter(accepted_at=None).exclude(replied_at=None).count(),
        "closed": rows.filter(Q(closed_at__isnull=False) | Q(status="resolved_on_site")).count(),
        "resupervisions": sum(rows.values_list("resupervision_count", flat=True)),
        "matters": Counter(m or "未选事项" for m in rows.values_list("matter__name", flat=True)),
    }


def sheet_values(content: bytes) -> tuple[dict[str, Any], list[tuple[Any, ...]]]:
    """The report sheet as {label in column A: value in column B}, and its rows."""
    sheet = load_workbook(BytesIO(content)).active
    rows = [tuple(r) for r in sheet.iter_rows(values_only=True)]
    return {r[0]: r[1] for r in rows if r and r[0] is not None and len(r) > 1}, rows


def docx_text(content: bytes) -> tuple[Any, str, list[list[str]]]:
    """The document, all its paragraphs' text, and each table row's cells."""
    document = Document(BytesIO(content))
    text = "\n".join(p.text for p in document.paragraphs)
    cells = [[c.text for c in row.cells] for table in document.tables for row in table.rows]
    return document, text, cells


def inline_images(document: Any) -> list[bytes]:
    """The bytes of each picture placed in the text (python-docx's inline shapes), in order."""
    blobs = []
    for shape in document.inline_shapes:
        embed = shape._inline.graphic.graphicData.pic.blipFill.blip.embed
        blobs.append(document.part.related_parts[embed].blob)
    return blobs


def photo_bytes(colour: str = "red") -> bytes:
    out = BytesIO()
    Image.new("RGB", (40, 30), colour).save(out, "PNG")
    return out.getvalue()


def attach_photo(case: Case, user: Any, name: str = "现场照片.png") -> None:
    do_attach_file(case, acting_user=user, upload=SimpleUploadedFile(name, photo_bytes(), content_type="image/png"))


def raw_on_time_rate(ids: list[int], now: datetime) -> float | None:
    """The resolution clocks' 按时办结率, from the rows: a case is late when any of its clocks missed its
    limit (stopped after it, or still open past it), on time when one stopped and none missed."""
    late: set[int] = set()
    decided: set[int] = set()
    for c in Clock.objects.filter(case_id__in=ids, kind="resolution", cancelled=False):
        open_past = c.stopped_at is None and (c.paused_at or now) > c.due_at
        missed = (c.stopped_at is not None and c.stopped_at > c.due_at) or open_past
        if missed:
            late.add(c.case_id)
        if missed or c.stopped_at is not None:
            decided.add(c.case_id)
    on_time = len(decided - late)
    return on_time / (on_time + len(late)) if decided else None


def raw_satisfied_share(ids: list[int]) -> tuple[float | None, int]:
    """满意 + 非常满意 among the rated cases, each rated by its latest visit."""
    latest: dict[int, int] = {}
    for v in Visit.objects.filter(case_id__in=ids).order_by("visited_at", "id"):
        latest[v.case_id] = v.rating
    satisfied = sum(1 for r in latest.values() if r >= 4)
    return (satisfied / len(latest) if latest else None), len(latest)


def raw_handling_days(ids: list[int]) -> tuple[float | None, int | None]:
    """Working days after the day of receipt up to the day of closure, for each closed case: average and
    the 90th percentile by nearest rank."""
    calendar = load_calendar()
    days = []
    for case in Case.objects.filter(pk__in=ids).filter(Q(closed_at__isnull=False) | Q(status="resolved_on_site")):
        first = timezone.localtime(case.received_at).date()
        last = timezone.localtime(case.closed_at or case.replied_at).date()
        days.append(sum(calendar.is_working_day(first + timedelta(days=n)) for n in range(1, (last - first).days + 1)))
    if not days:
        return None, None
    days.sort()
    return sum(days) / len(days), days[math.ceil(0.9 * len(days)) - 1]
