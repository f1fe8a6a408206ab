"""Where a case goes: catalog rules first, then the routing model's suggestions (the catalog's keywords
when no model can be loaded)."""

from __future__ import annotations

import hashlib
import logging
import pickle  # noqa: S403 - the model is pickled by this application's own training job (models.RoutingModel)
import re
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.conf import settings

from banchengshi.accounts.access import is_town_center
from banchengshi.accounts.choices import UnitKind
from banchengshi.accounts.models import Unit
from banchengshi.audit.events import record_event
from banchengshi.dispatch.learning import Ranked, TrainedRouter
from banchengshi.dispatch.models import Matter, MatterLevel, RoutingModel

log = logging.getLogger(__name__)

MODEL = "model"
CATALOG = "catalog"
# A model's guess below this confidence is shown (a button in the queue) but not pre-selected in the form.
PRESELECT_FLOOR = 0.4
MEANINGLESS = 0.005  # a guess this unlikely is not offered at all


@dataclass(frozen=True)
class Suggestion:
    unit: Unit
    matter: Matter | None
    confidence: float
    reasons: list[str] = field(default_factory=list)
    source: str = CATALOG  # MODEL: the routing model's guess (only those may dispatch automatically)


class Suggester(Protocol):
    def suggest(
        self, text: str, center: Unit | None = None, limit: int = 3, locality: Unit | None = None
    ) -> list[Suggestion]: ...


class CatalogKeywordSuggester:
    """Matches the catalog's keywords in the text. The text model of a later issue replaces it."""

    def suggest(
        self, text: str, center: Unit | None = None, limit: int = 3, locality: Unit | None = None
    ) -> list[Suggestion]:
        scored: list[Suggestion] = []
        for matter in Matter.objects.filter(is_active=True).select_related("department"):
            words = [w for w in matter.keywords.split("|") if w]
            hits = [w for w in words if w in text]
            if matter.name in text:
                hits.insert(0, matter.name)
            if hits:
                confidence = min(0.95, 0.3 + 0.2 * len(hits))
                scored.append(Suggestion(matter.department, matter, confidence, hits))
        scored.sort(key=lambda s: s.confidence, reverse=True)
        seen: set[int] = set()
        best: list[Suggestion] = []
        for suggestion in scored:
            if suggestion.unit.pk not in seen:
                seen.add(suggestion.unit.pk)
                best.append(suggestion)
        return best[:limit]


# ---- the routing model: loaded once per process, reloaded when a newer one is stored ------------------


@dataclass
class _Loaded:
    key: tuple[int, str] | None = None  # (pk, digest) of the row loaded
    model: TrainedRouter | None = None
    problem: str | None = None  # why suggestions come from the catalog's keywords (shown to the admin office)


_state = _Loaded()
_lock = threading.Lock()


def _load(key: tuple[int, str]) -> TrainedRouter:
    pk, digest = key
    blob = bytes(RoutingModel.objects.values_list("blob", flat=True).get(pk=pk))
    if hashlib.sha256(blob).hexdigest() != digest:
        raise ValueError("模型数据校验失败（SHA-256 不符）")
    model = pickle.loads(blob)  # noqa: S301 - written by this application's training job, digest checked
    if not isinstance(model, TrainedRouter):
        raise TypeError(f"模型数据类型不符：{type(model).__name__}")
    if not hasattr(model, "word_vocabulary"):  # trained before the model kept its vocabularies as plain arrays
        raise TypeError("模型为旧版格式，等待定时任务重新训练")
    return model


_recent: dict[str, tuple[float, Any]] = {}  # what was read less than ROUTING_CACHE_SECONDS ago


def _fresh(name: str, read: Any) -> Any:
    """`read()`, or its value of less than ROUTING_CACHE_SECONDS ago (0 in the tests: always read)."""
    seconds = float(getattr(settings, "ROUTING_CACHE_SECONDS", 5))
    now = time.monotonic()
    if seconds > 0 and name in _recent and now - _recent[name][0] < seconds:
        return _recent[name][1]
    value = read()
    _recent[name] = (now, value)
    return value


def current_model() -> tuple[TrainedRouter | None, str | None]:
    """The newest stored model and, when there is none to use, why. The newest row's id is read at most
    every ROUTING_CACHE_SECONDS; the pickle only when a newer row appears (a retrain by the job)."""
    return _fresh("model", _current_model)


def _current_model() -> tuple[TrainedRouter | None, str | None]:
    global _state
    latest = RoutingModel.objects.order_by("-pk").values("pk", "digest", "error").first()
    if latest is None:
        return None, "智能派单模型尚未训练，派单推荐暂按事项目录关键词给出，未能匹配的反映件转人工派单。"
    failed = latest["error"]
    if failed:
        latest = RoutingModel.objects.filter(error="").order_by("-pk").values("pk", "digest", "error").first()
    key = None if latest is None else (latest["pk"], latest["digest"])
    with _lock:
        if key is not None and _state.key != key:
            try:
                _state = _Loaded(key, _load(key), None)
            except Exception as exc:  # a damaged pickle can raise anything
                log.exception("routing model %s could not be loaded", key)
                _state = _Loaded(key, None, f"智能派单模型无法加载（{exc}），派单推荐暂按事项目录关键词给出。")
                record_event("routing_model_failed", model=key[0], reason=str(exc)[:200], stage="load")
        state = _state if key is not None else _Loaded()
    if failed and state.model is not None:
        return state.model, f"最近一次训练智能派单模型失败（{failed[:200]}），仍在使用上一版模型。"
    if failed:
        return None, f"智能派单模型训练失败（{failed[:200]}），派单推荐暂按事项目录关键词给出。"
    return state.model, state.problem


def model_warning() -> str | None:
    """What the admin office and the dispatchers are told when suggestions do not come from a working model."""
    return current_model()[1]


PLACE = re.compile(r"^示范区(.+?(?:街道|镇|乡))")


def town_centers() -> list[tuple[str, Unit]]:
    """Each town/street center with the place it serves (城河街道, 堡桥镇 …), longest place first."""
    centers = Unit.objects.filter(kind=UnitKind.SERVICE_CENTER, parent__kind=UnitKind.SERVICE_CENTER, is_active=True)
    places = []
    for unit in centers:
        found = PLACE.match(unit.name)
        if found:
            places.append((found.group(1), unit))
    return sorted(places, key=lambda p: -len(p[0]))


@dataclass
class _Lookup:
    """The units, matters and town centers a batch of suggestions may name: read once per batch."""

    units: dict[str, Unit]
    matters: dict[str, Matter]
    towns: list[tuple[str, Unit]] | None = None

    @classmethod
    def of(cls, ranked: Sequence[Sequence[Ranked]]) -> _Lookup:
        """The units and matters named in `ranked` (the whole catalog, a few hundred rows, read at most
        every ROUTING_CACHE_SECONDS)."""
        if float(getattr(settings, "ROUTING_CACHE_SECONDS", 5)) <= 0:
            units = {r.unit for rs in ranked for r in rs}
            matters = {r.matter for rs in ranked for r in rs if r.matter}
            return cls(Unit.objects.select_related("parent").in_bulk(units, field_name="code"),
                       Matter.objects.in_bulk(matters, field_name="code"))
        catalog = _fresh("catalog", lambda: (Unit.objects.select_related("parent").in_bulk(field_name="code"),
                                             Matter.objects.in_bulk(field_name="code")))
        return cls(*catalog)

    def town(self, text: str, center: Unit | None, locality: Unit | None) -> Unit | None:
        if locality is not None:
            return locality
        if self.towns is None:
            self.towns = town_centers()
        for place, unit in self.towns:
            if place in text or (len(place) > 2 and place[:-1] in text and place[-1] in "镇乡"):
                return unit
        if center is not None and is_town_center(center):
            return center
        return None


class ModelSuggester:
    """The routing model's top suggestions; the catalog's keywords when no model can be used."""

    fallback = CatalogKeywordSuggester()

    def suggest(
        self, text: str, center: Unit | None = None, limit: int = 3, locality: Unit | None = None
    ) -> list[Suggestion]:
        return self.suggest_many([(text, center, locality)], limit)[0]

    def suggest_many(
        self, reports: Sequence[tuple[str, Unit | None, Unit | None]], limit: int = 3
    ) -> list[list[Suggestion]]:
        """Suggestions for each (text, center, locality): one look-up of the model, units and matters."""
        model, _ = current_model()
        if model is None:
            return [self.fallback.suggest(text, center, limit, locality) for text, center, locality in reports]
        ranked = [model.rank(text, limit=limit + 2) for text, _, _ in reports]
        lookup = _Lookup.of(ranked)
        return [self._one(rs, lookup, text, center, locality, limit)
                for rs, (text, center, locality) in zip(ranked, reports, strict=True)]

    def _one(self, ranked: Sequence[Ranked], lookup: _Lookup, text: str, center: Unit | None, locality: Unit | None,
             limit: int) -> list[Suggestion]:
        out: list[Suggestion] = []
        for r in ranked:
            unit, matter = lookup.units.get(r.unit), lookup.matters.get(r.matter or "")
            if unit is None or not unit.is_active or r.probability < MEANINGLESS or not r.words:
                continue  # a guess with no word of the text behind it is not offered
            if matter is not None and matter.level == MatterLevel.TOWN and matter.department_id == unit.pk:
                unit = lookup.town(text, center, locality) or unit
            if not any(s.unit.pk == unit.pk for s in out):
                out.append(Suggestion(unit, matter, r.probability, r.words, MODEL))
        return out[:limit]


suggester: Suggester = ModelSuggester()


@dataclass(frozen=True)
class Route:
    lead: Unit | None
    rule: str
    suggestions: list[Suggestion] = field(default_factory=list)


UNPLACED = "无法按事项目录确定承办单位，转人工派单"


def route_case(case: Any, *, suggest: bool = True) -> Route:
    """A 区级 matter goes to its department; a 镇级 matter to the reporter's town/street center."""
    matter: Matter | None = case.matter
    if matter is not None and matter.level == MatterLevel.DISTRICT:
        return Route(matter.department, f"区级事项“{matter.name}”派至主管部门")
    if matter is not None and matter.level == MatterLevel.TOWN:
        town = case.locality if case.locality is not None else case.center if is_town_center(case.center) else None
        if town is not None:
            return Route(town, f"镇级事项“{matter.name}”派至属地{town.name}")
    if not suggest:
        return Route(None, UNPLACED)
    return Route(None, UNPLACED, suggester.suggest(case_text(case), case.center, locality=case.locality))


def route_cases(cases: Sequence[Any]) -> list[Route]:
    """route_case for many cases (the dispatcher's queue): the model and the catalog are read once."""
    routes: list[Route | None] = [None] * len(cases)
    pending = []
    for i, case in enumerate(cases):
        route = route_case(case, suggest=False)
        if route.lead is not None:
            routes[i] = route
        else:
            pending.append(i)
    if not pending:
        return [r for r in routes if r is not None]
    many = suggester.suggest_many([(case_text(cases[i]), cases[i].center, cases[i].locality) for i in pending]) \
        if isinstance(suggester, ModelSuggester) else [suggester.suggest(case_text(cases[i]), cases[i].center,
                                                                          locality=cases[i].locality) for i in pending]
    for i, suggestions in zip(pending, many, strict=True):
        routes[i] = Route(None, UNPLACED, suggestions)
    return [r for r in routes if r is not None]


def case_text(case: Any) -> str:
    """What the model reads of a case (and what a dispatch teaches it)."""
    return " ".join(filter(None, [case.business_name, case.description, case.demand]))
