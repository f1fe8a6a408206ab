"""Small real files of each allowed kind for the tests (and the malicious ones built from them)."""

from __future__ import annotations

import io
import zipfile

from PIL import Image


def pdf_bytes(note: str = "proof") -> bytes:
    """A minimal well-formed PDF: header, two objects, a cross-reference table, trailer, startxref, %%EOF."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>"]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%" + note.encode() + b"\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def image_bytes(fmt: str = "JPEG", size: tuple[int, int] = (64, 48), exif: bytes | None = None) -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", size, (200, 120, 40))
    if exif is not None:
        image.save(out, fmt, exif=exif)
    else:
        image.save(out, fmt)
    return out.getvalue()


def docx_bytes(extra: dict[str, bytes] | None = None, content_types: bytes | None = None) -> bytes:
    """A minimal .docx (a zip with [Content_Types].xml and word/document.xml), with extra members if given."""
    types = content_types or (
        b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        b'<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        b'wordprocessingml.document.main+xml"/></Types>'
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", types)
        archive.writestr("word/document.xml", b'<w:document xmlns:w="http://schemas.openxmlformats.org/'
                                              b'wordprocessingml/2006/main"><w:body><w:p/></w:body></w:document>')
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return out.getvalue()
