"""What every loader is: bytes of one file in, the document's text (with pages and metadata) out."""
from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version

from ..records import DocumentMeta


@dataclass(frozen=True)
class Limits:
    """Past these a file is skipped with a message (documented in the README)."""

    max_text_chars: int = 8 * 1024 * 1024
    max_pages: int = 2000
    max_page_chars: int = 200_000
    """A dense page of print holds under 10,000 characters; a page of more is a table dump or crafted."""


@dataclass(frozen=True)
class Extracted:
    text: str
    encoding: str = "utf-8"
    """How the bytes were decoded (text formats); the loader's stamp names what extracted it."""
    meta: DocumentMeta = field(default_factory=DocumentMeta)
    """What the file says about itself (PDF info, DOCX core properties, HTML metadata)."""
    pages: tuple[int, ...] = ()
    """Offset in ``text`` where each page starts (page n at ``pages[n - 1]``); empty: no pages."""
    stamp: str | None = None
    """What extracted it when that is more than the loader's own stamp (a PDF read partly by OCR)."""


class Loader(ABC):
    name: str
    suffixes: tuple[str, ...]
    package: str | None = None
    """The library that does the extraction; its version is part of the stamp."""

    @property
    def stamp(self) -> str:
        """Name and version: a document extracted by another stamp is extracted again."""
        if self.package is None:
            return self.name
        try:
            return f"{self.name} ({self.package} {version(self.package)})"
        except PackageNotFoundError:
            return f"{self.name} ({self.package} missing)"

    def current(self, stamp: str) -> bool:
        """A document extracted with ``stamp`` reads the same with this loader now."""
        return stamp == self.stamp

    @abstractmethod
    def extract(self, raw: bytes, source: str, limits: Limits, password: str | None = None) -> Extracted:
        """The text of the file; raises ``DocumentError`` naming the file and what to do.

        ``password`` opens an encrypted file (metadata.json's ``password``); formats without
        encryption ignore it."""


def clean_meta(**fields: object) -> DocumentMeta:
    """File metadata as strings, blanks as None."""
    return DocumentMeta(**{k: (" ".join(str(v).split()) or None) if v else None for k, v in fields.items()})
