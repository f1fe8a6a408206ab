"""办事指南 given to a reporter, and the 一次性告知单 of what is still missing: each a paper recorded on the
case (cases.CaseDocument, with the guide version's words of that day), optionally sent by SMS, and for a
registered 咨询引导 case, optionally the answer that resolves it on the spot."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from banchengshi.accounts.models import User
from banchengshi.audit.events import record_event
from banchengshi.cases import sms
from banchengshi.cases.actions.base import ActionError, InvalidInput
from banchengshi.cases.actions.documents import issue_document
from banchengshi.cases.actions.registration import do_resolve_on_site
from banchengshi.cases.choices import DocumentKind
from banchengshi.cases.models import Case, CaseDocument
from banchengshi.guides.content import GuideContent, Material
from banchengshi.guides.models import Guide
from banchengshi.guides.selectors import content_of


def _published(guide: Guide) -> tuple[GuideContent, dict[str, Any]]:
    version = guide.published
    if version is None:
        raise ActionError("该事项的办事指南尚未审核公开，不能发给反映人")
    content = content_of(version)
    snapshot = {"matter": guide.matter.code, "matter_name": guide.matter.name, "version": version.number,
                "content": content.as_dict()}
    return content, snapshot


def _phone_or_refuse(case: Case) -> None:
    if not case.reporter_phone:
        raise InvalidInput("该反映件没有登记手机号码，不能发送短信，请打印后交给反映人", field="send_sms")


@transaction.atomic
def do_give_guide(case: Case, *, acting_user: User, guide: Guide, link: str, send_sms: bool = True) -> CaseDocument:
    """Attach the published guide to the case (the reporter sees it on the tracking page) and text its link."""
    content, snapshot = _published(guide)
    if send_sms:
        _phone_or_refuse(case)
    document = issue_document(case, DocumentKind.GUIDE, content.title,
                              {**snapshot, "organ": case.center.name, "url": link, "sent": send_sms}, acting_user)
    if send_sms:
        sms.tell_guide(case, guide.matter.name, link, content.phone)
        record_event("guide_sent", actor=acting_user, case=case, document=document.pk, matter=guide.matter.code)
    return document


def missing_materials(content: GuideContent, have: list[str], not_needed: list[str]) -> list[Material]:
    """The guide's materials the reporter lacks: neither ticked as held nor (for a conditional one) as not
    applying. Names not in the guide are refused, so a stale form cannot drop a material silently."""
    names = {m.name for m in content.materials}
    unknown = [n for n in (*have, *not_needed) if n not in names]
    if unknown:
        raise InvalidInput(f"办事指南中没有材料“{unknown[0][:30]}”，请刷新页面后重新勾选", field="have")
    required_marked = [m.name for m in content.materials if m.required and m.name in not_needed]
    if required_marked:
        raise InvalidInput(f"“{required_marked[0][:30]}”是必须提交的材料，不能勾选为不适用", field="have")
    return [m for m in content.materials if m.name not in have and m.name not in not_needed]


@transaction.atomic
def do_issue_one_time_notice(
    case: Case, *, acting_user: User, guide: Guide, have: list[str], not_needed: list[str], link: str,
    send_sms: bool = False, resolve: bool = False,
) -> CaseDocument:
    """一次性告知单: everything still missing, in one go, with where to get each. `resolve`: a registered
    case (咨询引导 at the window) is resolved on the spot with the notice as its result."""
    content, snapshot = _published(guide)
    missing = missing_materials(content, have, not_needed)
    if not missing:
        raise InvalidInput("反映人已具备全部申请材料，无需出具一次性告知单，可直接到窗口申请办理", field="have")
    if send_sms:
        _phone_or_refuse(case)
    data = {
        **snapshot, "organ": case.center.name, "url": link, "sent": send_sms,
        "missing": [{"name": m.name, "copies": m.copies, "source": m.source, "condition": m.condition} for m in missing],
        "have": [m.name for m in content.materials if m.name in have],
        "not_needed": [m.name for m in content.materials if m.name in not_needed],
    }
    document = issue_document(case, DocumentKind.ONE_TIME_NOTICE, f"{guide.matter.name}一次性告知单", data, acting_user)
    if send_sms:
        sms.tell_missing_materials(case, guide.matter.name, [m.name for m in missing], link)
        record_event("one_time_notice_sent", actor=acting_user, case=case, document=document.pk,
                     matter=guide.matter.code, missing=len(missing))
    if resolve:
        names = "、".join(m.name for m in missing)
        do_resolve_on_site(case, acting_user=acting_user, result=(
            f"已提供“{guide.matter.name}”办事指南，并出具一次性告知单，一次告知尚需补齐的{len(missing)}项材料：{names}。"
            f"材料补齐后可到{content.window}办理。")[:2000])
    return document
