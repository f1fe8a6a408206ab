"""The PDFs of papers: a case's documents for staff (through `access_case`), each print audited."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.template import TemplateDoesNotExist
from django.template.loader import get_template

from banchengshi.accounts.auth import StaffRequest
from banchengshi.audit.events import record_event
from banchengshi.audit.labels import EventType
from banchengshi.cases import personal
from banchengshi.cases.choices import REPORTER_PAPERS
from banchengshi.cases.models import CaseDocument
from banchengshi.cases.selectors import access_case
from banchengshi.papers.documents import (
    NAMES_REPORTER,
    chinese_date,
    chinese_minute,
    document_context,
    template_for,
)
from banchengshi.public.views_tracking import SESSION_KEY
from banchengshi.supervision.choices import NoticeKind
from banchengshi.supervision.selectors import access_notice


def pdf_response(pdf: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def render_document(document: CaseDocument, reporter: personal.Reporter | None) -> bytes:
    # WeasyPrint (with pango) takes about 0.4 s to import: only the processes that print pay for it.
    from banchengshi.papers.render import render_paper

    template = template_for(document.kind)
    try:
        get_template(template)
    except TemplateDoesNotExist as exc:
        raise Http404("该类文书暂无打印样式") from exc
    return render_paper(template, document_context(document, reporter))


@login_required
def case_document(request: StaffRequest, reference: str, document_id: int) -> HttpResponse:
    """A paper issued for a case the user may see (404 otherwise); the reporter on it in full for the roles
    that call reporters (that look is recorded), masked for the others; every print is in the audit log."""
    case = access_case(request.user, reference)
    document = CaseDocument.objects.filter(case=case, pk=document_id).select_related("case__center").first()
    if document is None:
        raise Http404("没有这份文书")
    with transaction.atomic():
        reporter = personal.viewed(request.user, case, via="print") if document.kind in NAMES_REPORTER else None
        pdf = render_document(document, reporter)
        record_event(EventType.PRINTED, actor=request.user, case=case, what=document.kind, title=document.title,
                     document=document.pk, rows=1, outcome="success")
    return pdf_response(pdf, f"{document.kind}-{case.reference}-{document.pk}.pdf")


def public_case_document(request: HttpRequest, reference: str, document_id: int) -> HttpResponse:
    """A paper issued to the reporter (回执, 不予受理通知书 …), for the session that proved the case is theirs on
    the tracking page (reference and the phone's last four digits); 404 for everyone else, and for the papers
    that are the window's own (登记表). The reporter's name on it is masked, as on the tracking page."""
    if reference not in request.session.get(SESSION_KEY, []):
        raise Http404("没有这份文书")
    document = (CaseDocument.objects.filter(case__reference=reference, pk=document_id, kind__in=REPORTER_PAPERS)
                .select_related("case__center").first())
    if document is None:
        raise Http404("没有这份文书")
    with transaction.atomic():
        pdf = render_document(document, personal.masked(document.case))
        record_event(EventType.PRINTED, actor=None, actor_label="反映人（网上查询）", case=document.case,
                     what=document.kind, title=document.title, document=document.pk, rows=1, outcome="success")
    return pdf_response(pdf, f"{document.kind}-{reference}.pdf")


@login_required
def notice_pdf(request: StaffRequest, notice_id: int) -> HttpResponse:
    """A 通报 as the numbered official document, for those who may read it (`access_notice`: 404 otherwise)."""
    from banchengshi.papers.render import render_paper

    notice = access_notice(request.user, notice_id)
    organ = notice.organ or (notice.issued_by.unit.name if notice.issued_by.unit else "")
    context = {
        "title": notice.title, "organ": organ, "number": notice.number, "notice": notice,
        "kind_label": str(NoticeKind(notice.kind).label), "addressee": notice.unit.name,
        "reference": notice.case.reference if notice.case else "", "signer": str(notice.issued_by),
        "signed_by": organ, "signed_on": chinese_date(notice.issued_at), "signed_at": chinese_minute(notice.issued_at),
    }
    with transaction.atomic():
        pdf = render_paper("papers/notice.html", context)
        record_event(EventType.PRINTED, actor=request.user, case=notice.case, what="notice", title=notice.title,
                     notice=notice.pk, number=notice.number, rows=1, outcome="success")
    return pdf_response(pdf, f"notice-{notice.year or 'x'}-{notice.sequence or notice.pk}.pdf")
