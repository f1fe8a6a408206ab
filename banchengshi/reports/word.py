"""Word (docx) building blocks of the report files, with python-docx: a document in the fonts of a
government paper (宋体 body, 黑体 headings), tables of label and value, pictures with a caption."""

from __future__ import annotations

from io import BytesIO
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from docx.document import Document as DocumentObject
    from docx.table import Table
    from docx.text.paragraph import Paragraph

from banchengshi.lib.xlsx import ILLEGAL_CHARACTERS
from banchengshi.reports.typical import Photo, TypicalCase

BODY_FONT, HEADING_FONT = "宋体", "黑体"
PICTURE_CM = 14.0
# python-docx (14 MB once imported) is imported by the functions: a worker loads it with its first Word file.


def new_document() -> DocumentObject:
    from docx import Document
    from docx.oxml.ns import qn
    from docx.shared import Pt

    document = Document()
    normal = document.styles["Normal"]
    normal.font.name = BODY_FONT
    normal.font.size = Pt(12)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)
    for level in (0, 1, 2, 3):
        style = document.styles["Title" if level == 0 else f"Heading {level}"]
        style.font.name = HEADING_FONT
        style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), HEADING_FONT)
    return document


def clean(text: str) -> str:
    """Characters XML cannot hold (control characters someone typed) are dropped, as in the xlsx files."""
    return ILLEGAL_CHARACTERS.sub("", text)


def centred(document: DocumentObject, text: str, *, size: int = 16, bold: bool = True) -> Paragraph:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt

    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run(clean(text))
    run.bold = bold
    run.font.size = Pt(size)
    run.font.name = HEADING_FONT
    run.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), HEADING_FONT)
    return paragraph


def heading(document: DocumentObject, text: str, level: int = 1) -> Paragraph:
    return document.add_heading(clean(text), level=level)


def paragraph(document: DocumentObject, text: str, *, bold_label: str = "") -> Paragraph:
    p = document.add_paragraph()
    if bold_label:
        p.add_run(clean(bold_label)).bold = True
    p.add_run(clean(text))
    return p


def label_table(document: DocumentObject, rows: list[tuple[str, str]]) -> Table:
    """Two columns: what, and its value (the form's boxes)."""
    from docx.shared import Cm

    table = document.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for label, value in rows:
        cells = table.add_row().cells
        cells[0].text = clean(label)
        cells[1].text = clean(value)
        cells[0].width, cells[1].width = Cm(5), Cm(11)
    return table


def picture(document: DocumentObject, content: bytes, caption: str, width_cm: float = PICTURE_CM) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm

    document.add_picture(BytesIO(content), width=Cm(width_cm))
    document.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
    note = document.add_paragraph(clean(caption))
    note.alignment = WD_ALIGN_PARAGRAPH.CENTER


def typical_case(document: DocumentObject, case: TypicalCase) -> None:
    """问题及办理过程概述, then 办理照片: the case told as the forms ask."""
    paragraph(document, f"【{case.reference}】{case.title}", bold_label="案例：")
    paragraph(document, case.problem, bold_label="问题：")
    if case.demand:
        paragraph(document, case.demand, bold_label="诉求：")
    paragraph(document, "", bold_label="办理过程：")
    for line in case.process:
        document.add_paragraph(clean(line), style="List Bullet")
    if case.result:
        paragraph(document, case.result, bold_label="办理结果：")
    photos(document, case.photos)


def photos(document: DocumentObject, items: list[Photo]) -> None:
    paragraph(document, "" if items else "无", bold_label="办理照片：")
    for number, photo in enumerate(items, start=1):
        picture(document, photo.content, f"照片{number}：{photo.name}（{photo.uploaded_on}）", width_cm=12)


def to_bytes(document: DocumentObject) -> bytes:
    out = BytesIO()
    document.save(out)
    return out.getvalue()
