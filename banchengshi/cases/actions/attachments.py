from __future__ import annotations

from pathlib import PurePath

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from banchengshi.accounts.models import User
from banchengshi.audit.events import record_event
from banchengshi.cases.actions.base import ActionError, InvalidInput, lock_case
from banchengshi.cases.choices import CaseStatus
from banchengshi.cases.models import Attachment, Case, WorkOrder

MAX_BYTES = 20 * 1024 * 1024
ALLOWED_SUFFIXES = frozenset({".pdf", ".jpg", ".jpeg", ".png", ".doc", ".docx", ".xls", ".xlsx", ".txt", ".ofd"})


@transaction.atomic
def do_attach_file(case: Case, *, acting_user: User, upload: UploadedFile, work_order: WorkOrder | None = None) -> Attachment:
    case = lock_case(case)
    if case.status == CaseStatus.MERGED:
        raise ActionError("已并单的反映件不能再上传附件，请上传到主件")
    name = PurePath(upload.name or "附件").name[:200]
    if PurePath(name).suffix.lower() not in ALLOWED_SUFFIXES:
        raise InvalidInput(f"不支持的文件类型：{name}（可上传 {'、'.join(sorted(ALLOWED_SUFFIXES))}）")
    if not upload.size:
        raise InvalidInput("文件为空")
    if upload.size > MAX_BYTES:
        raise InvalidInput("文件不能超过 20 MB")
    attachment = Attachment(
        case=case,
        work_order=work_order,
        name=name,
        size=upload.size,
        content_type=(upload.content_type or "")[:100],
        uploaded_by=acting_user,
        uploaded_at=timezone.now(),
    )
    attachment.file.save(name, upload, save=False)
    attachment.save()
    record_event("attachment_added", actor=acting_user, case=case, work_order=work_order, name=name, size=upload.size)
    return attachment


def attach_reporter_file(case: Case, *, name: str, content: bytes, content_type: str) -> Attachment:
    """A file the reporter sent with the report (already checked and, for photos, re-encoded by the
    public side). Call inside the report's transaction."""
    attachment = Attachment(
        case=case, name=name[:200], size=len(content), content_type=content_type[:100], uploaded_by=None,
        uploaded_at=timezone.now(),
    )
    attachment.file.save(name, ContentFile(content), save=False)
    attachment.save()
    record_event("attachment_added", case=case, actor_label="反映人（网上自助）", name=attachment.name, size=attachment.size)
    return attachment
