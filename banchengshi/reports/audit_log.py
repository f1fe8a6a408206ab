"""The audit log as the audit administrator and oversight read it: every event of the chain, filtered by
time, actor, action and case, with phone numbers masked wherever they appear; and its xlsx export."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from io import BytesIO
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from banchengshi.accounts.choices import Role
from banchengshi.audit.labels import ACTION_LABELS, action_label
from banchengshi.audit.models import Event
from banchengshi.lib import xlsx
from banchengshi.lib.masking import mask_phones_in

ROLE_LABELS = {value: str(label) for value, label in Role.choices}
OUTCOMES = {"success": "成功", "failure": "失败"}
HEADERS = ["序号", "时间", "动作", "操作人", "角色", "IP 地址", "请求编号", "反映件", "结果", "内容"]


@dataclass(frozen=True)
class AuditFilters:
    since: date | None = None
    until: date | None = None
    actor: str = ""
    action: str = ""
    case: str = ""

    @classmethod
    def from_query(cls, query: Any) -> tuple[AuditFilters, list[str]]:
        errors: list[str] = []

        def day(name: str, label: str) -> date | None:
            raw = query.get(name, "").strip()
            if not raw:
                return None
            try:
                return date.fromisoformat(raw)
            except ValueError:
                errors.append(f"{label}：应为日期，如 2026-11-23")
                return None

        action = query.get("action", "").strip()
        if action and action not in ACTION_LABELS:
            errors.append("动作：没有这种动作")
            action = ""
        found = cls(day("since", "起始日期"), day("until", "截止日期"), query.get("actor", "").strip()[:64], action,
                    query.get("case", "").strip()[:32])
        return found, errors

    def as_query(self) -> dict[str, str]:
        return {k: str(v) for k, v in {"since": self.since, "until": self.until, "actor": self.actor,
                                         "action": self.action, "case": self.case}.items() if v}

    def in_words(self) -> str:
        words = [f"起始日期：{self.since}" if self.since else "", f"截止日期：{self.until}" if self.until else "",
                 f"操作人：{self.actor}" if self.actor else "", f"动作：{action_label(self.action)}" if self.action else "",
                 f"反映件：{self.case}" if self.case else ""]
        return "；".join(w for w in words if w) or "全部"


def audit_events(filters: AuditFilters) -> QuerySet[Event]:
    events = Event.objects.select_related("case")
    zone = timezone.get_current_timezone()
    if filters.since:
        events = events.filter(at__gte=datetime.combine(filters.since, time.min, tzinfo=zone))
    if filters.until:
        events = events.filter(at__lt=datetime.combine(filters.until + timedelta(days=1), time.min, tzinfo=zone))
    if filters.actor:
        events = events.filter(actor_label__icontains=filters.actor)
    if filters.action:
        events = events.filter(action=filters.action)
    if filters.case:
        events = events.filter(case__reference__icontains=filters.case)
    return events.order_by("-seq")


def data_in_words(event: Event) -> str:
    """The event's content, phone numbers masked: a full number is never shown here nor exported."""
    data = mask_phones_in(event.data)
    parts = []
    for key, value in data.items():
        if key in ("outcome", "user_agent"):
            continue
        parts.append(f"{key}：{value}")
    return "；".join(parts)


def row(event: Event) -> dict[str, Any]:
    return {
        "event": event,
        "seq": event.seq,
        "at": timezone.localtime(event.at),
        "action": action_label(event.action),
        "actor": event.actor_label,
        "role": ROLE_LABELS.get(event.actor_role, event.actor_role),
        "ip": event.ip,
        "request_id": event.request_id,
        "case": event.case.reference if event.case is not None else "",
        "outcome": OUTCOMES.get(str(event.data.get("outcome", "")), ""),
        "content": data_in_words(event),
    }


def audit_log_xlsx(events: Iterable[Event], *, filters: AuditFilters) -> bytes:
    from openpyxl import Workbook  # here, not at start-up: see lib/xlsx.py
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "审计日志"
    sheet.append(["审计日志"])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([f"筛选条件：{filters.in_words()}；导出时间：{timezone.localtime():%Y-%m-%d %H:%M}"])
    sheet.append(HEADERS)
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    for event in events:
        r = row(event)
        values = [r["seq"], r["at"].strftime("%Y-%m-%d %H:%M:%S"), r["action"], r["actor"], r["role"], r["ip"],
                  r["request_id"], r["case"], r["outcome"], r["content"]]
        xlsx.append(sheet, values)  # text stays text: a note starting with "=" is no formula
    for letter, width in zip("ABCDEFGHIJ", (8, 20, 16, 28, 12, 16, 34, 18, 8, 60), strict=True):
        sheet.column_dimensions[letter].width = width
    out = BytesIO()
    book.save(out)
    return out.getvalue()
