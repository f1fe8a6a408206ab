"""The only ways a case's status may change, as data. Each named transition lists the states it may
start from and the state it leads to: "accept" moves a registered case to ACCEPTED, while a returned
work order moves a dispatched case there too — by another transition, which "accept" may not borrow.
Actions call `ensure_transition`; the pages ask `can` which buttons to show."""

from __future__ import annotations

from typing import NamedTuple

from banchengshi.cases.choices import CaseStatus as S


class Transition(NamedTuple):
    sources: frozenset[S]
    target: S


def _t(sources: set[S], target: S) -> Transition:
    return Transition(frozenset(sources), target)


TRANSITIONS: dict[str, Transition] = {
    "resolve_on_site": _t({S.REGISTERED}, S.RESOLVED_ON_SITE),
    "reject": _t({S.REGISTERED}, S.NOT_ACCEPTED),
    "accept": _t({S.REGISTERED}, S.ACCEPTED),
    "merge": _t({S.REGISTERED, S.ACCEPTED}, S.MERGED),
    "dispatch": _t({S.ACCEPTED}, S.DISPATCHED),
    "receive": _t({S.DISPATCHED, S.RESUPERVISED}, S.IN_PROGRESS),
    # A returned lead order sends the case back to the dispatcher for re-dispatch.
    "return_for_redispatch": _t({S.DISPATCHED, S.IN_PROGRESS}, S.ACCEPTED),
    "pause": _t({S.IN_PROGRESS}, S.PAUSED),
    "resume": _t({S.PAUSED}, S.IN_PROGRESS),
    "reply": _t({S.IN_PROGRESS}, S.REPLIED),
    "submit_for_review": _t({S.REPLIED}, S.UNDER_REVIEW),
    "review_return": _t({S.UNDER_REVIEW}, S.IN_PROGRESS),
    "close": _t({S.RESOLVED_ON_SITE, S.UNDER_REVIEW}, S.CLOSED),
    "visit": _t({S.CLOSED}, S.VISITED),
    "resupervise": _t({S.VISITED}, S.RESUPERVISED),
}

# The state graph the transitions make (for documentation and checks).
ALLOWED: dict[S, frozenset[S]] = {
    status: frozenset(t.target for t in TRANSITIONS.values() if status in t.sources) for status in S
}

OPEN_STATUSES = frozenset(
    {S.REGISTERED, S.ACCEPTED, S.DISPATCHED, S.IN_PROGRESS, S.PAUSED, S.REPLIED, S.UNDER_REVIEW, S.RESUPERVISED}
)


class InvalidTransition(Exception):
    def __init__(self, current: str, target: str) -> None:
        self.current, self.target = current, target
        super().__init__(f"当前状态“{S(current).label}”不能变为“{S(target).label}”")


def can(current: str, transition: str) -> bool:
    return S(current) in TRANSITIONS[transition].sources


def ensure_transition(current: str, transition: str) -> S:
    """The target of `transition` from `current`, or InvalidTransition."""
    if not can(current, transition):
        raise InvalidTransition(current, TRANSITIONS[transition].target)
    return TRANSITIONS[transition].target
