"""Web pages through trafilatura: the main text without navigation, scripts and cookie banners,
and the page's title, author, date and site name. Decoded first like text files (UTF-16 pages,
cp1252 pages), so trafilatura sees the right characters."""
from __future__ import annotations

from ..errors import DocumentError
from .base import Extracted, Limits, Loader, clean_meta
from .text import decode


def _all_text(page: str | bytes) -> str:
    """A fragment with no article in it (a lone heading): its visible text, scripts and styles removed."""
    import lxml.html
    from lxml.etree import ParserError
    from lxml_html_clean import Cleaner

    try:
        tree = Cleaner(scripts=True, javascript=True, style=True, comments=True).clean_html(lxml.html.fromstring(page))
    except (ParserError, ValueError):
        return ""
    return "\n".join(line.strip() for line in tree.text_content().splitlines() if line.strip())


class HtmlLoader(Loader):
    name = "html"
    suffixes = (".html", ".htm")
    package = "trafilatura"

    def extract(self, raw: bytes, source: str, limits: Limits, password: str | None = None) -> Extracted:
        import trafilatura

        page, encoding = decode(raw, source)
        text = trafilatura.extract(page, output_format="txt", include_tables=True, include_comments=False,
                                   favor_recall=True, deduplicate=False, with_metadata=False) or ""
        text = text.strip() or _all_text(page)
        if not text:
            raise DocumentError(f"{source}: no main text found in the page (only navigation or scripts?)")
        if len(text) > limits.max_text_chars:
            raise DocumentError(f"{source}: over {limits.max_text_chars:,} characters of text; split it")
        info = trafilatura.extract_metadata(page)
        meta = clean_meta(title=getattr(info, "title", None), author=getattr(info, "author", None),
                          publisher=getattr(info, "sitename", None), date=getattr(info, "date", None))
        return Extracted(text, encoding, meta)
