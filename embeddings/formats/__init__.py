"""One loader per file type behind one small interface (``base.Loader``), keyed by suffix.

Each turns a file's bytes into the document's text deterministically; its name and version are
stamped on the document, so a loader change re-extracts."""
from __future__ import annotations

from .base import Extracted, Limits, Loader
from .docx import DocxLoader
from .html import HtmlLoader
from .office import EpubLoader, OdtLoader, RtfLoader
from .pdf import PdfLoader
from .text import TextLoader

_LOADERS: tuple[Loader, ...] = (TextLoader(), PdfLoader(), DocxLoader(), HtmlLoader(), OdtLoader(), RtfLoader(),
                                 EpubLoader())
BY_SUFFIX: dict[str, Loader] = {suffix: loader for loader in _LOADERS for suffix in loader.suffixes}
SUFFIXES: tuple[str, ...] = tuple(BY_SUFFIX)


def loader_for(name: str, ocr: str | None = None) -> Loader | None:
    """The loader for a file name's suffix, or None for a type citeqa does not read; ``ocr`` (tesseract
    languages) makes the PDF loader read pages without a text layer by OCR."""
    dot = name.rfind(".")
    loader = BY_SUFFIX.get(name[dot:].lower()) if dot >= 0 else None
    return PdfLoader(ocr) if ocr is not None and isinstance(loader, PdfLoader) else loader


__all__ = ["BY_SUFFIX", "Extracted", "Limits", "Loader", "SUFFIXES", "loader_for"]
