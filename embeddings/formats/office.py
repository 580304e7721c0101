"""Other office and book formats, each through its own library: RTF (striprtf), OpenDocument text
(odfpy) and EPUB (ebooklib, each chapter's XHTML read like a web-page fragment). No pages: these
formats leave pagination to the program that shows them."""
from __future__ import annotations

import io
import zipfile

from ..errors import DocumentError
from .base import Extracted, Limits, Loader, clean_meta
from .html import _all_text


def _checked(text: str, source: str, limits: Limits) -> str:
    text = text.strip()
    if not text:
        raise DocumentError(f"{source}: empty document (no text to index)")
    if len(text) > limits.max_text_chars:
        raise DocumentError(f"{source}: over {limits.max_text_chars:,} characters of text; split it")
    return text


class RtfLoader(Loader):
    name = "rtf"
    suffixes = (".rtf",)
    package = "striprtf"

    def extract(self, raw: bytes, source: str, limits: Limits, password: str | None = None) -> Extracted:
        from striprtf.striprtf import rtf_to_text

        if not raw.lstrip().startswith(b"{\\rtf"):
            raise DocumentError(f"{source}: not an RTF file (it does not start with {{\\rtf); remove it or rename it")
        # RTF is 7-bit with \\'xx escapes for other characters (Windows code page 1252 unless it says otherwise).
        text = rtf_to_text(raw.decode("latin-1"), encoding="cp1252", errors="replace")
        return Extracted(_checked(text, source, limits), "rtf")


class OdtLoader(Loader):
    name = "odt"
    suffixes = (".odt",)
    package = "odfpy"

    def extract(self, raw: bytes, source: str, limits: Limits, password: str | None = None) -> Extracted:
        from odf import teletype
        from odf.namespaces import TABLENS, TEXTNS
        from odf.opendocument import load

        try:
            document = load(io.BytesIO(raw))
        except (zipfile.BadZipFile, KeyError, ValueError) as error:
            raise DocumentError(f"{source}: not a readable OpenDocument text ({error}); re-save it or remove it") from None
        blocks = []

        def walk(node) -> None:
            for child in node.childNodes:
                kind = getattr(child, "qname", None)
                if kind in ((TEXTNS, "p"), (TEXTNS, "h")):
                    blocks.append(" ".join(teletype.extractText(child).split()))
                elif kind == (TABLENS, "table-row"):
                    cells = [" ".join(teletype.extractText(cell).split()) for cell in child.childNodes
                             if getattr(cell, "qname", None) == (TABLENS, "table-cell")]
                    blocks.append(" | ".join(cell for cell in cells if cell))
                else:
                    walk(child)

        walk(document.text)
        fields = {getattr(n, "qname", (None, None))[1]: teletype.extractText(n) for n in document.meta.childNodes}
        title, creator = fields.get("title"), fields.get("initial-creator") or fields.get("creator")
        text = "\n\n".join(block for block in blocks if block)
        return Extracted(_checked(text, source, limits), "odt", clean_meta(title=title, author=creator))


class EpubLoader(Loader):
    name = "epub"
    suffixes = (".epub",)
    package = "ebooklib"

    def extract(self, raw: bytes, source: str, limits: Limits, password: str | None = None) -> Extracted:
        import ebooklib
        from ebooklib import epub

        try:
            book = epub.read_epub(io.BytesIO(raw), options={"ignore_ncx": True})
        except (zipfile.BadZipFile, KeyError, ValueError, epub.EpubException) as error:
            raise DocumentError(f"{source}: not a readable EPUB ({error}); remove it") from None
        chapters = []
        for idref, _ in book.spine:
            item = book.get_item_with_id(idref)
            if item is None or item.get_type() != ebooklib.ITEM_DOCUMENT or isinstance(item, epub.EpubNav):
                continue
            chapters.append(_all_text(item.get_content()))
        text = "\n\n".join(c for c in chapters if c)

        def first(name: str) -> str | None:
            values = book.get_metadata("DC", name)
            return values[0][0] if values else None

        meta = clean_meta(title=first("title"), author=first("creator"), publisher=first("publisher"),
                          date=first("date"))
        return Extracted(_checked(text, source, limits), "epub", meta)
