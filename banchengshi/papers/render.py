"""Render a paper (an HTML template extending `papers/paper.html`) to an A4 PDF.

WeasyPrint fetches nothing: intranet servers have no internet, and nothing on a paper loads from anywhere
(nor from file:). The fonts are the system's Noto CJK (fonts-noto-cjk): Noto Serif CJK SC stands for 仿宋/宋体
in the body, Noto Sans CJK SC for 黑体 in titles.
"""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import HTML
from weasyprint.urls import URLFetcher

# WeasyPrint (with pango) takes about 0.4 s to import: views import this module inside the function that
# prints, so only the processes that print pay for it.


class NoFetching(URLFetcher):
    """Nothing on a paper loads from anywhere (no http:, no file:, no data:)."""

    def fetch(self, url: str, headers: Any = None) -> Any:
        raise ValueError(f"papers fetch nothing: {url}")


def printed_at() -> str:
    return timezone.localtime().strftime("%Y-%m-%d %H:%M")


def paper_html(template_name: str, context: dict[str, Any]) -> str:
    """The paper as HTML (no request: no context processors; autoescaped like every template)."""
    return render_to_string(template_name, {"printed_at": printed_at(), **context})


def render_paper(template_name: str, context: dict[str, Any]) -> bytes:
    """The paper as PDF bytes. Context keys the layout reads: `organ` (the issuing organ, red header),
    `number` (文号), `title`, `reference` (the case, in the footer), `signed_by`/`signed_on` (落款)."""
    pdf = HTML(string=paper_html(template_name, context), url_fetcher=NoFetching()).write_pdf()
    assert pdf is not None
    return bytes(pdf)
