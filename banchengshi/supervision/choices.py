from django.db import models


class NoticeKind(models.TextChoices):
    RESUPERVISION = "resupervision", "再督办通报"
    OVERDUE = "overdue", "超时通报"
    GENERAL = "general", "工作通报"


class MeetingCriterion(models.TextChoices):
    """安康办法第十四条: when the center convenes a joint meeting (联席会议)."""

    LEADER_INSTRUCTION = "leader_instruction", "省市领导有指示批示要求的"
    WIDE_IMPACT = "wide_impact", "涉及群众多、影响面大、社会关注度高、容易诱发负面新闻的"
    CROSS_DEPARTMENT_REFORM = "cross_department_reform", "关系贯彻落实改革举措、涉及多部门多领域协调配合、需要创新措施改进工作的"
    OTHER = "other", "其他需要协调配合、专题研究的"


class RectificationStatus(models.TextChoices):
    OPEN = "open", "整改中"
    REPORTED = "reported", "已报告进展"
    CLOSED = "closed", "已完成整改"
    CANCELLED = "cancelled", "已撤销"


class Dimension(models.TextChoices):
    """What a rectification's key names, so its figures can be compared quarter to quarter."""

    MATTER = "matter", "事项"
    REASON = "reason", "办不成原因"
    CHANNEL = "channel", "反映渠道"
