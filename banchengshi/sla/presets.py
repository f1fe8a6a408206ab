"""The five jurisdictions' rules from the seed documents, as policy presets.

Fields a seed does not name keep the model's defaults: a 1-day acceptance reply, re-supervision within
2 working days of an unsatisfied visit, 5 (at most 10) days to rectify after it, and 20 (at most 60)
working days for a unit to rectify a bottleneck the admin office names (反馈整改, sla.clock_rules.ITEM_RULES).
No seed names a time for the return visit (回访督办 only says each closed case is visited): every preset keeps the
model's 10 working days (`visit_days`), the longest limit a seed names for an answer (梅州: 最迟不超过十个工作日).
No seed names an objection window; Songjiang's “无异议的视为诉求办结” needs one, so every preset ships 3 working days.
`manage.py apply_presets` writes these values into an existing database."""

from __future__ import annotations

from typing import Any

PRESETS: list[dict[str, Any]] = [
    {
        "code": "chongming",
        "is_default": True,
        "name": "崇明“1、3、5”限时办结",
        "basis": "崇政服办〔2023〕8号：接单后1个工作日内联系；简单当日、一般3日、复杂5日；24小时内黄灯、超时红灯",
        "contact_days": 1,
        "resolution_start": "dispatched",
        "simple_days": 0,
        "general_days": 3,
        "complex_days": 5,
        "warn_hours": 24,
        "objection_days": 3,
    },
    {
        "code": "songjiang",
        "name": "松江登记转办与分级反馈",
        "basis": "松江区工作方案（2022）：1个工作日内转办；简易3日、复杂5-7日；不能办理的3日内说明原因",
        "forward_days": 1,
        "simple_days": 3,
        "general_days": 5,
        "complex_days": 7,
        "acceptance_days": 3,
        "warn_hours": 24,
        "objection_days": 3,
    },
    {
        "code": "ankang",
        "name": "安康分类工单时限",
        "basis": "安行审发〔2021〕8号第十三条：咨询引导1日、帮办代办5日、协调督办10日",
        "consult_days": 1,
        "assist_days": 5,
        "coordinate_days": 10,
        "simple_days": 1,
        "general_days": 5,
        "complex_days": 10,
        "warn_hours": 24,
        "objection_days": 3,
    },
    {
        "code": "meizhou",
        "name": "梅州两日办结、复杂件五日反馈",
        "basis": "梅州市政务服务中心：一般2个工作日内办结，复杂事项5个工作日内反馈、最迟不超过10个工作日",
        "simple_days": 2,
        "general_days": 2,
        "complex_days": 10,
        "first_feedback_days": 5,
        "warn_hours": 24,
        "objection_days": 3,
    },
    {
        "code": "suzhou",
        "name": "苏州受理日首次反馈、五日办结",
        "basis": "苏州市政务服务中心：简单当场办理；复杂或多部门件受理日下班前首次反馈，一般不超过5个工作日",
        "simple_days": 0,
        "general_days": 5,
        "complex_days": 5,
        "first_feedback_days": 0,
        "warn_hours": 24,
        "objection_days": 3,
    },
]
