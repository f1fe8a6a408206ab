"""Every change of a case is one of these actions: one transaction, one or more events."""

from banchengshi.cases.actions.attachments import do_attach_file
from banchengshi.cases.actions.base import ActionError, InvalidInput
from banchengshi.cases.actions.closing import (
    do_close_case,
    do_review_case,
    do_visit_case,
)
from banchengshi.cases.actions.dispatching import (
    do_chase_work_order,
    do_dispatch_case,
    do_dispatch_down,
    do_request_assistance,
    do_return_work_order,
    do_withdraw_work_order,
)
from banchengshi.cases.actions.documents import issue_document
from banchengshi.cases.actions.duplicates import do_dismiss_duplicate
from banchengshi.cases.actions.handling import (
    do_add_note,
    do_contact_reporter,
    do_pause_case,
    do_receive_work_order,
    do_reply_work_order,
    do_resume_case,
)
from banchengshi.cases.actions.registration import (
    do_accept_case,
    do_merge_case,
    do_register_case,
    do_reject_case,
    do_resolve_on_site,
)
from banchengshi.cases.actions.reporter import (
    close_unanswered,
    do_reporter_confirm,
    do_reporter_object,
    do_reporter_rate,
)

__all__ = [
    "ActionError",
    "InvalidInput",
    "close_unanswered",
    "do_reporter_confirm",
    "do_reporter_object",
    "do_reporter_rate",
    "do_accept_case",
    "do_add_note",
    "do_attach_file",
    "do_chase_work_order",
    "do_close_case",
    "do_contact_reporter",
    "do_dispatch_case",
    "do_dispatch_down",
    "do_dismiss_duplicate",
    "do_merge_case",
    "do_pause_case",
    "do_receive_work_order",
    "do_register_case",
    "do_reject_case",
    "do_reply_work_order",
    "do_request_assistance",
    "do_resolve_on_site",
    "do_resume_case",
    "do_return_work_order",
    "do_review_case",
    "do_visit_case",
    "do_withdraw_work_order",
    "issue_document",
]
