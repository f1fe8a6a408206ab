from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils import timezone

from banchengshi.audit.labels import EventType
from banchengshi.audit.models import Event

if TYPE_CHECKING:  # the actor's type only: audit never imports accounts when it runs (pyproject.toml)
    from banchengshi.accounts.models import User


def record_event(
    action: str,
    *,
    actor: User | None = None,
    case: Any = None,
    work_order: Any = None,
    before: str = "",
    after: str = "",
    at: Any = None,
    actor_label: str = "",
    **data: Any,
) -> Event:
    """Write one event. Call inside the action's transaction, so a failed write undoes the change.
    The actor is a staff user (accounts.User, settings.AUTH_USER_MODEL), or None for the system."""
    if action not in EventType.values:
        raise ValueError(f"unknown event type {action!r}: add it to audit.labels.EventType")
    label = (actor_label or "系统") if actor is None else f"{actor}（{actor.unit}）" if getattr(actor, "unit", None) else str(actor)
    return Event.objects.create(
        case=case,
        work_order=work_order,
        actor=actor,
        actor_label=label,
        action=action,
        at=at or timezone.now(),
        status_before=before,
        status_after=after,
        data=data,
    )
