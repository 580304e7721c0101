"""Word (.docx) through python-docx: the body's paragraphs and tables in document order.
Headers and footers are left out: they repeat on every page and are not the document's text.
Word files carry no page numbers (pages are decided when Word lays them out), so none are given."""
from __future__ import annotations

import io
import zipfile

from ..errors import DocumentError
from .base import Extracted, Limits, Loader, clean_meta


def _blocks(document):
    """Paragraph texts and table rows (cells joined by " | "), in the order of the body."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    for item in document.iter_inner_content():
        if isinstance(item, Paragraph):
            yield item.text
        elif isinstance(item, Table):
            for row in item.rows:
                cells = []
                for cell in row.cells:
                    value = " ".join(cell.text.split())
                    if value and (not cells or cells[-1] != value):  # merged cells repeat their text
                        cells.append(value)
                if cells:
                    yield " | ".join(cells)


class DocxLoader(Loader):
    name = "docx"
    suffixes = (".docx",)
    package = "python-docx"

    def extract(self, raw: bytes, source: str, limits: Limits, password: str | None = None) -> Extracted:
        import docx

        try:
            document = docx.Document(io.BytesIO(raw))
        except (zipfile.BadZipFile, KeyError, ValueError) as error:
            raise DocumentError(f"{source}: not a readable Word .docx file ({error}); open and re-save it "
                                "in Word or LibreOffice, or remove it") from None
        text = "\n\n".join(block.strip() for block in _blocks(document) if block.strip())
        if len(text) > limits.max_text_chars:
            raise DocumentError(f"{source}: over {limits.max_text_chars:,} characters of text; split it")
        if not text:
            raise DocumentError(f"{source}: empty document (no text to index)")
        core = document.core_properties
        meta = clean_meta(title=core.title, author=core.author, publisher=None,
                          date=core.created.date().isoformat() if core.created else None)
        return Extracted(text, "docx", meta)
