"""How each kind of upstream event becomes a case: the fields `do_register_case` takes, every problem of the
body at once (the 422 lists them all), and notes for the delivery log (say, a matter code our catalog lacks:
the report is still registered, without a matter, and the code kept in its text)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.utils import timezone

from banchengshi.accounts.choices import UnitKind
from banchengshi.accounts.models import Unit
from banchengshi.accounts.selectors import service_centers
from banchengshi.cases.actions.registration import registration_problems
from banchengshi.cases.choices import Channel, Portal, Rating, Reason
from banchengshi.dispatch.models import Matter
from banchengshi.integrations.choices import EventType
from banchengshi.integrations.models import IntegrationSource
from banchengshi.integrations.schemas import EventIn

CHANNEL_FOR = {EventType.ABANDONED: Channel.UPSTREAM_EXIT, EventType.BAD_REVIEW: Channel.BAD_REVIEW}
# registration_problems' field names, as the upstream's body names them.
BODY_FIELD = {"reporter_phone": "reporter.phone", "reporter_organization": "reporter.organization",
              "credit_code": "reporter.credit_code"}


class EventRefused(Exception):
    """A well-signed body that cannot become a case: every problem, by the body's field names."""

    def __init__(self, problems: dict[str, str]) -> None:
        self.problems = problems
        super().__init__(self.message)

    @property
    def message(self) -> str:
        listed = "；".join(f"{name}：{text}" if name else text for name, text in self.problems.items())
        return f"事件内容有误：{listed}"


@dataclass
class Mapped:
    fields: dict[str, Any]
    notes: list[str] = field(default_factory=list)


def _center(source: IntegrationSource, code: str | None, problems: dict[str, str]) -> Unit | None:
    if code:
        unit = Unit.objects.filter(code=code.strip(), kind=UnitKind.SERVICE_CENTER, is_active=True).first()
        if unit is None:
            problems["center"] = f"未找到政务服务中心：{code.strip()[:32]}"
        return unit
    if source.default_center is not None and source.default_center.is_active:
        return source.default_center
    # The district's own center: Chongming has the 区行政服务中心 take in what the city's portal sends.
    centers = service_centers()
    if not centers:
        problems["center"] = "未指明政务服务中心，且本系统尚无可受理的政务服务中心"
        return None
    return centers[0]


def _source_lines(source: IntegrationSource, event: EventIn, event_id: str) -> list[str]:
    """What the upstream said about the report apart from the reporter's words, kept in the case's text."""
    lines = [f"来源：{source.name}（事件编号 {event_id}）"]
    if event.type == EventType.ABANDONED:
        lines.append(f"中途退出的环节：{event.step.strip() or '未注明'}")
    if event.type == EventType.BAD_REVIEW and event.review is not None:
        lines.append(f"差评等级：{Rating(event.review.level).label}")
        if event.review.text.strip():
            lines.append(f"评价内容：{event.review.text.strip()}")
    if event.portal.strip() in Portal.values:
        lines.append(f"办事平台：{Portal(event.portal.strip()).label}")
    if event.occurred_at is not None:
        lines.append(f"发生时间：{timezone.localtime(_aware(event.occurred_at)):%Y-%m-%d %H:%M}")
    return lines


def _aware(moment: Any) -> Any:
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def map_event(source: IntegrationSource, event: EventIn, event_id: str) -> Mapped:
    """The registration of `event` from `source`; raises EventRefused with every problem at once."""
    problems: dict[str, str] = {}
    notes: list[str] = []
    kind = EventType(event.type)
    if source.kind != EventType.OTHER and kind != source.kind:
        problems["type"] = f"{source.name}只接收 {source.kind}（{source.get_kind_display()}）事件，收到的是 {kind.value}"
    if kind == EventType.BAD_REVIEW and event.review is None:
        problems["review"] = "差评事件须包含 review（差评等级 level 和评价内容 text）"
    if kind == EventType.ABANDONED and not event.step.strip():
        problems["step"] = "中途退出事件须注明退出的环节（step）"
    if not event.reporter.name.strip():
        problems["reporter.name"] = "请填写反映人姓名"
    if not event.description.strip():
        problems["description"] = "请填写遇到的问题"
    portal = event.portal.strip()
    if portal and portal not in Portal.values:
        options = "、".join(f"{v}（{label}）" for v, label in Portal.choices)
        problems["portal"] = f"网上办事平台取值无效，可选 {options}"
    if event.occurred_at is not None and _aware(event.occurred_at) > timezone.now() + timedelta(minutes=5):
        problems["occurred_at"] = "发生时间不能晚于当前时间"
    channel = CHANNEL_FOR.get(kind, source.channel)
    center = _center(source, event.center, problems)
    reasons = [r.strip() for r in event.reasons]
    for name, text in registration_problems(
        reporter_phone=event.reporter.phone, reporter_kind=event.reporter.kind,
        reporter_organization=event.reporter.organization, credit_code=event.reporter.credit_code,
        reasons=reasons, reason_other=event.description if Reason.OTHER in reasons else "",
    ).items():
        problems[BODY_FIELD.get(name, name)] = text
    if problems:
        raise EventRefused(problems)

    matter = None
    if event.matter and event.matter.strip():
        matter = Matter.objects.filter(code=event.matter.strip(), is_active=True).first()
        if matter is None:
            notes.append(f"事项编码 {event.matter.strip()[:64]} 不在事项目录中，已按无事项登记")
    lines = _source_lines(source, event, event_id)
    if event.matter and matter is None:
        lines.append(f"上游事项：{event.matter.strip()} {event.matter_name.strip()}".rstrip())
    description = f"{event.description.strip()}\n\n" + "\n".join(lines)
    return Mapped(
        fields={
            "channel": channel,
            "reporter_name": event.reporter.name.strip(),
            "reporter_phone": event.reporter.phone,
            "reporter_kind": event.reporter.kind,
            "reporter_organization": event.reporter.organization,
            "credit_code": event.reporter.credit_code,
            "center": center,
            "portal": portal,
            "matter": matter,
            "business_name": (event.business_name.strip() or event.matter_name.strip())[:128],
            "reasons": reasons,
            "reason_other": event.description.strip()[:200] if Reason.OTHER in reasons else "",
            "description": description,
            "demand": event.demand.strip(),
        },
        notes=notes,
    )
