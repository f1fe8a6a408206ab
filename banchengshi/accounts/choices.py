from django.db import models


class UnitKind(models.TextChoices):
    ADMIN_OFFICE = "admin_office", "政务服务办"
    SERVICE_CENTER = "service_center", "政务服务中心"
    DEPARTMENT = "department", "部门"
    OVERSIGHT = "oversight", "纪委监委"


class Role(models.TextChoices):
    REGISTRAR = "registrar", "登记人员"
    DISPATCHER = "dispatcher", "派单员"
    HANDLER = "handler", "处置专员"
    CENTER_HEAD = "center_head", "中心负责人"
    ADMIN_OFFICE = "admin_office", "政务服务办"
    OVERSEER = "overseer", "纪委监委"
    SYSTEM_ADMIN = "system_admin", "系统管理员"
    SECURITY_ADMIN = "security_admin", "安全管理员"
    AUDIT_ADMIN = "audit_admin", "审计管理员"


CENTER_STAFF = frozenset({Role.REGISTRAR, Role.DISPATCHER, Role.HANDLER, Role.CENTER_HEAD})
