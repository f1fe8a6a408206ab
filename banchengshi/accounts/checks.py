"""System checks of the 三员 rules: no superuser in production, and no powers beyond one's one role."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Tags, Warning, register
from django.db import DatabaseError


@register(Tags.security)
def no_superuser_in_production(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    """等保 2.0 三级: the system, security and audit administrators (三员) hold the powers, each one
    part; a superuser holds them all. `manage.py createsuperuser` may bootstrap a test or a demo, never
    production (DEBUG off). Also warns of an account with groups or single permissions beyond its role's
    group (one person, one role)."""
    from banchengshi.accounts.models import User

    problems: list[Warning] = []
    try:
        if not settings.DEBUG:
            names = list(User.objects.filter(is_superuser=True, is_active=True).values_list("username", flat=True)[:10])
            if names:
                problems.append(Warning(
                    f"生产环境存在超级用户：{'、'.join(names)}",
                    hint="三员分立：请改用系统管理员、安全管理员、审计管理员账号（manage.py create_staff），并停用超级用户。",
                    id="accounts.W001",
                ))
        extra = [
            u.username for u in User.objects.prefetch_related("groups", "user_permissions")[:5000]
            if u.user_permissions.all() or any(g.name != f"role:{u.role}" for g in u.groups.all())
        ]
        if extra:
            problems.append(Warning(
                f"以下账号持有角色以外的权限或用户组：{'、'.join(extra[:10])}",
                hint="一人一角色：权限只随角色授予，请由安全管理员重新设置其角色。",
                id="accounts.W002",
            ))
    except DatabaseError:  # no tables yet (before migrate): nothing to check
        return []
    return problems
