"""Chinese names of event actions, for the timeline, the audit log and the exports.

Kept in the audit app, the lowest layer, so every app that records or shows events can read them.
"""

from __future__ import annotations

from django.db import models


class EventType(models.TextChoices):
    """Every kind of event the timeline and the audit log record; `record_event` refuses any other."""

    REGISTERED = "registered", "登记"
    RESOLVED_ON_SITE = "resolved_on_site", "现场办结"
    NOT_ACCEPTED = "not_accepted", "不予受理"
    ACCEPTED = "accepted", "受理"
    MERGED = "merged", "并单"
    DUPLICATE_MERGED = "duplicate_merged", "重复反映并入"
    DISPATCHED = "dispatched", "派单"
    QUEUED_FOR_MANUAL_DISPATCH = "queued_for_manual_dispatch", "转人工派单"
    WORK_ORDER_CREATED = "work_order_created", "生成工单"
    WORK_ORDER_RECEIVED = "work_order_received", "接单"
    WORK_ORDER_RETURNED = "work_order_returned", "退回工单"
    RETURNED_FOR_REDISPATCH = "returned_for_redispatch", "退回待重新派单"
    DISPATCHED_DOWN = "dispatched_down", "向下派单"
    ASSISTANCE_REQUESTED = "assistance_requested", "发起协办"
    REPORTER_CONTACTED = "reporter_contacted", "联系反映人"
    NOTE_ADDED = "note_added", "办理记录"
    PAUSED = "paused", "暂停计时"
    RESUMED = "resumed", "恢复计时"
    REPLIED = "replied", "答复"
    ASSISTING_REPLIED = "assisting_replied", "协办答复"
    SUBMITTED_FOR_REVIEW = "submitted_for_review", "提交审核"
    REVIEW_APPROVED = "review_approved", "审核通过"
    REVIEW_RETURNED = "review_returned", "审核退回"
    CLOSED = "closed", "办结"
    VISITED = "visited", "回访"
    RESUPERVISED = "resupervised", "再督办"
    NOTICE_ISSUED = "notice_issued", "通报"
    CLOCK_RECOMPUTED = "clock_recomputed", "时限重算"
    CLOCK_OVERDUE = "clock_overdue", "超时"
    ATTACHMENT_ADDED = "attachment_added", "上传附件"
    NOTICE_ACKNOWLEDGED = "notice_acknowledged", "签收通报"
    JOINT_MEETING_CONVENED = "joint_meeting_convened", "召开联席会议"
    JOINT_MEETING_OUTCOME = "joint_meeting_outcome", "联席会议议定"
    FOLLOW_UP_TASK_DONE = "follow_up_task_done", "交办任务完成"
    CALENDAR_UPDATED = "calendar_updated", "工作日历调整"
    CALENDAR_PUBLISHED = "calendar_published", "发布工作日历"
    POLICY_UPDATED = "policy_updated", "时限规则调整"
    UNIT_UPDATED = "unit_updated", "单位设置调整"
    STAFF_CREATED = "staff_created", "创建工作人员账号"
    DEMO_PASSWORD_RESET = "demo_password_reset", "重置演示账号密码"
    WORK_ORDER_CHASED = "work_order_chased", "催办"
    WORK_ORDER_WITHDRAWN = "work_order_withdrawn", "撤回协办工单"
    REPORTER_OBJECTED = "reporter_objected", "反映人提出异议"
    REPORTER_CONFIRMED = "reporter_confirmed", "反映人确认办理结果"
    REPORTER_RATED = "reporter_rated", "反映人评价"
    UPSTREAM_EVENT_ACCEPTED = "upstream_event_accepted", "接收对接事件"
    UPSTREAM_EVENT_REFUSED = "upstream_event_refused", "拒收对接事件"
    SUBSCRIBER_RESUMED = "subscriber_resumed", "恢复推送订阅方"
    DEAD_LETTER_RETRIED = "dead_letter_retried", "重新发送失败通知"
    LOGGED_IN = "logged_in", "登录"
    LOGGED_OUT = "logged_out", "退出登录"
    LOGIN_FAILED = "login_failed", "登录失败"
    LOGIN_LOCKED = "login_locked", "登录锁定"
    LOGIN_UNLOCKED = "login_unlocked", "解除登录锁定"
    PASSWORD_CHANGED = "password_changed", "修改密码"
    SESSION_EXPIRED = "session_expired", "会话超时退出"
    API_TOKEN_USED = "api_token_used", "使用接口令牌"
    AUDIT_LOG_EXPORTED = "audit_log_exported", "导出审计日志"
    AUDIT_PURGED = "audit_purged", "清理过期审计记录"
    DUTY_SEPARATION_REFUSED = "duty_separation_refused", "职责分离拒绝操作"
    STAFF_UPDATED = "staff_updated", "修改工作人员账号"
    ROLE_CHANGED = "role_changed", "变更角色与权限"
    PASSWORD_RESET = "password_reset", "重置密码"
    PRIVILEGE_CHANGE_REFUSED = "privilege_change_refused", "越权变更被拒绝"
    PERSONAL_DATA_VIEWED = "personal_data_viewed", "查看个人信息"
    UNMASK = "unmask", "查看完整个人信息"
    UNMASK_REFUSED = "unmask_refused", "拒绝查看完整个人信息"
    PHONE_SEARCHED = "phone_searched", "按电话查询"
    PHONE_SEARCH_REFUSED = "phone_search_refused", "拒绝按电话查询"
    EXPORTED = "exported", "导出"
    PRINTED = "printed", "打印"


ACTION_LABELS: dict[str, str] = {value: str(label) for value, label in EventType.choices}


def action_label(action: str) -> str:
    """The Chinese name, or the code itself for an action recorded before it had one."""
    return ACTION_LABELS.get(action, action)
