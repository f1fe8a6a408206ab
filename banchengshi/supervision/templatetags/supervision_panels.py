"""Supervision's parts of the cases' pages: the unit's unsigned notices on the workbench, the joint
meetings on a case page. Cases' templates load this library; cases' Python never imports supervision."""

from __future__ import annotations

from typing import Any

from django import template

from banchengshi.accounts.access import Need, has_role_for
from banchengshi.cases.choices import CaseStatus
from banchengshi.cases.models import Case
from banchengshi.supervision.models import JointMeeting
from banchengshi.supervision.selectors import notices_visible_to

register = template.Library()


@register.inclusion_tag("supervision/_unit_notices.html", takes_context=True)
def unit_notices(context: Any) -> dict[str, Any]:
    """The notices (通报) the user's unit has not signed for yet."""
    user = context["request"].user
    notices = notices_visible_to(user).filter(unit=user.unit, read_at__isnull=True)
    return {"notices": notices.select_related("case", "issued_by")[:20]}


@register.inclusion_tag("supervision/_case_meetings.html", takes_context=True)
def case_meetings(context: Any, case: Case) -> dict[str, Any]:
    """The joint meetings (联席会议) on the case, and the button to convene one for whoever may."""
    user = context["request"].user
    return {
        "case": case,
        "meetings": list(JointMeeting.objects.filter(cases=case)),
        "may_convene": has_role_for(user, Need.SUPERVISE) and case.status != CaseStatus.MERGED,
    }
