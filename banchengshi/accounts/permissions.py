"""Admin-site permissions of each role, kept as Django groups named after the role."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission

from banchengshi.accounts.choices import Role

# app_label.model: actions
ROLE_PERMISSIONS: dict[str, dict[str, tuple[str, ...]]] = {
    Role.ADMIN_OFFICE: {
        "accounts.unit": ("view", "add", "change"),
        "dispatch.matter": ("view", "add", "change"),
        "dispatch.pastdispatch": ("view",),
        "sla.policy": ("view", "add", "change"),
        "sla.calendaryear": ("view", "add", "change"),
        "sla.calendarday": ("view", "add", "change", "delete"),
        "cases.case": ("view",),
        "cases.clockrecompute": ("view",),  # the progress of the clocks a calendar or policy change moves
        "integrations.integrationsource": ("view", "add", "change"),
        "integrations.inboundevent": ("view",),
        "integrations.delivery": ("view",),
    },
    Role.SYSTEM_ADMIN: {
        "accounts.unit": ("view", "add", "change"),
        "accounts.user": ("view", "add", "change"),
        "sla.calendaryear": ("view", "add", "change"),
        "sla.calendarday": ("view", "add", "change", "delete"),
        "cases.clockrecompute": ("view",),
        "integrations.integrationsource": ("view", "add", "change"),
        "integrations.delivery": ("view",),
    },
    Role.SECURITY_ADMIN: {
        "accounts.user": ("view", "change"),
        "accounts.apitoken": ("view", "change"),
        "accounts.loginattempt": ("view", "delete"),  # deleting a record lifts its lockout
    },
    Role.AUDIT_ADMIN: {"audit.event": ("view",)},
}


def role_group(role: str) -> Group | None:
    wanted = ROLE_PERMISSIONS.get(role)
    if wanted is None:
        return None
    group, _ = Group.objects.get_or_create(name=f"role:{role}")
    perms = []
    for label, verbs in wanted.items():
        app_label, model = label.split(".")
        for verb in verbs:
            perms.append(
                Permission.objects.get(content_type__app_label=app_label, content_type__model=model, codename=f"{verb}_{model}")
            )
    group.permissions.set(perms)
    return group
