"""What the report files' tests share: reading the files back, and counting the raw Case rows the files'
figures must equal, with plain ORM filters written here (never through reports.figures)."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, datetime, time, timedelta
from io import BytesIO
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Q, QuerySet
from docx import Document
from openpyxl import load_workbook
from PIL import Image

from banchengshi.cases.actions.attachments import do_attach_file
from banchengshi.cases.models import Case
from banchengshi.sla.deadlines import SHANGHAI

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
JPEG_MAGIC = b"\xff\xd8\xff"
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
