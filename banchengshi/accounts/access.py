"""Who may do what. Every user-scoped read of cases starts from `cases.selectors.cases_visible_to`."""

from __future__ import annotations

import enum
from typing import Any

from banchengshi.accounts.choices import CENTER_STAFF, Role, UnitKind
from banchengshi.accounts.models import Unit


class Need(enum.Enum):
    VIEW = "view"
    REGISTER = "register"  # register, resolve on the spot, accept, not-accept, merge
    DISPATCH = "dispatch"
    HANDLE = "handle"  # work-order actions of the unit holding the order
    REVIEW = "review"  # review and close
    VISIT = "visit"
    SUPERVISE = "supervise"  # re-supervision, notices, joint meetings, policies, calendar, catalog
    ATTACH = "attach"  # add files to a case the user may see


ROLES_FOR: dict[Need, frozenset[str]] = {
    Need.VIEW: frozenset(
        {Role.REGISTRAR, Role.DISPATCHER, Role.HANDLER, Role.CENTER_HEAD, Role.ADMIN_OFFICE, Role.OVERSEER}
    ),
    Need.REGISTER: frozenset({Role.REGISTRAR, Role.DISPATCHER, Role.CENTER_HEAD}),
    Need.DISPATCH: frozenset({Role.DISPATCHER, Role.ADMIN_OFFICE}),
    Need.HANDLE: CENTER_STAFF,
    Need.REVIEW: frozenset({Role.CENTER_HEAD, Role.DISPATCHER, Role.ADMIN_OFFICE}),
    Need.VISIT: frozenset({Role.DISPATCHER, Role.REGISTRAR}),
    Need.SUPERVISE: frozenset({Role.ADMIN_OFFICE}),
    # Everyone who reads cases, but oversight, which changes nothing.
    Need.ATTACH: frozenset({Role.REGISTRAR, Role.DISPATCHER, Role.HANDLER, Role.CENTER_HEAD, Role.ADMIN_OFFICE}),
}

SEES_EVERYTHING = frozenset({Role.ADMIN_OFFICE, Role.OVERSEER})


def has_role_for(user: Any, need: Need) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.role in ROLES_FOR[need]


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
