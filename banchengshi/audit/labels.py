"""Chinese names of event actions, for the timeline, the audit log and the exports.

Kept in the audit app, the lowest layer, so every app that records or shows events can read them.
"""

from __future__ import annotations

ACTION_LABELS: dict[str, str] = {
    "registered": "登记",
    "resolved_on_site": "现场办结",
    "not_accepted": "不予受理",
    "accepted": "受理",
    "merged": "并单",
    "duplicate_merged": "重复反映并入",
    "dispatched": "派单",
    "queued_for_manual_dispatch": "转人工派单",
    "work_order_created": "生成工单",
    "work_order_received": "接单",
    "work_order_returned": "退回工单",
    "returned_for_redispatch": "退回待重新派单",
    "dispatched_down": "向下派单",
    "assistance_requested": "发起协办",
    "reporter_contacted": "联系反映人",
    "note_added": "办理记录",
    "paused": "暂停计时",
    "resumed": "恢复计时",
    "replied": "答复",
    "assisting_replied": "协办答复",
    "submitted_for_review": "提交审核",
    "review_approved": "审核通过",
    "review_returned": "审核退回",
    "closed": "办结",
    "visited": "回访",
    "resupervised": "再督办",
    "notice_issued": "通报",
    "clock_recomputed": "时限重算",
    "clock_overdue": "超时",
    "attachment_added": "上传附件",
    "notice_acknowledged": "签收通报",
    "joint_meeting_convened": "召开联席会议",
    "joint_meeting_outcome": "联席会议议定",
    "follow_up_task_done": "交办任务完成",
    "calendar_updated": "工作日历调整",
    "calendar_published": "发布工作日历",
    "policy_updated": "时限规则调整",
    "unit_updated": "单位设置调整",
    "staff_created": "创建工作人员账号",
}


def action_label(action: str) -> str:
    """The Chinese name, or the code itself for an action recorded before it had one."""
    return ACTION_LABELS.get(action, action)
