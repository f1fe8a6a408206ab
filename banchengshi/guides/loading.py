"""The district's 办事指南 (district/guides.json), loaded as published versions by `load_district` and the
demo. Running it twice changes nothing; a guide a department has since edited keeps its own words.

The file names each matter's conditions, materials, time limit, fee, legal basis and pitfalls; materials
many guides share (the ID card, the 营业执照 …) are written once under `common` and named as "@key"; the
window, phone and online entry follow from the matter's department and level (`departments`)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction

from banchengshi.dispatch.models import Matter, MatterLevel
from banchengshi.guides.actions import seed_published
from banchengshi.guides.content import GuideContent, Material, check
from banchengshi.guides.models import Guide

GUIDES_FILE = Path(__file__).resolve().parent / "district" / "guides.json"


class GuideFileError(ValueError):
    pass


@dataclass
class GuideLoadReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    without_text: int = 0


def _material(entry: Any, common: dict[str, list[str]], where: str) -> Material:
    if isinstance(entry, str) and entry.startswith("@"):
        key = entry[1:].split("?", 1)
        if key[0] not in common:
            raise GuideFileError(f"{where}：未定义的常用材料 {key[0]}")
        parts = list(common[key[0]])
        if len(key) == 2:  # "@key?情形": the shared material, needed only in that case
            parts = (parts + ["", "", ""])[:3] + [key[1]]
        return Material(*parts)
    if isinstance(entry, list) and 1 <= len(entry) <= 4 and all(isinstance(p, str) for p in entry):
        return Material(*entry)
    raise GuideFileError(f"{where}：材料应为 \"@常用材料\" 或 [名称, 份数, 来源, 情形]")


def _lines(value: Any) -> str:
    return "\n".join(value) if isinstance(value, list) else str(value or "")


def content_for(matter: Matter, entry: dict[str, Any], data: dict[str, Any]) -> GuideContent:
    department = data["departments"].get(matter.department.code, {})
    district = matter.level == MatterLevel.DISTRICT
    where = f"guides.json {matter.code}"
    level = entry.get("level") or ("区级" if district else "镇级（街道、乡镇）")
    window = entry.get("window") or (
        f"示范区行政服务中心{department.get('window', '综合受理窗口')}（{data['center_address']}，{data['hours']}）" if district
        else f"户籍地或居住地所在街道（乡镇）社区事务受理服务中心综合受理窗口（{data['hours']}）")
    texts = {
        "title": entry.get("title") or f"{matter.name}办事指南",
        "conditions": _lines(entry.get("conditions")),
        "level": level,
        "window": window,
        "online_url": entry.get("online_url", f"{data['online_base']}{matter.code}"),
        "process": _lines(entry.get("process") or data["default_process"]),
        "time_limit": entry.get("time_limit", ""),
        "fee": entry.get("fee", "不收费"),
        "legal_basis": _lines(entry.get("basis")),
        "pitfalls": _lines(entry.get("pitfalls")),
        "phone": entry.get("phone") or department.get("phone", "12345"),
    }
    materials = [_material(m, data["common"], where) for m in entry.get("materials", [])]
    try:
        return check(texts, materials)
    except Exception as exc:
        raise GuideFileError(f"{where}：{getattr(exc, 'message', exc)}") from exc


def read_guides(path: Path = GUIDES_FILE) -> dict[str, Any]:
    with path.open(encoding="utf-8") as f:
        data: dict[str, Any] = json.load(f)
    for key in ("common", "departments", "guides", "center_address", "hours", "online_base", "default_process"):
        if key not in data:
            raise GuideFileError(f"{path.name} 缺少 {key}")
    return data


@transaction.atomic
def load_guides(path: Path = GUIDES_FILE) -> GuideLoadReport:
    """A guide for every matter of the catalog; the file's text as its published version where it has one."""
    data = read_guides(path)
    report = GuideLoadReport()
    for matter in Matter.objects.select_related("department").order_by("code"):
        guide, _ = Guide.objects.get_or_create(matter=matter)
        entry = data["guides"].get(matter.code)
        if entry is None:
            report.without_text += 1
            continue
        had = guide.versions.exists()
        if seed_published(guide, content_for(matter, entry, data)) is None:
            report.unchanged += 1
        elif had:
            report.updated += 1
        else:
            report.created += 1
    return report
