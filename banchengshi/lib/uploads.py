"""Files people upload, allowed by what they are, never by their name or the browser's content type.

Four kinds, each recognised by its bytes and checked deeper than its first bytes:
- PDF: starts `%PDF-1.x`/`%PDF-2.x`, ends with `%%EOF` after a `startxref`, holds objects; no markup
  (an HTML page behind a PDF header is a polyglot a browser might render) and no JavaScript or launch actions.
- JPEG and PNG: decoded by Pillow and written again (lib/images.py), so only pixels are kept (no EXIF, no
  GPS position, nothing appended after the image); decompression bombs refused.
- DOCX: a zip holding `[Content_Types].xml` and `word/document.xml`; refused with macros (`vbaProject.bin`,
  a macro-enabled content type), with more than MAX_MEMBERS members, or when its members unpack to more
  than MAX_UNPACKED bytes (a zip bomb) — counted while reading, not taken from the zip's own claims.
Anything else (HTML, SVG, an .exe, a .doc, a renamed file) is refused with a Chinese message saying what is
allowed. The stored name is ours: the client's name only survives, cleaned, as the name shown to people.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath

from banchengshi.lib.images import NotAnImage, reencode_image

PDF = "pdf"
JPEG = "jpeg"
PNG = "png"
DOCX = "docx"
CONTENT_TYPES = {
    PDF: "application/pdf",
    JPEG: "image/jpeg",
    PNG: "image/png",
    DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
SUFFIXES = {PDF: ".pdf", JPEG: ".jpg", PNG: ".png", DOCX: ".docx"}
LABELS = {PDF: "PDF", JPEG: "jpg 照片", PNG: "png 图片", DOCX: "Word（docx）"}
ALL_KINDS = frozenset(CONTENT_TYPES)

MAX_MEMBERS = 2000
MAX_UNPACKED = 100 * 1024 * 1024
MARKUP = re.compile(rb"<\s*(script|html|svg|iframe|object|embed|body)\b|javascript:", re.IGNORECASE)
PDF_ACTIONS = re.compile(rb"/(JavaScript|JS|Launch|EmbeddedFile|RichMedia)\b")
CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class FileRefused(ValueError):
    """Why a file is not taken, in Chinese, for the person who sent it."""


@dataclass(frozen=True)
class CheckedFile:
    kind: str
    content: bytes
    name: str  # for people to read; never a path on disk

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.kind]


def allowed_text(kinds: frozenset[str]) -> str:
    return "、".join(LABELS[k] for k in (PDF, JPEG, PNG, DOCX) if k in kinds)


def display_name(client_name: str, kind: str) -> str:
    """The client's file name as people may see it: no folders (of either system), no control characters,
    at most 100 characters, and the suffix of what the file really is."""
    base = PureWindowsPath(PurePosixPath(client_name or "").name).name
    stem = CONTROL.sub("", PurePosixPath(base).stem if "." in base else base).strip(" .")[:100]
    return f"{stem or '附件'}{SUFFIXES[kind]}"


def _kind_of(data: bytes) -> str | None:
    if re.match(rb"%PDF-[12]\.\d", data):
        return PDF
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"PK\x03\x04"):
        return DOCX
    return None


def _check_pdf(data: bytes) -> bytes:
    tail = data[-2048:]
    if b"%%EOF" not in tail or b"startxref" not in data[-4096:] or not re.search(rb"\d+\s+\d+\s+obj\b", data):
        raise FileRefused("不是完整的 PDF 文件（文件可能已损坏）")
    if MARKUP.search(data):
        raise FileRefused("PDF 文件中含有网页代码，不能上传")
    if PDF_ACTIONS.search(data):
        raise FileRefused("PDF 文件中含有脚本、附件或启动程序的动作，不能上传，请另存为普通 PDF 后再上传")
    return data


def _check_docx(data: bytes) -> bytes:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            if len(members) > MAX_MEMBERS:
                raise FileRefused("Word 文件内部文件过多，不能上传")
            names = {m.filename for m in members}
            if "[Content_Types].xml" not in names or "word/document.xml" not in names:
                raise FileRefused("不是 Word（docx）文档")
            if any(n.lower().endswith("vbaproject.bin") or n.lower().endswith("vbadata.xml") for n in names):
                raise FileRefused("Word 文件中含有宏，不能上传，请另存为不含宏的 docx 后再上传")
            unpacked = 0
            for member in members:
                with archive.open(member) as stream:
                    while chunk := stream.read(1024 * 1024):
                        unpacked += len(chunk)
                        if unpacked > MAX_UNPACKED:
                            raise FileRefused("Word 文件解压后过大（疑似压缩炸弹），不能上传")
            types = archive.read("[Content_Types].xml")
            if b"macroEnabled" in types or b"vbaProject" in types:
                raise FileRefused("Word 文件中含有宏，不能上传，请另存为不含宏的 docx 后再上传")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, OSError, ValueError) as exc:
        if isinstance(exc, FileRefused):
            raise
        raise FileRefused("不是有效的 Word（docx）文档（文件可能已损坏）") from exc
    return data


def check_file(data: bytes, client_name: str, *, kinds: frozenset[str] = ALL_KINDS, max_bytes: int) -> CheckedFile:
    """The file as we keep it (images written again), or FileRefused saying why not."""
    shown = PureWindowsPath(PurePosixPath(client_name or "").name).name or "文件"
    if not data:
        raise FileRefused(f"“{shown}”是空文件")
    if len(data) > max_bytes:
        raise FileRefused(f"“{shown}”超过 {max_bytes // (1024 * 1024)} MB，请压缩或拆分后再上传")
    kind = _kind_of(data)
    if kind is None or kind not in kinds:
        raise FileRefused(f"“{shown}”不是允许的文件类型（只能上传 {allowed_text(kinds)}，按文件内容判断，与扩展名无关）")
    try:
        if kind == PDF:
            content = _check_pdf(data)
        elif kind == DOCX:
            content = _check_docx(data)
        else:
            if MARKUP.search(data):
                raise FileRefused("图片中夹带网页代码，不能上传")
            content = reencode_image(data, "JPEG" if kind == JPEG else "PNG")
    except NotAnImage as exc:
        raise FileRefused(f"“{shown}”不是能打开的{LABELS[kind]}（文件可能已损坏或过大）") from exc
    except FileRefused as exc:
        raise FileRefused(f"“{shown}”：{exc}") from exc
    return CheckedFile(kind=kind, content=content, name=display_name(client_name, kind))
