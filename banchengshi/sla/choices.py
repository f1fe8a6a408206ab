"""The vocabulary of time limits: the kinds of clock and the case events that start and stop them."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ClockKind(models.TextChoices):
    ACCEPTANCE_REPLY = "acceptance_reply", _("受理答复")
    FORWARD = "forward", _("转办")
    FIRST_CONTACT = "first_contact", _("首次联系")
    FIRST_FEEDBACK = "first_feedback", _("首次反馈")
    RESOLUTION = "resolution", _("办结")
    ASSISTANCE = "assistance", _("协办答复")
    REVIEW = "review", _("审核")
    OBJECTION = "objection", _("异议期")
    RESUPERVISION = "resupervision", _("再督办")
    RECTIFICATION = "rectification", _("再督办整改")


class Complexity(models.TextChoices):
    """How hard a case is, set at acceptance: the policies' limits and the past dispatches use it."""

    SIMPLE = "simple", _("简单")
    GENERAL = "general", _("一般")
    COMPLEX = "complex", _("复杂")


class ClockEvent(models.TextChoices):
    """What happens to a case that a clock may start, complete, cancel or reopen on."""

    REGISTERED = "registered", _("登记")
    ACCEPTED = "accepted", _("受理")
    NOT_ACCEPTED = "not_accepted", _("不予受理")
    RESOLVED_ON_SITE = "resolved_on_site", _("现场办结")
    MERGED = "merged", _("并单")
    DISPATCHED = "dispatched", _("工单到达承办单位")
    MULTI_DEPARTMENT = "multi_department", _("涉及多个部门")
    ASSISTANCE_ORDERED = "assistance_ordered", _("协办工单到达协办单位")
    ASSISTING_REPLIED = "assisting_replied", _("协办单位答复")
    ORDER_WITHDRAWN = "order_withdrawn", _("协办工单撤回")
    CONTACTED = "contacted", _("联系反映人")
    ORDER_RETURNED = "order_returned", _("工单退回")
    REPLIED = "replied", _("主办单位答复")
    SUBMITTED_FOR_REVIEW = "submitted_for_review", _("提交审核")
    APPROVED = "approved", _("审核通过")
    REVIEW_RETURNED = "review_returned", _("审核退回")
    OBJECTED = "objected", _("反映人提出异议")
    CLOSED = "closed", _("办结")
    VISITED_UNSATISFIED = "visited_unsatisfied", _("回访不满意或未解决")
    RESUPERVISED = "resupervised", _("再督办")


class ResolutionStart(models.TextChoices):
    """When the resolution clock starts: Suzhou counts from acceptance, Chongming from 接单 — when the
    order reaches the unit (a unit cannot hold its clock back by not receiving it)."""

    ACCEPTED = ClockEvent.ACCEPTED.value, _("受理时起算")
    DISPATCHED = ClockEvent.DISPATCHED.value, _("工单到达承办单位时起算")
