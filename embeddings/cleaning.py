"""Finding the content of a page: skip chrome and verbatim repeats, never rewrite text.

The result is a list of *sections*: runs of paragraphs with nothing skipped between
them, so a passage built inside one section is a contiguous span of the original.
"""
from __future__ import annotations

import re

from .records import Span

# Whole-line page chrome: widgets, share buttons, comment prompts, download and
# subscription prompts, photo credits, stray separators.
_CHROME = re.compile(
    r"""^(?:
        rate\ this\ (?:article|post|story)
      | \(votes?:\ *\d+,\ *rating:\ *[\d.]+\)
      | \(\d+\ votes?\)
      | share\ this(?:\ (?:article|post|story|page))?
      | share\ on\ \w+ | tweet | print(?:\ this\ (?:article|page))?
      | leave\ a\ (?:reply|comment) | \d*\ ?comments?
      | please\ select\ digest\ to\ download:?
      | download\ (?:pdf|the\ (?:pdf|digest|report)).*
      | subscribe(?:\ to\ .*)?
      | want\ to\ know\ more\ about\ .*\?
      | sign\ up\ for\ .* | follow\ us\ on\ .*
      | photo\ credits?:.* | (?:image|photo)\ (?:by|source):.*
      | related\ (?:articles|posts)
      | for\ (?:business|researchers|students|media)
      | [\s,;|·•\-–—]*
    )$""",
    re.IGNORECASE | re.VERBOSE,
)
# Lines of a contact or identifier block; a block mostly made of these is chrome.
_CONTACT = re.compile(
    r"^(?:tel|phone|fax|e-?mail|spin(?:\ rsci)?|orcid|researcherid|scopus\ authorid|address)\s*\.?\s*:",
    re.IGNORECASE,
)


def _lines(text: str) -> list[Span]:
    """Each line's span, trimmed of surrounding white space; blank lines give empty spans."""
    spans, pos = [], 0
    for line in text.splitlines(keepends=True):
        stripped = line.strip()
        start = pos + (line.find(stripped) if stripped else 0)
        spans.append(Span(start, start + len(stripped)))
        pos += len(line)
    return spans


def _blocks(text: str) -> list[list[Span]]:
    """Runs of non-blank lines, separated by blank lines."""
    blocks: list[list[Span]] = [[]]
    for span in _lines(text):
        if span.start == span.end:
            if blocks[-1]:
                blocks.append([])
        else:
            blocks[-1].append(span)
    return [b for b in blocks if b]


def _is_contact_block(text: str, block: list[Span]) -> bool:
    hits = sum(bool(_CONTACT.match(text[s.start:s.end])) for s in block)
    return hits * 2 >= len(block)


def content_sections(text: str) -> list[list[Span]]:
    """Paragraph spans worth indexing, grouped into sections with nothing skipped inside."""
    sections: list[list[Span]] = [[]]
    seen: set[str] = set()

    def skip() -> None:
        if sections[-1]:
            sections.append([])

    for block in _blocks(text):
        if _is_contact_block(text, block):
            skip()
            continue
        for span in block:
            line = text[span.start:span.end]
            if _CHROME.match(line) or line in seen:
                skip()
                continue
            seen.add(line)
            sections[-1].append(span)
    return [s for s in sections if s]
