"""The only ways a case's status may change, as data. Each named transition lists the states it may
start from and the state it leads to: "accept" moves a registered case to ACCEPTED, while a returned
work order moves a dispatched case there too — by another transition, which "accept" may not borrow.
Actions call `ensure_transition`; the pages ask `can` which buttons to show."""

from __future__ import annotations

from typing import NamedTuple

from banchengshi.cases.choices import CaseStatus as S
from banchengshi.cases.choices import WorkOrderStatus as W


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
    "approve": _t({S.UNDER_REVIEW}, S.APPROVED),
    "review_return": _t({S.UNDER_REVIEW}, S.IN_PROGRESS),
    # The reporter objects to the approved reply within the objection window: reviewed again.
    "object": _t({S.APPROVED}, S.UNDER_REVIEW),
    "close": _t({S.RESOLVED_ON_SITE, S.APPROVED}, S.CLOSED),
    "visit": _t({S.CLOSED}, S.VISITED),
    "resupervise": _t({S.VISITED}, S.RESUPERVISED),
}

# The state graph the transitions make (for documentation and checks).
ALLOWED: dict[S, frozenset[S]] = {
    status: frozenset(t.target for t in TRANSITIONS.values() if status in t.sources) for status in S
}

OPEN_STATUSES = frozenset(
    {S.REGISTERED, S.ACCEPTED, S.DISPATCHED, S.IN_PROGRESS, S.PAUSED, S.REPLIED, S.UNDER_REVIEW, S.APPROVED, S.RESUPERVISED}
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


class OrderTransition(NamedTuple):
    sources: frozenset[W]
    target: W


def _o(sources: set[W], target: W) -> OrderTransition:
    return OrderTransition(frozenset(sources), target)


# A work order's life. Transitions whose target is among their sources are steps of work that keep
# the status (contact, note, co-handling request) but may only be taken from those states.
ORDER_TRANSITIONS: dict[str, OrderTransition] = {
    "receive": _o({W.PENDING}, W.RECEIVED),
    "contact": _o({W.RECEIVED}, W.RECEIVED),
    "note": _o({W.PENDING, W.RECEIVED}, W.RECEIVED),
    "request_assistance": _o({W.RECEIVED}, W.RECEIVED),
    "reply": _o({W.RECEIVED}, W.REPLIED),
    "return": _o({W.PENDING, W.RECEIVED}, W.RETURNED),
    "dispatch_down": _o({W.PENDING, W.RECEIVED}, W.TRANSFERRED),
    # The order sent down came back: the holder has it again, received or not as before.
    "take_back": _o({W.TRANSFERRED}, W.RECEIVED),
    "take_back_unreceived": _o({W.TRANSFERRED}, W.PENDING),
    # The review returned the lead unit's reply.
    "reopen": _o({W.REPLIED}, W.RECEIVED),
    # The dispatcher or admin office withdraws an assisting order that holds up the case.
    "withdraw": _o({W.PENDING, W.RECEIVED}, W.WITHDRAWN),
    "chase": _o({W.PENDING, W.RECEIVED}, W.PENDING),
}


class InvalidOrderTransition(InvalidTransition):
    """Answered like a refused case transition (409)."""

    def __init__(self, current: str, transition: str) -> None:
        self.current, self.target = current, transition
        Exception.__init__(self, f"工单当前为“{W(current).label}”，不能{ORDER_ACTION_LABELS.get(transition, transition)}")


ORDER_ACTION_LABELS = {
    "receive": "接单", "contact": "记录联系情况", "note": "添加办理记录", "request_assistance": "发起协办",
    "reply": "答复", "return": "退回", "dispatch_down": "下派", "take_back": "收回", "take_back_unreceived": "收回",
    "reopen": "退回重办", "withdraw": "撤回", "chase": "催办",
}


def can_order(current: str, transition: str) -> bool:
    return W(current) in ORDER_TRANSITIONS[transition].sources


def ensure_order_transition(current: str, transition: str) -> W:
    """The status an order has after `transition` from `current`, or InvalidOrderTransition."""
    if not can_order(current, transition):
        raise InvalidOrderTransition(current, transition)
    step = ORDER_TRANSITIONS[transition]
    return W(current) if step.target in step.sources else step.target
