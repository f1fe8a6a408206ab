from __future__ import annotations

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from banchengshi.accounts.models import User
from banchengshi.audit.events import record_event
from banchengshi.cases.actions.base import ActionError, InvalidInput, lock_case
from banchengshi.cases.choices import CaseStatus
from banchengshi.cases.models import Attachment, Case, WorkOrder
from banchengshi.lib import uploads

STAFF_KINDS = uploads.ALL_KINDS  # pdf, jpg, png, docx


def room_for(case: Case, count: int) -> None:
    """Refuse when `count` more files would take the case past settings.ATTACHMENT_MAX_PER_CASE."""
    limit = settings.ATTACHMENT_MAX_PER_CASE
    held = case.attachments.count()
    if held + count > limit:
        raise InvalidInput(f"每件反映件最多 {limit} 个附件，已有 {held} 个，不能再上传 {count} 个", field="files")


def _store(case: Case, checked: uploads.CheckedFile, *, uploaded_by: User | None, work_order: WorkOrder | None = None) -> Attachment:
    """Stored under a name of ours (attachments/YYYY/MM/<random>.<kind>), with the type our check found."""
    attachment = Attachment(
        case=case, work_order=work_order, name=checked.name, size=len(checked.content), content_type=checked.content_type,
        uploaded_by=uploaded_by, uploaded_at=timezone.now(),
    )
    attachment.file.save(f"upload{uploads.SUFFIXES[checked.kind]}", ContentFile(checked.content), save=False)
    attachment.save()
    return attachment


def read_upload(upload: UploadedFile) -> bytes:
    """The upload's bytes, or only the first byte past the limit (an oversize file is not read whole)."""
    upload.seek(0)
    return upload.read(settings.ATTACHMENT_MAX_BYTES + 1)


@transaction.atomic
def do_attach_file(case: Case, *, acting_user: User, upload: UploadedFile, work_order: WorkOrder | None = None) -> Attachment:
    """A staff member's attachment: allowed by its content (lib/uploads.py), within the size and count
    limits of the settings; refused (InvalidInput, nothing stored) otherwise."""
    case = lock_case(case)
    if case.status == CaseStatus.MERGED:
        raise ActionError("已并单的反映件不能再上传附件，请上传到主件")
    try:
        checked = uploads.check_file(read_upload(upload), upload.name or "", kinds=STAFF_KINDS,
                                     max_bytes=settings.ATTACHMENT_MAX_BYTES)
    except uploads.FileRefused as exc:
        raise InvalidInput(str(exc), field="file") from exc
    room_for(case, 1)
    attachment = _store(case, checked, uploaded_by=acting_user, work_order=work_order)
    record_event("attachment_added", actor=acting_user, case=case, work_order=work_order, name=attachment.name,
                 size=attachment.size, kind=checked.kind)
    return attachment


def attach_reporter_file(case: Case, checked: uploads.CheckedFile) -> Attachment:
    """A file the reporter sent with the report, already checked by lib.uploads.check_file (photos written
    again). Call inside the report's transaction."""
    attachment = _store(case, checked, uploaded_by=None)
    record_event("attachment_added", case=case, actor_label="反映人（网上自助）", name=attachment.name, size=attachment.size,
                 kind=checked.kind)
    return attachment
