"""The only ways a case's status may change. Actions call `ensure_transition`; the UI asks `allowed`."""

from __future__ import annotations

from banchengshi.cases.choices import CaseStatus as S

ALLOWED: dict[S, frozenset[S]] = {
    S.REGISTERED: frozenset({S.RESOLVED_ON_SITE, S.NOT_ACCEPTED, S.ACCEPTED, S.MERGED}),
    S.RESOLVED_ON_SITE: frozenset({S.CLOSED}),
    S.NOT_ACCEPTED: frozenset(),
    S.ACCEPTED: frozenset({S.DISPATCHED, S.MERGED}),
    # A returned lead order sends the case back to the dispatcher (ACCEPTED) for re-dispatch.
    S.DISPATCHED: frozenset({S.IN_PROGRESS, S.ACCEPTED}),
    S.IN_PROGRESS: frozenset({S.REPLIED, S.PAUSED, S.ACCEPTED}),
    S.PAUSED: frozenset({S.IN_PROGRESS}),
    S.REPLIED: frozenset({S.UNDER_REVIEW}),
    S.UNDER_REVIEW: frozenset({S.CLOSED, S.IN_PROGRESS}),
    S.CLOSED: frozenset({S.VISITED}),
    S.VISITED: frozenset({S.RESUPERVISED}),
    S.RESUPERVISED: frozenset({S.IN_PROGRESS}),
    S.MERGED: frozenset(),
}

OPEN_STATUSES = frozenset(
    {S.REGISTERED, S.ACCEPTED, S.DISPATCHED, S.IN_PROGRESS, S.PAUSED, S.REPLIED, S.UNDER_REVIEW, S.RESUPERVISED}
)


class InvalidTransition(Exception):
    def __init__(self, current: str, target: str) -> None:
        self.current, self.target = current, target
        super().__init__(
            f"当前状态“{S(current).label}”不能变为“{S(target).label}”"
        )


def allowed(current: str, target: str) -> bool:
    return S(target) in ALLOWED[S(current)]


def ensure_transition(current: str, target: str) -> None:
    if not allowed(current, target):
        raise InvalidTransition(current, target)
