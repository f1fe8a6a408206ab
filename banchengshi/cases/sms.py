"""What the reporter is told by SMS, in plain words. Each is queued in the outbox inside the action's
transaction and sent after commit (banchengshi.notify)."""

from __future__ import annotations

from django.utils import timezone

from banchengshi.cases.models import Case
from banchengshi.notify.services import queue_sms


def _when(moment: object) -> str:
    local = timezone.localtime(moment)  # type: ignore[arg-type]
    return f"{local.month}月{local.day}日{local:%H:%M}"


def tell_reply_ready(case: Case, objection_until: object | None) -> None:
    until = f"，请在{_when(objection_until)}前确认或提出异议，逾期视为无异议" if objection_until else ""
    queue_sms(
        case.reporter_phone,
        f"您反映的事项（编号{case.reference}）已有答复。请在“办成事”网站“查询进度”中输入编号和手机号后四位查看{until}。",
        subject=case.reference,
    )


def tell_receipt(case: Case, promise: str) -> None:
    queue_sms(
        case.reporter_phone,
        f"您反映的事项已登记，编号{case.reference}。{promise}可凭编号和手机号后四位查询进度。",
        subject=case.reference,
    )


def tell_guide(case: Case, matter: str, link: str, phone: str) -> None:
    queue_sms(
        case.reporter_phone,
        f"您咨询的“{matter}”办事指南（受理条件、申请材料、办理地点）请点击查看：{link} 如有疑问请拨打{phone}。",
        subject=case.reference,
    )


def tell_missing_materials(case: Case, matter: str, missing: list[str], link: str) -> None:
    """The 一次性告知单 by SMS: every missing material by name (the paper says where to get each)."""
    names = "；".join(f"{n}. {name}" for n, name in enumerate(missing, start=1))
    if len(names) > 300:
        names = names[:300] + "……"
    queue_sms(
        case.reporter_phone,
        f"一次性告知：办理“{matter}”还需补齐以下{len(missing)}项材料：{names}。各项材料的开具单位见办事指南：{link}",
        subject=case.reference,
    )
