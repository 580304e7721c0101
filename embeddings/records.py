"""The records that travel from documents to the index: spans, documents, passages."""
from __future__ import annotations

import bisect
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Span:
    """Half-open character range ``[start, end)`` into a document's text."""

    start: int
    end: int

    def __post_init__(self) -> None:
        if not 0 <= self.start <= self.end:
            raise ValueError(f"invalid span [{self.start}, {self.end})")

    def to_dict(self) -> dict[str, int]:
        return {"start": self.start, "end": self.end}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Span:
        return cls(int(data["start"]), int(data["end"]))


@dataclass(frozen=True)
class DocumentMeta:
    """What the article states about itself; ``None`` where it does not say."""

    title: str | None = None
    author: str | None = None
    publisher: str | None = None
    date: str | None = None

    def to_dict(self) -> dict[str, str | None]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DocumentMeta:
        known = {k: data.get(k) for k in ("title", "author", "publisher", "date")}
        for key, value in known.items():
            if value is not None and not isinstance(value, str):
                raise ValueError(f"metadata field {key!r} must be a string or null, got {value!r:.80}")
        return cls(**known)


@dataclass(frozen=True)
class Document:
    """A document exactly as read from disk: every offset elsewhere points into ``text``."""

    source: str
    text: str
    sha256: str
    encoding: str = "utf-8"
    meta: DocumentMeta = field(default_factory=DocumentMeta)
    pages: tuple[int, ...] = ()
    """Where each page starts in ``text`` (PDF); empty when the format has no pages."""
    loader: str = "text"
    """The loader and library version that extracted ``text``."""

    def page_of(self, offset: int) -> int | None:
        return page_of(self.pages, offset)

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "text": self.text,
            "sha256": self.sha256,
            "encoding": self.encoding,
            "meta": self.meta.to_dict(),
            "pages": list(self.pages),
            "loader": self.loader,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Document:
        return cls(
            source=data["source"],
            text=data["text"],
            sha256=data["sha256"],
            encoding=data.get("encoding", "utf-8"),
            meta=DocumentMeta.from_dict(data.get("meta") or {}),
            pages=tuple(int(p) for p in data.get("pages") or ()),
            loader=data.get("loader", "text"),
        )


def page_of(pages: tuple[int, ...], offset: int) -> int | None:
    """The 1-based page holding character ``offset``, given where each page starts; None without pages."""
    if not pages:
        return None
    return bisect.bisect_right(pages, offset)


@dataclass(frozen=True)
class Passage:
    """A few whole sentences of one document; ``text == document.text[start:end]``."""

    source: str
    start: int
    end: int
    text: str
    sentences: tuple[Span, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "sentences": [[s.start, s.end] for s in self.sentences],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Passage:
        return cls(
            source=data["source"],
            start=int(data["start"]),
            end=int(data["end"]),
            text=data["text"],
            sentences=tuple(Span(int(s), int(e)) for s, e in data["sentences"]),
        )


def pages_between(pages: tuple[int, ...], start: int, end: int) -> tuple[int, ...]:
    """Every page that characters ``start`` to ``end`` stand on (none for a format without pages)."""
    if not pages:
        return ()
    first, last = page_of(pages, start), page_of(pages, max(start, end - 1))
    return tuple(range(first, last + 1))
