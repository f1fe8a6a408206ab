"""Loads a district (units, matter catalog, past dispatches) from the CSV files of shared/data."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from banchengshi.accounts.choices import UnitKind
from banchengshi.accounts.models import Unit
from banchengshi.dispatch.models import Matter, MatterLevel, PastDispatch
from banchengshi.sla.choices import Complexity

# The fictional district (示范区) shipped with the code: units, matter catalog, past dispatches.
DISTRICT_DIR = Path(__file__).resolve().parent / "district"

LEVELS = {"区级": MatterLevel.DISTRICT, "镇级": MatterLevel.TOWN, "district": MatterLevel.DISTRICT, "town": MatterLevel.TOWN}


class DistrictFileError(ValueError):
    pass


@dataclass
class LoadReport:
    units_created: int = 0
    units_updated: int = 0
    matters_created: int = 0
    matters_updated: int = 0
    dispatches_created: int = 0


def _rows(path: Path, required: set[str]) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        missing = required - set(reader.fieldnames or [])
        if missing:
            raise DistrictFileError(f"{path.name} 缺少列：{', '.join(sorted(missing))}")
        return [{k: (v or "").strip() for k, v in row.items()} for row in reader]


@transaction.atomic
def load_district(directory: Path) -> LoadReport:
    """Create or update every row; running it twice changes nothing."""
    report = LoadReport()
    units_file = directory / "units.csv"
    matters_file = directory / "matters.csv"
    if not units_file.exists() or not matters_file.exists():
        raise DistrictFileError(f"{directory} 中需要 units.csv 和 matters.csv")
    unit_rows = _rows(units_file, {"code", "name", "kind", "parent_code"})
    codes = {row["code"] for row in unit_rows} | set(Unit.objects.values_list("code", flat=True))
    for line, row in enumerate(unit_rows, start=2):
        if row["kind"] not in UnitKind.values:
            raise DistrictFileError(f"units.csv 第{line}行：未知单位类型 {row['kind']!r}")
        if row["parent_code"] and row["parent_code"] not in codes:
            raise DistrictFileError(f"units.csv 第{line}行：上级单位 {row['parent_code']} 不存在")
    for row in unit_rows:
        unit, created = Unit.objects.get_or_create(code=row["code"], defaults={"name": row["name"], "kind": row["kind"]})
        if created:
            report.units_created += 1
        elif (unit.name, unit.kind) != (row["name"], row["kind"]):
            unit.name, unit.kind = row["name"], row["kind"]
            unit.save(update_fields=["name", "kind"])
            report.units_updated += 1
    by_code = {u.code: u for u in Unit.objects.all()}
    for row in unit_rows:
        unit = by_code[row["code"]]
        parent = by_code.get(row["parent_code"]) if row["parent_code"] else None
        if unit.parent_id != (parent.pk if parent else None):
            unit.parent = parent
            unit.save(update_fields=["parent"])

    for line, row in enumerate(_rows(matters_file, {"code", "name", "department_code", "level", "keywords"}), start=2):
        department = by_code.get(row["department_code"])
        if department is None:
            raise DistrictFileError(f"matters.csv 第{line}行：主管部门 {row['department_code']} 不存在")
        if row["level"] not in LEVELS:
            raise DistrictFileError(f"matters.csv 第{line}行：层级应为 区级 或 镇级，而不是 {row['level']!r}")
        values = {"name": row["name"], "department": department, "level": LEVELS[row["level"]], "keywords": row["keywords"]}
        matter, created = Matter.objects.get_or_create(code=row["code"], defaults=values)
        if created:
            report.matters_created += 1
        elif any(getattr(matter, k) != v for k, v in values.items()):
            Matter.objects.filter(pk=matter.pk).update(**values)
            report.matters_updated += 1

    history = directory / "dispatch_history.csv"
    if history.exists():
        matters = {m.code: m for m in Matter.objects.all()}
        for line, row in enumerate(_rows(history, {"text", "department_code", "matter_code", "complexity"}), start=2):
            department = by_code.get(row["department_code"])
            if department is None:
                raise DistrictFileError(f"dispatch_history.csv 第{line}行：单位 {row['department_code']} 不存在")
            if row["complexity"] and row["complexity"] not in Complexity.values:
                raise DistrictFileError(f"dispatch_history.csv 第{line}行：难易程度 {row['complexity']!r} 无效")
            _, created = PastDispatch.objects.get_or_create(
                text=row["text"],
                department=department,
                defaults={"matter": matters.get(row["matter_code"]), "complexity": row["complexity"], "source": "history"},
            )
            report.dispatches_created += created
    return report
