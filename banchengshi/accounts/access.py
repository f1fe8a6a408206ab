"""Who may do what. Every user-scoped read of cases starts from `cases.selectors.cases_visible_to`."""

from __future__ import annotations

import enum

from django.contrib.auth.models import AnonymousUser

from banchengshi.accounts.choices import CENTER_STAFF, Role, UnitKind
from banchengshi.accounts.models import Unit, User


class Need(enum.Enum):
    """Every permission a role may hold. The role ↔ need matrix below is the only place roles get powers;
    per-case rules (whose case, which state) are `cases.selectors.may`."""

    VIEW = "view"  # read the cases of one's scope
    REGISTER = "register"  # register, resolve on the spot, accept, not-accept, merge
    DISPATCH = "dispatch"  # dispatch, re-dispatch, withdraw an assisting order
    HANDLE = "handle"  # work-order actions of the unit holding the order
    REVIEW = "review"  # approve or return a reply, close
    CHASE = "chase"  # 催办 an assisting unit that has not answered
    VISIT = "visit"  # return visit
    RESUPERVISE = "resupervise"
    SUPERVISE = "supervise"  # notices (通报) and joint meetings
    ATTACH = "attach"  # add files to a case the user may see
    CONTACT_DETAILS = "contact_details"  # the reporter's full phone number
    PRINT = "print"  # print a work order (it carries the full phone number)
    CALENDAR = "calendar"  # statutory holidays and 调休 workdays
    POLICY = "policy"  # time-limit policies
    CATALOG = "catalog"  # units and the matter catalog
    INTEGRATIONS = "integrations"  # upstream deliveries, outbound subscribers and dead letters
    AUDIT_LOG = "audit_log"  # read and export the audit log (the audit administrator, and oversight)


CASE_READERS = frozenset(
    {Role.REGISTRAR, Role.DISPATCHER, Role.HANDLER, Role.CENTER_HEAD, Role.ADMIN_OFFICE, Role.OVERSEER}
)

ROLES_FOR: dict[Need, frozenset[str]] = {
    Need.VIEW: CASE_READERS,
    Need.REGISTER: frozenset({Role.REGISTRAR, Role.DISPATCHER, Role.CENTER_HEAD}),
    Need.DISPATCH: frozenset({Role.DISPATCHER, Role.ADMIN_OFFICE}),
    Need.HANDLE: CENTER_STAFF,
    Need.REVIEW: frozenset({Role.CENTER_HEAD, Role.DISPATCHER, Role.ADMIN_OFFICE}),
    Need.CHASE: frozenset({Role.CENTER_HEAD, Role.DISPATCHER, Role.ADMIN_OFFICE}),
    Need.VISIT: frozenset({Role.DISPATCHER, Role.REGISTRAR}),
    Need.RESUPERVISE: frozenset({Role.ADMIN_OFFICE}),
    Need.SUPERVISE: frozenset({Role.ADMIN_OFFICE}),
    # Everyone who reads cases, but oversight, which changes nothing.
    Need.ATTACH: CASE_READERS - {Role.OVERSEER},
    # Those who call the reporter or meet them at the window; others see 138****5678.
    Need.CONTACT_DETAILS: CENTER_STAFF,
    Need.PRINT: CENTER_STAFF,
    Need.CALENDAR: frozenset({Role.ADMIN_OFFICE, Role.SYSTEM_ADMIN}),
    Need.POLICY: frozenset({Role.ADMIN_OFFICE}),
    Need.CATALOG: frozenset({Role.ADMIN_OFFICE}),
    Need.INTEGRATIONS: frozenset({Role.ADMIN_OFFICE, Role.SYSTEM_ADMIN}),
    Need.AUDIT_LOG: frozenset({Role.AUDIT_ADMIN, Role.OVERSEER}),
}

SEES_EVERYTHING = frozenset({Role.ADMIN_OFFICE, Role.OVERSEER})


def has_role_for(user: User | AnonymousUser | None, need: Need) -> bool:
    """A signed-in staff member whose role holds `need` (request.user, a token's user, or nobody)."""
    if user is None or isinstance(user, AnonymousUser) or not user.is_authenticated:
        return False
    return user.role in ROLES_FOR[need]


def subtree_ids(unit: Unit) -> set[int]:
    """The unit and every unit below it."""
    ids = {unit.pk}
    frontier = [unit.pk]
    while frontier:
        frontier = list(Unit.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        frontier = [pk for pk in frontier if pk not in ids]
        ids.update(frontier)
    return ids


def is_town_center(unit: Unit) -> bool:
    """A service center below another service center: a town or street center."""
    return unit.kind == UnitKind.SERVICE_CENTER and unit.parent is not None and unit.parent.kind == UnitKind.SERVICE_CENTER
