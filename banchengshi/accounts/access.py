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
    UNMASK = "unmask"  # see a masked name or phone in full, with a stated reason that is audited
    SEARCH_PHONE = "search_phone"  # find cases by a reporter's phone (POST body only, rate limited, audited)
    # 反馈整改 (Chongming): open an item asking a unit to remove a bottleneck, or cancel it.
    RECTIFY_OPEN = "rectify_open"
    # Report progress on, add evidence to and close a rectification: the unit's own staff only (per item:
    # supervision.selectors.may_rectify).
    RECTIFY = "rectify"
    STATISTICS = "statistics"  # the figures of one's scope: the dashboard (数据看板) and GET /api/v1/stats
    PUBLISH_CASES = "publish_cases"  # propose, anonymise, approve and withdraw the public page's 典型案例
    MEETING_TOPICS = "meeting_topics"  # read the possible 联席会议 topics: many reporters on one problem
    # 办事指南: write a new version of a guide of one's own department's matters (per guide:
    # guides.selectors.may_edit_guide), and approve (publish) or return a version (the admin office).
    GUIDE_EDIT = "guide_edit"
    GUIDE_REVIEW = "guide_review"
    # Give the reporter a guide, or a 一次性告知单 of the materials still missing, on a case one may see.
    GUIDE_GIVE = "guide_give"


CASE_READERS = frozenset(
    {Role.REGISTRAR, Role.DISPATCHER, Role.HANDLER, Role.CENTER_HEAD, Role.ADMIN_OFFICE, Role.OVERSEER}
)

ROLES_FOR: dict[Need, frozenset[str]] = {
    Need.VIEW: CASE_READERS,
    # Merging a repeat (并单) and deciding a possible repeat is none (不是重复) are the window's too.
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
    # Those who do not need contact details for their work but may have to read them: each time with a reason.
    Need.UNMASK: frozenset({Role.ADMIN_OFFICE, Role.OVERSEER}),
    # Only roles that may see phones at all (by their work or by unmasking).
    Need.SEARCH_PHONE: CENTER_STAFF | frozenset({Role.ADMIN_OFFICE, Role.OVERSEER}),
    Need.RECTIFY_OPEN: frozenset({Role.ADMIN_OFFICE}),
    Need.RECTIFY: frozenset({Role.HANDLER, Role.CENTER_HEAD, Role.DISPATCHER}),
    # Whoever reads cases reads the figures of the same cases (the scope is cases_visible_to's).
    Need.STATISTICS: CASE_READERS,
    # What the public reads is the admin office's word: it proposes and approves typical cases (信息公开).
    Need.PUBLISH_CASES: frozenset({Role.ADMIN_OFFICE}),
    # The admin office convenes joint meetings (安康办法第十四条); a center head sees its own centers' topics
    # to bring them to the admin office.
    Need.MEETING_TOPICS: frozenset({Role.ADMIN_OFFICE, Role.CENTER_HEAD}),
    # The department that owns a matter knows its materials (a department's staff are its handlers; a
    # center's head for the matters of a center, should one own any); the admin office checks before the
    # public reads it (Ankang: 办事指南 reviewed by 政务服务办).
    Need.GUIDE_EDIT: frozenset({Role.HANDLER, Role.CENTER_HEAD}),
    Need.GUIDE_REVIEW: frozenset({Role.ADMIN_OFFICE}),
    # Those who meet or call the reporter: the window's clerks and the handlers (咨询引导 answered on the spot).
    Need.GUIDE_GIVE: CENTER_STAFF,
}

# A second factor (TOTP) is required of the 三员, of oversight and of anyone who may unmask personal data.
SECOND_FACTOR_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN, Role.OVERSEER}) | ROLES_FOR[
    Need.UNMASK
]



def needs_second_factor(user: User | AnonymousUser | None) -> bool:
    """Whether signing in takes a TOTP code after the password (a superuser, never in production, too)."""
    if user is None or isinstance(user, AnonymousUser) or not user.is_authenticated:
        return False
    return bool(user.is_superuser or user.role in SECOND_FACTOR_ROLES)


SEES_EVERYTHING = frozenset({Role.ADMIN_OFFICE, Role.OVERSEER})


def has_role_for(user: User | AnonymousUser | None, need: Need) -> bool:
    """A signed-in staff member whose role holds `need` (request.user, a token's user, or nobody)."""
    if user is None or isinstance(user, AnonymousUser) or not user.is_authenticated:
        return False
    return user.role in ROLES_FOR[need]


def subtree_ids(unit: Unit) -> set[int]:
    """The unit and every unit below it. Kept on the unit object for its life (a request's user's unit lives as
    long as the request; a home page asks about 30 times): a copy is returned, the kept set stays as read."""
    kept = unit.__dict__.get("_subtree_ids")
    if kept is None or kept[0] != unit.pk:
        ids = {unit.pk}
        frontier = [unit.pk]
        while frontier:
            frontier = list(Unit.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
            frontier = [pk for pk in frontier if pk not in ids]
            ids.update(frontier)
        kept = unit.__dict__["_subtree_ids"] = (unit.pk, frozenset(ids))
    return set(kept[1])


def is_town_center(unit: Unit) -> bool:
    """A service center below another service center: a town or street center."""
    return unit.kind == UnitKind.SERVICE_CENTER and unit.parent is not None and unit.parent.kind == UnitKind.SERVICE_CENTER


# ---- 三员: who may manage whose account (the staff admin asks `may_manage`) -------------------------------

THREE_ADMINS = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})
"""系统管理员 / 安全管理员 / 审计管理员: three separate people, none of whom manages the others."""


class Change(enum.Enum):
    """What an administrator may try to change about a staff account."""

    CREATE = "create"  # a new account (without a role: the security administrator gives it one)
    DETAILS = "details"  # username, name, e-mail, unit
    ACTIVE = "active"  # enable or disable the account
    PASSWORD = "password"  # set a new password for the account
    ROLE = "role"  # the one role, and with it the admin-site group and the staff flag
    SUPERUSER = "superuser"  # never in the admin: `manage.py createsuperuser`, and none in production
    STAFF = "staff"  # implied by the role, never set by hand
    PERMISSIONS = "permissions"  # groups and single permissions: implied by the role, never set by hand
    SECOND_FACTOR = "second_factor"  # remove the account's TOTP device, so its owner enrols a new one


CHANGE_LABELS = {
    Change.CREATE: "创建账号",
    Change.DETAILS: "修改账号信息",
    Change.ACTIVE: "启用或停用账号",
    Change.PASSWORD: "重置密码",
    Change.ROLE: "变更角色",
    Change.SUPERUSER: "设置超级用户",
    Change.STAFF: "设置后台登录权限",
    Change.PERMISSIONS: "单独授予权限或用户组",
    Change.SECOND_FACTOR: "重置动态口令",
}

# Account housekeeping is the system administrator's; roles are the security administrator's.
MANAGES: dict[Change, frozenset[str]] = {
    Change.CREATE: frozenset({Role.SYSTEM_ADMIN}),
    Change.DETAILS: frozenset({Role.SYSTEM_ADMIN}),
    Change.ACTIVE: frozenset({Role.SYSTEM_ADMIN}),
    Change.PASSWORD: frozenset({Role.SYSTEM_ADMIN}),
    Change.ROLE: frozenset({Role.SECURITY_ADMIN}),
    Change.SUPERUSER: frozenset(),
    Change.STAFF: frozenset(),
    Change.PERMISSIONS: frozenset(),
    # A lost phone: security policy, the security administrator's (never its own: see may_manage).
    Change.SECOND_FACTOR: frozenset({Role.SECURITY_ADMIN}),
}

NEVER_IN_ADMIN = {
    Change.SUPERUSER: "超级用户不能在管理后台设置（生产环境不设超级用户）",
    Change.STAFF: "后台登录权限由角色决定，不能单独设置",
    Change.PERMISSIONS: "权限由角色决定，不能单独授予权限或用户组",
}


def may_manage(actor: User | AnonymousUser | None, target: User | None, change: Change, new_role: str = "") -> str:
    """Why `actor` may not make `change` to `target`'s account (None: a new account), or "" when they may.
    `new_role` is the role a ROLE change gives. No role grants itself or its peers powers: the system
    administrator keeps accounts but not roles, and not the other two administrators' accounts; the
    security administrator gives roles, but not to itself, not to or from the 三员; the audit administrator
    changes nothing; nobody makes a superuser, sets the staff flag, or grants groups or permissions by hand.
    A superuser (a command-line bootstrap, never in production) keeps accounts and roles, but not its own."""
    if actor is None or isinstance(actor, AnonymousUser) or not actor.is_authenticated or not actor.is_active:
        return "请先登录"
    if change in NEVER_IN_ADMIN:
        return NEVER_IN_ADMIN[change]
    if not (actor.is_superuser or actor.role in MANAGES[change]):
        who = Role(actor.role).label if actor.role else "您"
        return f"{who}无权{CHANGE_LABELS[change]}"
    is_self = target is not None and target.pk == actor.pk
    if change is Change.ROLE:
        if is_self:
            return "不能变更自己的角色"
        if target is not None and target.role in THREE_ADMINS:
            return f"不能变更{Role(target.role).label}的角色：三员账号由上级主管部门指定，通过命令行设置"
        if new_role in THREE_ADMINS:
            return f"不能在管理后台授予{Role(new_role).label}角色：三员账号由上级主管部门指定，通过命令行设置"
        return ""
    if target is not None and not is_self and target.role in THREE_ADMINS and not actor.is_superuser:
        return f"不能{CHANGE_LABELS[change]}：{Role(target.role).label}的账号不归{Role(actor.role).label}管理"
    if is_self and change is Change.ACTIVE:
        return "不能停用自己的账号"
    if is_self and change is Change.SECOND_FACTOR:
        return "不能重置自己的动态口令：请另一位安全管理员重置"
    return ""
