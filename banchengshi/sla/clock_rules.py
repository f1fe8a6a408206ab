"""One table for every clock: which policy field gives its limit, which event starts it, which
completes it, which cancels it (ends it without the work being done) and which reopens it.
Actions report events to `cases.clocks.on_event`, which reads this table and nothing else."""

from __future__ import annotations

from dataclasses import dataclass

from banchengshi.sla.choices import ClockEvent as E
from banchengshi.sla.choices import ClockKind as K

# Events after which no clock of the case runs on: whatever no rule completed is cancelled.
TERMINAL = frozenset({E.NOT_ACCEPTED, E.MERGED, E.CLOSED})


@dataclass(frozen=True)
class ClockRule:
    kind: K
    limit: str  # a Policy field of working days; "resolution" means Policy.resolution_days
    starts: frozenset[E]
    completes: frozenset[E]
    cancels: frozenset[E] = frozenset()
    reopens: frozenset[E] = frozenset()
    # A Policy field naming which of `starts` applies (the others do not start this clock).
    start_choice: str = ""
    # One clock per work order (started, completed and cancelled with that order), or one per case.
    per_order: bool = False
    # A named condition on the case (see cases.clocks.CONDITIONS); empty means always.
    when: str = ""
    # Count from this moment of the case ("accepted_at", "replied_at") rather than from the event.
    counts_from: str = ""
    # Started again on each occurrence of its event (one running at a time); otherwise once per case
    # (or, with per_order, once per order).
    repeats: bool = False
    # Its working days are chosen when it starts (within the policy) and kept when clocks are recomputed.
    chosen_days: bool = False


RULES: tuple[ClockRule, ...] = (
    # Every open case has a clock from registration: accept it or say why not (Songjiang: 3 days).
    ClockRule(K.ACCEPTANCE_REPLY, "acceptance_days", starts=frozenset({E.REGISTERED}),
              completes=frozenset({E.ACCEPTED, E.NOT_ACCEPTED, E.RESOLVED_ON_SITE})),
    # Songjiang: forwarded to a handler within 1 working day of registration.
    ClockRule(K.FORWARD, "forward_days", starts=frozenset({E.REGISTERED}),
              completes=frozenset({E.DISPATCHED, E.NOT_ACCEPTED, E.RESOLVED_ON_SITE})),
    # Chongming: contact the reporter within 1 working day of the order reaching the unit.
    ClockRule(K.FIRST_CONTACT, "contact_days", starts=frozenset({E.DISPATCHED}),
              completes=frozenset({E.CONTACTED, E.REPLIED}), cancels=frozenset({E.ORDER_RETURNED}), per_order=True),
    # Suzhou / Meizhou: complex or multi-department cases get a first feedback, counted from acceptance.
    ClockRule(K.FIRST_FEEDBACK, "first_feedback_days", starts=frozenset({E.ACCEPTED, E.MULTI_DEPARTMENT}),
              completes=frozenset({E.CONTACTED, E.REPLIED}), when="complex_or_multi_department", counts_from="accepted_at"),
    ClockRule(K.RESOLUTION, "resolution", starts=frozenset({E.ACCEPTED, E.DISPATCHED}),
              completes=frozenset({E.REPLIED}), reopens=frozenset({E.REVIEW_RETURNED}), start_choice="resolution_start"),
    # An assisting unit answers within the case's own resolution limit; the case cannot be reviewed before.
    ClockRule(K.ASSISTANCE, "resolution", starts=frozenset({E.ASSISTANCE_ORDERED}),
              completes=frozenset({E.ASSISTING_REPLIED}), cancels=frozenset({E.ORDER_RETURNED, E.ORDER_WITHDRAWN}),
              per_order=True),
    # The center head reviews a reply (no seed names a limit: 1 working day by default).
    ClockRule(K.REVIEW, "review_days", starts=frozenset({E.SUBMITTED_FOR_REVIEW, E.OBJECTED}),
              completes=frozenset({E.APPROVED, E.REVIEW_RETURNED}), repeats=True),
    # After the reply (or the answer on the spot) the reporter may object; when the window ends without an
    # objection the case is due to be closed (Songjiang: 无异议的视为诉求办结).
    ClockRule(K.OBJECTION, "objection_days", starts=frozenset({E.APPROVED, E.RESOLVED_ON_SITE}),
              completes=frozenset({E.CLOSED, E.OBJECTED}), repeats=True, counts_from="replied_at"),
    # The admin office answers an unsatisfied return visit with a re-supervision.
    ClockRule(K.RESUPERVISION, "resupervision_days", starts=frozenset({E.VISITED_UNSATISFIED}),
              completes=frozenset({E.RESUPERVISED}), repeats=True),
    # The unit's new limit after a re-supervision (the admin office may choose it within the policy).
    ClockRule(K.RECTIFICATION, "rectification_days", starts=frozenset({E.RESUPERVISED}),
              completes=frozenset({E.REPLIED}), reopens=frozenset({E.REVIEW_RETURNED}), per_order=True,
              chosen_days=True),
)

RULE_FOR: dict[str, ClockRule] = {rule.kind: rule for rule in RULES}


@dataclass(frozen=True)
class ItemClockRule:
    """A clock on something other than a case: started, completed and cancelled by that thing's own
    actions (the action names below), its limit chosen when it starts within two Policy fields. Its
    deadline and warning come from `sla.services.due_for`, its light from `sla.deadlines.light`."""

    label: str
    limit: str  # a Policy field: the working days given unless others are chosen
    max_limit: str  # a Policy field: the most working days that may be chosen
    starts: str
    completes: str
    cancels: str


ITEM_RULES: dict[str, ItemClockRule] = {
    # Chongming 反馈整改: the admin office asks a unit to remove a bottleneck (a matter, a reason) within a
    # limit it chooses; the unit reports progress and closes it with evidence (supervision.Rectification).
    "unit_rectification": ItemClockRule("反馈整改", "unit_rectification_days", "unit_rectification_max_days",
                                        starts="open", completes="close", cancels="cancel"),
}
