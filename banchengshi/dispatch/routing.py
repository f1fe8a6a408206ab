"""Where a case goes: catalog rules first, then a suggester (the text model's seam)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from banchengshi.accounts.access import is_town_center
from banchengshi.accounts.models import Unit
from banchengshi.dispatch.models import Matter, MatterLevel


@dataclass(frozen=True)
class Suggestion:
    unit: Unit
    matter: Matter | None
    confidence: float
    reasons: list[str] = field(default_factory=list)


class Suggester(Protocol):
    def suggest(self, text: str, center: Unit | None = None, limit: int = 3) -> list[Suggestion]: ...


class CatalogKeywordSuggester:
    """Matches the catalog's keywords in the text. The text model of a later issue replaces it."""

    def suggest(self, text: str, center: Unit | None = None, limit: int = 3) -> list[Suggestion]:
        scored: list[Suggestion] = []
        for matter in Matter.objects.filter(is_active=True).select_related("department"):
            words = [w for w in matter.keywords.split("|") if w]
            hits = [w for w in words if w in text]
            if matter.name in text:
                hits.insert(0, matter.name)
            if hits:
                confidence = min(0.95, 0.3 + 0.2 * len(hits))
                scored.append(Suggestion(matter.department, matter, confidence, [f"命中关键词：{'、'.join(hits)}"]))
        scored.sort(key=lambda s: s.confidence, reverse=True)
        seen: set[int] = set()
        best: list[Suggestion] = []
        for suggestion in scored:
            if suggestion.unit.pk not in seen:
                seen.add(suggestion.unit.pk)
                best.append(suggestion)
        return best[:limit]


suggester: Suggester = CatalogKeywordSuggester()


@dataclass(frozen=True)
class Route:
    lead: Unit | None
    rule: str
    suggestions: list[Suggestion] = field(default_factory=list)


def route_case(case: Any) -> Route:
    """A 区级 matter goes to its department; a 镇级 matter to the reporter's town/street center."""
    matter: Matter | None = case.matter
    if matter is not None and matter.level == MatterLevel.DISTRICT:
        return Route(matter.department, f"区级事项“{matter.name}”派至主管部门")
    if matter is not None and matter.level == MatterLevel.TOWN:
        town = case.locality if case.locality is not None else case.center if is_town_center(case.center) else None
        if town is not None:
            return Route(town, f"镇级事项“{matter.name}”派至属地{town.name}")
    text = " ".join(filter(None, [case.business_name, case.description, case.demand]))
    return Route(None, "无法按事项目录确定承办单位，转人工派单", suggester.suggest(text, case.center))
