"""Training the routing model from the database (the catalog and every past dispatch) and storing it."""

from __future__ import annotations

import hashlib
import logging
import pickle  # noqa: S403 - see models.RoutingModel
import time
from typing import Any

from django.db import transaction
from django.utils import timezone

from banchengshi.accounts.access import is_town_center
from banchengshi.audit.events import record_event
from banchengshi.dispatch import learning
from banchengshi.dispatch.models import Matter, MatterLevel, PastDispatch, PastDispatchSource, RoutingModel

log = logging.getLogger(__name__)

KEEP = 3  # stored models kept (the newest first); older ones are deleted after a training


def matter_units() -> dict[str, str]:
    return dict(Matter.objects.values_list("code", "department__code"))


def catalog_documents() -> list[learning.Doc]:
    rows = Matter.objects.filter(is_active=True).values_list("code", "name", "keywords", "department__code")
    return learning.catalog_documents(list(rows))


def past_document(past: PastDispatch) -> learning.Doc:
    """A dispatch as a training document. A 镇级 matter sent to a town center teaches its department (the
    town is decided by place, not by words); a dispatch to a unit that does not own the matter teaches the
    unit alone (the dispatcher corrected the matter's department)."""
    unit, matter = past.department, past.matter
    weight = learning.WEIGHT_MANUAL if past.source == PastDispatchSource.MANUAL else learning.WEIGHT_HISTORY
    if matter is not None and matter.level == MatterLevel.TOWN and is_town_center(unit):
        return learning.Doc(past.text, matter.department.code, matter.code, weight)
    if matter is not None and matter.department_id != unit.pk:
        matter = None
    return learning.Doc(past.text, unit.code, matter.code if matter else None, weight)


def training_documents() -> list[learning.Doc]:
    pasts = PastDispatch.objects.select_related("department__parent", "matter__department").order_by("pk")
    return catalog_documents() + [past_document(p) for p in pasts]


def retrain(reason: str = "") -> RoutingModel:
    """Train on everything stored and store the model (or, if training fails, why: the previous model
    stays in use and the admin office is warned). Run by the job, never inside a request."""
    started = time.monotonic()
    docs = training_documents()
    try:
        model = learning.train(docs, matter_units())
        blob = pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as exc:  # a training that fails leaves a record and a warning, never a crash
        log.exception("routing model training failed")
        with transaction.atomic():
            row = RoutingModel.objects.create(trained_at=timezone.now(), samples=len(docs), error=str(exc)[:2000] or type(exc).__name__)
            record_event("routing_model_failed", model=row.pk, reason=row.error[:200], stage="train")
        return row
    figures: dict[str, Any] = {
        "seconds": round(time.monotonic() - started, 2),
        "units": len(model.unit_model.labels),
        "matters": len(model.matter_model.labels) if model.matter_model else 0,
        "features": len(model.feature_names),
        "bytes": len(blob),
        "reason": reason,
        "format": learning.FORMAT,
    }
    with transaction.atomic():
        row = RoutingModel.objects.create(
            trained_at=timezone.now(), samples=len(docs), blob=blob, digest=hashlib.sha256(blob).hexdigest(), figures=figures
        )
        record_event("routing_model_trained", model=row.pk, samples=len(docs), seconds=figures["seconds"], reason=reason)
        stale = RoutingModel.objects.order_by("-pk").values_list("pk", flat=True)[KEEP:]
        RoutingModel.objects.filter(pk__in=list(stale)).delete()
    return row


def is_stale() -> bool:
    """True when dispatches were recorded since the newest model was trained (or there is none, or it was
    stored in an older format)."""
    latest = RoutingModel.objects.order_by("-pk").first()
    if latest is None or latest.error or latest.figures.get("format") != learning.FORMAT:
        return True
    return PastDispatch.objects.filter(created_at__gt=latest.trained_at).exists() or (
        latest.samples != len(catalog_documents()) + PastDispatch.objects.count()
    )
