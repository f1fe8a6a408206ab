"""Reading papers back: pdftotext for their words, pdftoppm for a look (var/screenshots/papers-KIND.png)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path


def _tool(name: str) -> str:
    found = shutil.which(name)
    assert found, f"{name} not found: apt-get install poppler-utils"
    return found


def pdf_text(pdf: bytes) -> str:
    assert pdf.startswith(b"%PDF"), pdf[:200]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "paper.pdf"
        path.write_bytes(pdf)
        return subprocess.run([_tool("pdftotext"), str(path), "-"], check=True, capture_output=True, text=True).stdout


def flat(text: str) -> str:
    """The words without spaces and line breaks (pdftotext breaks lines where the page does)."""
    return re.sub(r"\s+", "", text)


def pages(pdf: bytes) -> int:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "paper.pdf"
        path.write_bytes(pdf)
        info = subprocess.run([_tool("pdfinfo"), str(path)], check=True, capture_output=True, text=True).stdout
    match = re.search(r"^Pages:\s+(\d+)$", info, re.M)
    assert match, info
    return int(match.group(1))


def page_images(pdf: bytes, name: str) -> None:
    """Each page as a PNG for people to look at, var/screenshots/NAME.png (NAME-2.png …), written only when
    SCREENSHOTS=1 (`make screenshots`), like the browser tests' screenshots."""
    if os.environ.get("SCREENSHOTS", "") in ("", "0"):
        return
    from django.conf import settings

    shots = Path(settings.VAR_DIR) / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "paper.pdf"
        path.write_bytes(pdf)
        subprocess.run([_tool("pdftoppm"), "-png", "-r", "80", str(path), str(Path(folder) / "page")], check=True)
        for number, image in enumerate(sorted(Path(folder).glob("page*.png")), start=1):
            shutil.copyfile(image, shots / (f"{name}.png" if number == 1 else f"{name}-{number}.png"))
