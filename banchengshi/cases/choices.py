from django.db import models

from banchengshi.sla.choices import ClockKind, Complexity

# Owned by sla (the clock rules and the policies' limits); re-exported for the case's vocabulary.
__all__ = ["ClockKind", "Complexity"]


class CaseStatus(models.TextChoices):
    REGISTERED = "registered", "已登记"
    RESOLVED_ON_SITE = "resolved_on_site", "现场办结"
    NOT_ACCEPTED = "not_accepted", "不予受理"
    ACCEPTED = "accepted", "已受理待派单"
    DISPATCHED = "dispatched", "已派单"
    IN_PROGRESS = "in_progress", "办理中"
    PAUSED = "paused", "暂停计时"
    REPLIED = "replied", "已答复"
    UNDER_REVIEW = "under_review", "待审核"
    APPROVED = "approved", "审核通过待办结"
    CLOSED = "closed", "已办结"
    VISITED = "visited", "已回访"
    RESUPERVISED = "resupervised", "再督办"
    MERGED = "merged", "已并单"


class Channel(models.TextChoices):
    WINDOW = "window", "窗口现场"
    PHONE = "phone", "电话"
    ONLINE = "online", "网上（PC端）"
    MOBILE = "mobile", "手机网页（H5/随申办）"
    KIOSK = "kiosk", "自助终端"
    WECHAT = "wechat", "微信"
    UPSTREAM_EXIT = "upstream_exit", "一网通办中途退出"
    BAD_REVIEW = "bad_review", "好差评差评"


# Where a report came in by the reporter's own hand (the public pages and API), not through staff.
SELF_SERVICE_CHANNELS = frozenset({Channel.ONLINE, Channel.MOBILE, Channel.KIOSK, Channel.WECHAT})


class Portal(models.TextChoices):
    """Where an online matter could not get done (Chongming: 一网通办 PC portal, 随申办, enterprise pages)."""

    PC_PORTAL = "pc_portal", "一网通办PC端"
    MOBILE_APP = "mobile_app", "随申办移动端"
    ENTERPRISE = "enterprise", "企业专属网页"
    MINI_PROGRAM = "mini_program", "微信/支付宝小程序"
    HOTLINE = "hotline", "12345热线"


class VisitSource(models.TextChoices):
    """Who gave a rating: staff on a return visit, or the reporter on the public pages (一事一评)."""

    STAFF = "staff", "工作人员回访"
    REPORTER = "reporter", "反映人评价"


class ReporterKind(models.TextChoices):
    PERSON = "person", "个人"
    ENTERPRISE = "enterprise", "企业"


class Reason(models.TextChoices):
    # Songjiang 登记表
    PROOF_HARD_TO_FIND = "proof_hard_to_find", "证明材料难找"
    RULE_MISMATCH = "rule_mismatch", "规则不符合"
    MATERIAL_MISMATCH = "material_mismatch", "材料不符合"
    # Meizhou's list of what the window takes
    MISSING_EVIDENCE = "missing_evidence", "材料不齐、缺乏佐证"
    RIGID_POLICY = "rigid_policy", "生硬理解、机械执行政策"
    DIGITAL_DIFFICULTY = "digital_difficulty", "政策不熟、行动不便、运用智能技术困难"
    COMPLEX_PROCESS = "complex_process", "流程复杂、材料过多"
    SLOW_OR_RUDE = "slow_or_rude", "拖拉办理、态度不好"
    OTHER = "other", "其他原因"


class Category(models.TextChoices):
    # Ankang 第五条
    WHO = "who", "不知找谁办"
    HOW = "how", "不知怎么办"
    WINDOW = "window", "窗口办不成"


class HandlingType(models.TextChoices):
    CONSULT = "consult", "咨询引导"
    ASSIST = "assist", "帮办代办"
    COORDINATE = "coordinate", "协调督办"


class WorkOrderRole(models.TextChoices):
    LEAD = "lead", "主办"
    ASSISTING = "assisting", "协办"


class WorkOrderStatus(models.TextChoices):
    PENDING = "pending", "待接单"
    RECEIVED = "received", "办理中"
    REPLIED = "replied", "已答复"
    RETURNED = "returned", "已退回"
    TRANSFERRED = "transferred", "已下派"
    WITHDRAWN = "withdrawn", "已撤回"


OPEN_WORK_ORDER = frozenset({WorkOrderStatus.PENDING, WorkOrderStatus.RECEIVED})
# Orders whose unit no longer holds the case: sent back, sent down, or withdrawn.
FORMER_HOLDER = frozenset({WorkOrderStatus.RETURNED, WorkOrderStatus.TRANSFERRED, WorkOrderStatus.WITHDRAWN})


class ClosureBasis(models.TextChoices):
    """Why a case could be closed: the reporter said so, or let the objection window pass."""

    CONFIRMED = "confirmed", "反映人确认办理结果"
    NO_OBJECTION = "no_objection", "异议期满无异议"


class Rating(models.IntegerChoices):
    VERY_DISSATISFIED = 1, "非常不满意"
    DISSATISFIED = 2, "不满意"
    BASICALLY_SATISFIED = 3, "基本满意"
    SATISFIED = 4, "满意"
    VERY_SATISFIED = 5, "非常满意"


# A return visit at these levels, or one that finds the matter unsolved, calls for re-supervision.
UNSATISFIED_RATINGS = frozenset({Rating.VERY_DISSATISFIED, Rating.DISSATISFIED})


class LinkKind(models.TextChoices):
    """Why two reports were linked as a possible repeat (cases.duplicates)."""

    SAME_REPORTER = "same_reporter", "同一反映人重复反映"
    SIMILAR = "similar", "不同反映人反映同一问题"


class DocumentKind(models.TextChoices):
    """The papers issued for a case (cases.CaseDocument); each prints from `papers/<kind>.html`."""

    RECEIPT = "receipt", "回执"
    REGISTRATION_FORM = "registration_form", "登记表"
    ONE_TIME_NOTICE = "one_time_notice", "一次性告知单"
    REJECTION_NOTICE = "rejection_notice", "不予受理通知书"
    GUIDE = "guide", "办事指南"


# The papers a reporter may open on the public tracking page, once they proved the case is theirs.
REPORTER_PAPERS = frozenset({DocumentKind.RECEIPT, DocumentKind.REJECTION_NOTICE, DocumentKind.ONE_TIME_NOTICE})
