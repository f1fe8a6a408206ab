from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitKind(models.TextChoices):
    ADMIN_OFFICE = "admin_office", _("政务服务办")
    SERVICE_CENTER = "service_center", _("政务服务中心")
    DEPARTMENT = "department", _("部门")
    OVERSIGHT = "oversight", _("纪委监委")


class Role(models.TextChoices):
    REGISTRAR = "registrar", _("登记人员")
    DISPATCHER = "dispatcher", _("派单员")
    HANDLER = "handler", _("处置专员")
    CENTER_HEAD = "center_head", _("中心负责人")
    ADMIN_OFFICE = "admin_office", _("政务服务办")
    OVERSEER = "overseer", _("纪委监委")
    SYSTEM_ADMIN = "system_admin", _("系统管理员")
    SECURITY_ADMIN = "security_admin", _("安全管理员")
    AUDIT_ADMIN = "audit_admin", _("审计管理员")


CENTER_STAFF = frozenset({Role.REGISTRAR, Role.DISPATCHER, Role.HANDLER, Role.CENTER_HEAD})
