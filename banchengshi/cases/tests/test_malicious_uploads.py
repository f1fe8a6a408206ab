"""Attachments are allowed by what they are (PDF, JPEG, PNG, DOCX), not by their name or the browser's
content type. Each attack below is refused with a Chinese message, on the API, the staff page and the
public report form, and leaves nothing stored: no row, no file under MEDIA_ROOT."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from banchengshi.audit.models import Event
from banchengshi.cases.choices import CaseStatus
from banchengshi.cases.models import Attachment
from banchengshi.cases.tests.factories import case_in
from banchengshi.cases.tests.test_workbench import client_for
from banchengshi.conftest import District, case_body
from banchengshi.lib.tests.files import docx_bytes, image_bytes, pdf_bytes
from banchengshi.public.tests.helpers import Citizen


def _zip_bomb() -> bytes:
    """A docx whose one extra member unpacks to 200 MB from a few hundred KB."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        archive.writestr("word/document.xml", b"<w:document/>")
        with archive.open("word/media/huge.bin", "w", force_zip64=True) as member:
            block = b"\0" * (1024 * 1024)
            for _ in range(200):
                member.write(block)
    return out.getvalue()


def _png_bomb() -> bytes:
    """A PNG claiming 100,000 × 100,000 pixels (10 gigapixels) in a few bytes."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 1000)) + chunk(b"IEND", b"")


SCRIPT_HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
SCRIPT_SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(1)</script></svg>'

ATTACKS: list[tuple[str, str, bytes | None, str]] = [
    # (what, client's file name, content, a fragment of the Chinese refusal)
    ("HTML renamed .pdf", "证明.pdf", SCRIPT_HTML, "不是允许的文件类型"),
    ("SVG with script renamed .png", "现场.png", SCRIPT_SVG, "不是允许的文件类型"),
    ("a Windows program", "setup.exe", b"MZ\x90\x00\x03" + b"\0" * 200, "不是允许的文件类型"),
    ("a program renamed .jpg", "photo.jpg", b"MZ\x90\x00\x03" + b"\0" * 200, "不是允许的文件类型"),
    ("a docx with macros", "通知.docx", docx_bytes({"word/vbaProject.bin": b"\xd0\xcf\x11\xe0macro"}), "含有宏"),
    ("a docm disguised as docx", "通知.docx", docx_bytes(content_types=b"<Types><Override ContentType="
                                                         b"\"application/vnd.ms-word.document.macroEnabled.main+xml\"/></Types>"),
     "含有宏"),
    ("a zip bomb", "材料.docx", None, "压缩炸弹"),
    ("a zip that is no docx", "材料.docx", b"PK\x03\x04" + b"\0" * 100, "Word"),
    ("a PNG decompression bomb", "大图.png", None, "不是能打开的"),
    ("a polyglot: JPEG header then HTML", "照片.jpg", b"\xff\xd8\xff\xe0" + SCRIPT_HTML, "网页代码"),
    ("a PDF header then HTML", "证明.pdf", b"%PDF-1.4\n" + SCRIPT_HTML + b"\n1 0 obj\nendobj\nstartxref\n0\n%%EOF",
     "网页代码"),
    ("a PDF with JavaScript", "证明.pdf", pdf_bytes().replace(b"/Type /Catalog", b"/Type /Catalog /OpenAction << /S /JavaScript /JS (app.alert(1)) >>"),
     "脚本"),
    ("a truncated PDF", "证明.pdf", pdf_bytes()[:40], "不是完整的 PDF"),
    ("the system's password file", "../../etc/passwd", b"root:x:0:0:root:/root:/bin/bash\n", "不是允许的文件类型"),
    ("an empty file", "空.pdf", b"", "空文件"),
    ("an oversize file", "大.pdf", None, "超过 10 MB"),
]


def _content(what: str, content: bytes | None) -> bytes:
    if content is not None:
        return content
    if what == "a zip bomb":
        return _zip_bomb()
    if what == "a PNG decompression bomb":
        return _png_bomb()
    return pdf_bytes() + b"%" + b"0" * settings.ATTACHMENT_MAX_BYTES  # a PDF just over the limit


def _files_on_disk() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.mark.parametrize(("what", "name", "content", "message"), ATTACKS, ids=[a[0] for a in ATTACKS])
def test_each_attack_is_refused_over_the_api_and_nothing_is_stored(
    district: District, monday: Any, what: str, name: str, content: bytes | None, message: str
) -> None:
    registrar = district.api("registrar")
    reference = registrar.post("/cases", case_body()).json()["reference"]
    events = Event.objects.filter(action="attachment_added").count()
    response = registrar.upload(f"/cases/{reference}/attachments", name, _content(what, content))
    assert response.status_code == 422, (what, response.content.decode())
    assert message in response.json()["detail"], (what, response.json())
    assert not Attachment.objects.exists() and _files_on_disk() == []
    assert Event.objects.filter(action="attachment_added").count() == events


def test_the_staff_page_refuses_with_the_same_message(district: District, monday: Any) -> None:
    case = case_in(district, CaseStatus.REGISTERED)
    client = client_for(district, "registrar")
    response = client.post(f"/cases/{case.reference}/attachments/",
                           {"file": SimpleUploadedFile("现场.png", SCRIPT_SVG, content_type="image/png")})
    assert response.status_code == 422 and "不是允许的文件类型" in response.content.decode()
    assert not Attachment.objects.exists() and _files_on_disk() == []


def test_allowed_kinds_are_stored_under_our_name_with_our_type(district: District, monday: Any) -> None:
    registrar = district.api("registrar")
    reference = registrar.post("/cases", case_body()).json()["reference"]
    exif = Image.Exif()
    exif[0x010F] = "TestCam"
    sent = {
        "../../etc/证明": (pdf_bytes(), "application/pdf", "证明.pdf"),
        "C:\\Users\\张三\\现场.JPG": (image_bytes("JPEG", exif=exif.tobytes()), "image/jpeg", "现场.jpg"),
        "截图.html": (image_bytes("PNG"), "image/png", "截图.png"),  # a PNG is a PNG, whatever its name says
        "情况说明.docx": (docx_bytes(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "情况说明.docx"),
    }
    for client_name, (content, content_type, shown) in sent.items():
        response = registrar.upload(f"/cases/{reference}/attachments", client_name, content)
        assert response.status_code == 201, response.content.decode()
        stored = Attachment.objects.get(pk=response.json()["id"])
        assert (stored.name, stored.content_type) == (shown, content_type)
        path = Path(stored.file.path).resolve()
        assert path.is_relative_to(Path(settings.MEDIA_ROOT).resolve() / "attachments")
        assert "证明" not in path.name and "现场" not in path.name and "etc" not in str(path.relative_to(settings.MEDIA_ROOT))
        download = registrar.get(f"/attachments/{stored.pk}")
        assert download["Content-Type"] == content_type
        assert download["Content-Disposition"].startswith("attachment;")
        assert download["X-Content-Type-Options"] == "nosniff"
        body = b"".join(download.streaming_content)
        assert b"TestCam" not in body  # images are written again, without their EXIF
    assert not any(p.suffix == ".html" for p in _files_on_disk())


def test_one_file_too_many(district: District, monday: Any, settings: Any) -> None:
    settings.ATTACHMENT_MAX_PER_CASE = 3
    registrar = district.api("registrar")
    reference = registrar.post("/cases", case_body()).json()["reference"]
    for n in range(3):
        assert registrar.upload(f"/cases/{reference}/attachments", f"{n}.pdf", pdf_bytes()).status_code == 201
    refused = registrar.upload(f"/cases/{reference}/attachments", "3.pdf", pdf_bytes())
    assert refused.status_code == 422 and "每件反映件最多 3 个附件" in refused.json()["detail"]
    assert Attachment.objects.count() == 3 and len(_files_on_disk()) == 3


def _public_form(citizen: Citizen, code: str) -> dict[str, Any]:
    return {
        "reporter_kind": "person", "reporter_name": "李四", "phone": citizen.phone, "phone_code": code,
        "where": "FWZX", "description": "窗口说材料不全。", "agree": "on",
    }


@pytest.mark.parametrize(("what", "name", "content", "message"),
                         [a for a in ATTACKS if a[0] in ("HTML renamed .pdf", "SVG with script renamed .png", "a Windows program",
                                                         "a polyglot: JPEG header then HTML", "the system's password file",
                                                         "an oversize file", "a PNG decompression bomb")],
                         ids=lambda v: v if isinstance(v, str) and " " in v else "")
def test_the_public_report_form_refuses_them_and_keeps_what_was_typed(
    district: District, monday: Any, django_capture_on_commit_callbacks: Any, what: str, name: str, content: bytes | None,
    message: str,
) -> None:
    citizen = Citizen(django_capture_on_commit_callbacks)
    form = _public_form(citizen, citizen.code())
    with django_capture_on_commit_callbacks(execute=True):
        response = citizen.client.post("/", {**form, "files": [SimpleUploadedFile(name, _content(what, content))]})
    page = response.content.decode()
    assert response.status_code == 422, what
    assert message.split("（")[0] in page or "不是允许的文件类型" in page or "不是能打开的" in page, what
    assert "窗口说材料不全。" in page  # what was typed is kept
    assert not Attachment.objects.exists() and _files_on_disk() == []


def test_the_public_form_takes_no_docx_and_no_sixth_file(
    district: District, monday: Any, django_capture_on_commit_callbacks: Any
) -> None:
    citizen = Citizen(django_capture_on_commit_callbacks)
    form = _public_form(citizen, citizen.code())
    docx = citizen.client.post("/", {**form, "files": [SimpleUploadedFile("a.docx", docx_bytes())]})
    assert docx.status_code == 422 and "只能上传 PDF、jpg 照片、png 图片" in docx.content.decode()
    six = [SimpleUploadedFile(f"{n}.png", image_bytes("PNG")) for n in range(6)]
    response = citizen.client.post("/", {**form, "files": six})
    assert response.status_code == 422 and "最多上传5个文件" in response.content.decode()
    assert not Attachment.objects.exists()
