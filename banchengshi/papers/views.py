"""The PDFs of papers: a case's documents for staff (through `access_case`), each print audited."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpResponse
from django.template import TemplateDoesNotExist
from django.template.loader import get_template

from banchengshi.accounts.auth import StaffRequest
from banchengshi.audit.events import record_event
from banchengshi.audit.labels import EventType
from banchengshi.cases import personal
from banchengshi.cases.models import CaseDocument
from banchengshi.cases.selectors import access_case
from banchengshi.papers.documents import NAMES_REPORTER, document_context, template_for


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
