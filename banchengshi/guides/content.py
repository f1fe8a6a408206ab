"""What a guide says, apart from who wrote it: checked, compared between versions, and written into a case's
papers as a snapshot (a guide given to a reporter keeps the words of that day, whatever is edited later)."""

from __future__ import annotations

import difflib
import re
from dataclasses import asdict, dataclass, field
from typing import Any

from banchengshi.lib.errors import InvalidInput

TEXT_FIELDS = ("title", "conditions", "level", "window", "online_url", "process", "time_limit", "fee", "legal_basis",
               "pitfalls", "phone")
LABELS = {
    "title": "标题", "conditions": "受理条件", "materials": "申请材料", "level": "办理层级", "window": "办理窗口及地址",
    "online_url": "网上办理入口", "process": "办理流程", "time_limit": "承诺时限", "fee": "收费标准",
    "legal_basis": "设定依据", "pitfalls": "常见问题及易错点", "phone": "咨询电话",
}
REQUIRED = ("title", "conditions", "level", "window", "time_limit", "fee", "legal_basis", "phone")
LIMITS = {"title": 100, "conditions": 3000, "level": 60, "window": 300, "online_url": 300, "process": 3000,
          "time_limit": 100, "fee": 200, "legal_basis": 3000, "pitfalls": 3000, "phone": 60}
MATERIAL_LIMITS = {"name": 100, "copies": 60, "source": 200, "condition": 200}
MAX_MATERIALS = 40
# One material a line in the editor: 名称｜份数及形式｜来源（开具单位）｜情形 (the last empty: always required).
SEPARATOR = re.compile(r"\s*[|｜]\s*")


@dataclass(frozen=True)
class Material:
    name: str
    copies: str = ""
    source: str = ""
    condition: str = ""  # "" = always required; else the case in which it is (“委托他人办理的”)

    @property
    def required(self) -> bool:
        return not self.condition

    def as_line(self) -> str:
        return "｜".join((self.name, self.copies, self.source, self.condition)).rstrip("｜")


@dataclass(frozen=True)
class GuideContent:
    title: str
    conditions: str
    level: str
    window: str
    time_limit: str
    fee: str
    legal_basis: str
    phone: str
    materials: tuple[Material, ...] = field(default_factory=tuple)
    online_url: str = ""
    process: str = ""
    pitfalls: str = ""

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["materials"] = [asdict(m) for m in self.materials]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> GuideContent:
        """From a version's fields or a stored snapshot (checked as an edit is)."""
        texts = {name: str(data.get(name) or "") for name in TEXT_FIELDS}
        materials = [Material(**{k: str(m.get(k) or "") for k in MATERIAL_LIMITS}) for m in data.get("materials") or []]
        return check(texts, materials)

    def materials_text(self) -> str:
        return "\n".join(m.as_line() for m in self.materials)


def parse_materials(text: str) -> list[Material]:
    """The editor's lines (名称｜份数及形式｜来源｜情形); blank lines skipped; a fifth part refused."""
    materials = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        parts = SEPARATOR.split(line.strip())
        if len(parts) > 4:
            raise InvalidInput(f"申请材料第{number}行分隔符“｜”过多：每行最多四项（名称｜份数及形式｜来源｜情形）", field="materials")
        parts += [""] * (4 - len(parts))
        materials.append(Material(*(p.strip() for p in parts)))
    return materials


def check(texts: dict[str, str], materials: list[Material]) -> GuideContent:
    """The content if every field is filled in and within its length, else InvalidInput naming the field."""
    values = {name: (texts.get(name) or "").strip() for name in TEXT_FIELDS}
    for name in TEXT_FIELDS:
        if name in REQUIRED and not values[name]:
            raise InvalidInput(f"请填写{LABELS[name]}", field=name)
        if len(values[name]) > LIMITS[name]:
            raise InvalidInput(f"{LABELS[name]}不能超过{LIMITS[name]}个字", field=name)
    if values["online_url"] and not re.fullmatch(r"https?://[^\s<>\"']+", values["online_url"]):
        raise InvalidInput("网上办理入口应为以 http:// 或 https:// 开头的网址", field="online_url")
    if not materials:
        raise InvalidInput("请至少填写一项申请材料", field="materials")
    if len(materials) > MAX_MATERIALS:
        raise InvalidInput(f"申请材料最多{MAX_MATERIALS}项", field="materials")
    names = set()
    for number, material in enumerate(materials, start=1):
        if not material.name:
            raise InvalidInput(f"申请材料第{number}项缺少材料名称", field="materials")
        if material.name in names:
            raise InvalidInput(f"申请材料“{material.name[:20]}”重复", field="materials")
        names.add(material.name)
        for key, limit in MATERIAL_LIMITS.items():
            if len(getattr(material, key)) > limit:
                raise InvalidInput(f"申请材料第{number}项的内容过长（每项不超过{limit}个字）", field="materials")
    return GuideContent(materials=tuple(materials), **values)


@dataclass(frozen=True)
class Change:
    field: str
    label: str
    lines: list[tuple[str, str]]  # ("+", added line) / ("-", removed line)


def _lines(content: GuideContent, name: str) -> list[str]:
    value = content.materials_text() if name == "materials" else getattr(content, name)
    return [line for line in str(value).splitlines() if line.strip()]


def changes(before: GuideContent | None, after: GuideContent) -> list[Change]:
    """What `after` changed, field by field, as added and removed lines (the first version: everything added)."""
    found = []
    for name in LABELS:
        old = _lines(before, name) if before is not None else []
        new = _lines(after, name)
        if old == new:
            continue
        lines = [(line[0], line[2:]) for line in difflib.ndiff(old, new) if line[:1] in "+-"]
        found.append(Change(name, LABELS[name], lines))
    return found
