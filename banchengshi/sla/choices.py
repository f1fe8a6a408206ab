"""The vocabulary of time limits: the kinds of clock and the case events that start and stop them."""

from django.db import models


class ClockKind(models.TextChoices):
    ACCEPTANCE_REPLY = "acceptance_reply", "受理答复"
    FORWARD = "forward", "转办"
    FIRST_CONTACT = "first_contact", "首次联系"
    FIRST_FEEDBACK = "first_feedback", "首次反馈"
    RESOLUTION = "resolution", "办结"
    ASSISTANCE = "assistance", "协办答复"
    REVIEW = "review", "审核"
    OBJECTION = "objection", "异议期"
    RESUPERVISION = "resupervision", "再督办"
    RECTIFICATION = "rectification", "再督办整改"


class Complexity(models.TextChoices):
    """How hard a case is, set at acceptance: the policies' limits and the past dispatches use it."""

    SIMPLE = "simple", "简单"
    GENERAL = "general", "一般"
    COMPLEX = "complex", "复杂"


class ClockEvent(models.TextChoices):
    """What happens to a case that a clock may start, complete, cancel or reopen on."""

    REGISTERED = "registered", "登记"
    ACCEPTED = "accepted", "受理"
    NOT_ACCEPTED = "not_accepted", "不予受理"
    RESOLVED_ON_SITE = "resolved_on_site", "现场办结"
    MERGED = "merged", "并单"
    DISPATCHED = "dispatched", "工单到达承办单位"
    MULTI_DEPARTMENT = "multi_department", "涉及多个部门"
    ASSISTANCE_ORDERED = "assistance_ordered", "协办工单到达协办单位"
    ASSISTING_REPLIED = "assisting_replied", "协办单位答复"
    ORDER_WITHDRAWN = "order_withdrawn", "协办工单撤回"
    CONTACTED = "contacted", "联系反映人"
    ORDER_RETURNED = "order_returned", "工单退回"
    REPLIED = "replied", "主办单位答复"
    SUBMITTED_FOR_REVIEW = "submitted_for_review", "提交审核"
    APPROVED = "approved", "审核通过"
    REVIEW_RETURNED = "review_returned", "审核退回"
    OBJECTED = "objected", "反映人提出异议"
    CLOSED = "closed", "办结"
    VISITED_UNSATISFIED = "visited_unsatisfied", "回访不满意或未解决"
    RESUPERVISED = "resupervised", "再督办"


class ResolutionStart(models.TextChoices):
    """When the resolution clock starts: Suzhou counts from acceptance, Chongming from 接单 — when the
    order reaches the unit (a unit cannot hold its clock back by not receiving it)."""

    ACCEPTED = ClockEvent.ACCEPTED.value, "受理时起算"
    DISPATCHED = ClockEvent.DISPATCHED.value, "工单到达承办单位时起算"
