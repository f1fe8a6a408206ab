"""Changing a guide: a new version by the owning department, approval or return by the admin office.
Each in one transaction with its audit event."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from banchengshi.accounts.models import User
from banchengshi.audit.events import record_event
from banchengshi.guides.content import GuideContent
from banchengshi.guides.models import Guide, GuideVersion, VersionStatus
from banchengshi.guides.selectors import content_of, edit_refusal, latest_version, review_refusal
from banchengshi.lib.errors import ActionError, ActionForbidden, InvalidInput

NOTE_LIMIT = 200
REVIEW_NOTE_LIMIT = 500


def _new_version(guide: Guide, content: GuideContent, *, by: User | None, note: str, status: str) -> GuideVersion:
    last = latest_version(guide)
    data = content.as_dict()
    return GuideVersion.objects.create(guide=guide, number=(last.number + 1) if last else 1, edited_by=by,
                                       edited_at=timezone.now(), note=note, status=status, **data)


def do_edit_guide(user: User, guide: Guide, content: GuideContent, *, note: str = "") -> GuideVersion:
    """A new version awaiting review; earlier versions awaiting review are superseded by it. The published
    version stays what the public reads until the admin office approves another."""
    if why := edit_refusal(user, guide):
        raise ActionForbidden(why)
    note = note.strip()
    if len(note) > NOTE_LIMIT:
        raise InvalidInput(f"修改说明不能超过{NOTE_LIMIT}个字", field="note")
    with transaction.atomic():
        guide = Guide.objects.select_for_update().get(pk=guide.pk)
        guide.versions.filter(status=VersionStatus.PENDING).update(status=VersionStatus.SUPERSEDED)
        version = _new_version(guide, content, by=user, note=note, status=VersionStatus.PENDING)
        record_event("guide_edited", actor=user, matter=guide.matter.code, version=version.number, note=note)
    return version


def _reviewable(user: User, version: GuideVersion) -> None:
    if why := review_refusal(user):
        raise ActionForbidden(why)
    if version.status != VersionStatus.PENDING:
        raise ActionError(f"第{version.number}版的状态是“{version.get_status_display()}”，只有待审核的版本可以审核")


def do_publish_version(user: User, version: GuideVersion) -> GuideVersion:
    """Approve: the version becomes the one the public reads; the one before it becomes history."""
    with transaction.atomic():
        version = GuideVersion.objects.select_for_update().select_related("guide__matter").get(pk=version.pk)
        _reviewable(user, version)
        guide = version.guide
        guide.versions.filter(status=VersionStatus.PUBLISHED).update(status=VersionStatus.ARCHIVED)
        version.status, version.reviewed_by, version.reviewed_at = VersionStatus.PUBLISHED, user, timezone.now()
        version.save(update_fields=["status", "reviewed_by", "reviewed_at"])
        guide.published = version
        guide.save(update_fields=["published"])
        record_event("guide_published", actor=user, matter=guide.matter.code, version=version.number)
    return version


def do_return_version(user: User, version: GuideVersion, *, note: str) -> GuideVersion:
    """Return with a note saying what to change; the public keeps reading the published version."""
    note = note.strip()
    if not note:
        raise InvalidInput("请填写退回意见，说明需要修改什么", field="review_note")
    if len(note) > REVIEW_NOTE_LIMIT:
        raise InvalidInput(f"退回意见不能超过{REVIEW_NOTE_LIMIT}个字", field="review_note")
    with transaction.atomic():
        version = GuideVersion.objects.select_for_update().select_related("guide__matter").get(pk=version.pk)
        _reviewable(user, version)
        version.status, version.reviewed_by, version.reviewed_at = VersionStatus.RETURNED, user, timezone.now()
        version.review_note = note
        version.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_note"])
        record_event("guide_returned", actor=user, matter=version.guide.matter.code, version=version.number, note=note)
    return version


def seed_published(guide: Guide, content: GuideContent) -> GuideVersion | None:
    """The district's own text as a published version by nobody (系统导入), unless the guide already says
    exactly that in its latest version (running the loader twice changes nothing)."""
    last = latest_version(guide)
    if last is not None:
        if content_of(last) == content:
            return None
        if last.edited_by_id is not None:
            return None  # a department has edited it: its words are kept, the seed no longer applies
    with transaction.atomic():
        guide.versions.filter(status=VersionStatus.PUBLISHED).update(status=VersionStatus.ARCHIVED)
        version = _new_version(guide, content, by=None, note="系统导入", status=VersionStatus.PUBLISHED)
        version.reviewed_at = version.edited_at
        version.save(update_fields=["reviewed_at"])
        guide.published = version
        guide.save(update_fields=["published"])
    return version
