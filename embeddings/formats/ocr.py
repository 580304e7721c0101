"""OCR for PDF pages without a text layer, through Debian's tesseract (off unless ``IndexSettings.ocr``).

Tesseract turns the page's image into a one-page PDF: the same image with the recognised words as
invisible text placed over them. PDFium reads that page like any other, so the text, the page
offsets and the highlight boxes of an OCR'd page come from one place, as they do for a born-digital
PDF. The same image and tesseract version give the same text (the PDF bytes differ only by their
timestamps), so the page view can OCR its one page again and check it against the indexed text.
"""
from __future__ import annotations

import io
import re
import shutil
import subprocess
from functools import lru_cache

from ..errors import DocumentError

DPI = 300
"""Tesseract's documented sweet spot for body text; 150 dpi lost small print on the fixtures."""
TIMEOUT_S = 120
_LANGUAGES = re.compile(r"^[A-Za-z0-9_]+(\+[A-Za-z0-9_]+)*$")
INSTALL = "install it with `apt-get install tesseract-ocr` (other languages: tesseract-ocr-deu, …)"


@lru_cache(maxsize=1)
def tesseract_version() -> str | None:
    """``tesseract 5.3.0``, or None when it is not installed."""
    binary = shutil.which("tesseract")
    if binary is None:
        return None
    try:
        out = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    first = (out.stdout or out.stderr).strip().splitlines()
    return first[0].strip() if first else None


@lru_cache(maxsize=8)
def installed_languages() -> frozenset[str]:
    out = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True, timeout=30)
    return frozenset(line.strip() for line in out.stdout.splitlines()[1:] if line.strip())


def check(languages: str, source: str) -> None:
    """Raise naming ``source`` and the fix when OCR in ``languages`` cannot run here."""
    if not _LANGUAGES.match(languages):
        raise DocumentError(f"{source}: OCR languages {languages!r} are not tesseract's form (eng, or deu+eng)")
    if tesseract_version() is None:
        raise DocumentError(f"{source}: no text layer, and OCR is on but tesseract is not installed; {INSTALL}")
    missing = set(languages.split("+")) - installed_languages()
    if missing:
        raise DocumentError(f"{source}: tesseract has no {', '.join(sorted(missing))} language data; "
                            f"apt-get install {' '.join('tesseract-ocr-' + m for m in sorted(missing))}")


def ocr_page(page, languages: str, source: str, number: int) -> bytes:
    """A one-page PDF of PDFium page ``page`` (as displayed, rotation applied) with tesseract's text layer."""
    image = page.render(scale=DPI / 72).to_pil().convert("RGB")
    png = io.BytesIO()
    image.save(png, format="PNG")
    try:
        done = subprocess.run(["tesseract", "-", "-", "--dpi", str(DPI), "-l", languages, "pdf"],
                              input=png.getvalue(), capture_output=True, timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        raise DocumentError(f"{source}: OCR of page {number} took over {TIMEOUT_S} s; split the file") from None
    if done.returncode != 0 or not done.stdout.startswith(b"%PDF"):
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no output"]
        raise DocumentError(f"{source}: OCR of page {number} failed ({message[0]})")
    return done.stdout
