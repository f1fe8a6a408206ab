"""The reporter's own report: checked all at once, the SMS code spent, the case registered with its files,
the receipt queued by SMS — the page and the API call this one function."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction

from banchengshi.accounts.models import Unit
from banchengshi.cases.actions.attachments import attach_reporter_file
from banchengshi.cases.actions.registration import do_register_case, registration_problems
from banchengshi.cases.choices import Channel, Portal, ReporterKind
from banchengshi.cases.models import Case
from banchengshi.cases.sms import tell_receipt
from banchengshi.dispatch.models import Matter
from banchengshi.lib import uploads
from banchengshi.lib.errors import InvalidInput
from banchengshi.lib.phone import normalize_phone
from banchengshi.public import notice
from banchengshi.public.codes import use_code
from banchengshi.public.progress import promises

MAX_FILES = 5
PUBLIC_KINDS = frozenset({uploads.JPEG, uploads.PNG, uploads.PDF})


class ReportRefused(InvalidInput):
    """Every problem of a report, by field, so the page can show each next to its field."""

    def __init__(self, problems: dict[str, str]) -> None:
        self.problems = problems
        super().__init__("；".join(problems.values()), field=next(iter(problems), ""))


@dataclass
class Upload:
    name: str
    content: bytes
    content_type: str = ""


@dataclass
class Report:
    channel: str
    reporter_name: str
    phone: str
    phone_code: str
    center: Unit | None
    description: str
    reporter_kind: str = ReporterKind.PERSON
    organization: str = ""
    credit_code: str = ""
    portal: str = ""
    matter: Matter | None = None
    business_name: str = ""
    reasons: list[str] = field(default_factory=list)
    reason_other: str = ""
    demand: str = ""
    notice_version: str = ""
    files: list[Upload] = field(default_factory=list)


def _checked_files(files: list[Upload], problems: dict[str, str]) -> list[uploads.CheckedFile]:
    """The reporter's files as they will be kept (photos written again), each allowed by its content: a
    photo (jpg, png) or a PDF, at most settings.ATTACHMENT_MAX_BYTES each, at most MAX_FILES."""
    if len(files) > MAX_FILES:
        problems["files"] = f"最多上传{MAX_FILES}个文件，您选了{len(files)}个"
        return []
    ready = []
    for upload in files:
        try:
            ready.append(uploads.check_file(upload.content, upload.name, kinds=PUBLIC_KINDS,
                                            max_bytes=settings.ATTACHMENT_MAX_BYTES))
        except uploads.FileRefused as exc:
            problems["files"] = str(exc)
    return ready


def report_problems(report: Report) -> dict[str, str]:
    """What is wrong with the report apart from its SMS code (checked last, so a refused form does not
    spend it); empty when nothing is."""
    problems: dict[str, str] = {}
    if not report.reporter_name.strip():
        problems["reporter_name"] = "请填写您的姓名" if report.reporter_kind != ReporterKind.ENTERPRISE else "请填写联系人姓名"
    elif len(report.reporter_name.strip()) > 64:
        problems["reporter_name"] = "姓名不能超过64个字"
    if report.center is None:
        problems["center"] = "请选择在哪里没办成（哪个政务服务中心，或网上办事）"
    if report.portal and report.portal not in Portal.values:
        problems["portal"] = "请从列表中选择网上办事平台"
    if not report.description.strip():
        problems["description"] = "请说一说遇到了什么问题"
    elif len(report.description) > 4000:
        problems["description"] = "问题描述不能超过4000字"
    if report.notice_version != notice.VERSION:
        problems["notice"] = "请先阅读个人信息告知书并勾选同意"
    if report.channel not in Channel.values:
        problems["channel"] = "反映渠道无效"
    problems.update(registration_problems(
        reporter_phone=report.phone, reporter_kind=report.reporter_kind, reporter_organization=report.organization,
        credit_code=report.credit_code, center=report.center, reasons=report.reasons, reason_other=report.reason_other,
    ))
    if "reporter_phone" in problems:
        problems["phone"] = problems.pop("reporter_phone")
    if "reporter_organization" in problems:
        problems["organization"] = problems.pop("reporter_organization")
    return problems


def submit_report(report: Report) -> Case:
    """Register the reporter's own report. Refuses (ReportRefused) with every problem at once; the SMS
    code is checked only when nothing else is wrong."""
    problems = report_problems(report)
    files = _checked_files(report.files, problems)
    if problems:
        raise ReportRefused(problems)
    phone = normalize_phone(report.phone)
    use_code(phone, report.phone_code)
    assert report.center is not None
    with transaction.atomic():
        case = do_register_case(
            acting_user=None,
            channel=report.channel,
            reporter_name=report.reporter_name,
            reporter_phone=phone,
            reporter_kind=report.reporter_kind,
            reporter_organization=report.organization,
            credit_code=report.credit_code,
            center=report.center,
            portal=report.portal,
            matter=report.matter,
            business_name=report.business_name,
            reasons=report.reasons,
            reason_other=report.reason_other,
            description=report.description,
            demand=report.demand,
            notice_version=report.notice_version,
        )
        for upload in files:
            attach_reporter_file(case, upload)
        tell_receipt(case, promises(case)[0])
    return case
