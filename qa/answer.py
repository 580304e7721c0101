"""The records an answer is made of; ``Answer.to_dict()`` is the public JSON contract."""
from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Quote:
    """An exact span of a source document: ``text == document.text[start:end]``."""

    citation: int
    text: str
    source: str
    start: int
    end: int
    pages: tuple[int, ...] = ()
    """The pages the quote stands on (PDF; two across a page break); empty when the format has none."""

    @property
    def page(self) -> int | None:
        return self.pages[0] if self.pages else None

    def to_dict(self) -> dict[str, Any]:
        return {"citation": self.citation, "text": self.text, "source": self.source, "start": self.start,
                "end": self.end, "page": self.page, "pages": list(self.pages)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Quote:
        return cls(int(data["citation"]), data["text"], data["source"], int(data["start"]), int(data["end"]),
                   tuple(int(p) for p in data.get("pages") or ()))


@dataclass(frozen=True)
class ShortAnswer:
    """The reader's answer: an exact span of quote ``citation`` and so of its document too."""

    text: str
    citation: int
    source: str
    start: int
    end: int
    score: float = 0.0
    """The reader's span score over "no answer" (higher is surer)."""

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "citation": self.citation, "source": self.source, "start": self.start,
                "end": self.end, "score": round(self.score, 3)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ShortAnswer:
        return cls(data["text"], int(data["citation"]), data["source"], int(data["start"]), int(data["end"]),
                   float(data.get("score", 0.0)))


@dataclass(frozen=True)
class Source:
    citation: int
    source: str
    title: str | None = None
    author: str | None = None
    publisher: str | None = None
    date: str | None = None

    @property
    def label(self) -> str:
        """How a person would name the article: its title, else its file name."""
        return self.title or self.source

    def to_dict(self) -> dict[str, Any]:
        return {"citation": self.citation, "source": self.source, "title": self.title, "author": self.author,
                "publisher": self.publisher, "date": self.date}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Source:
        return cls(int(data["citation"]), data["source"], data.get("title"), data.get("author"),
                   data.get("publisher"), data.get("date"))


@dataclass(frozen=True)
class PassageRef:
    """A retrieved passage, shown as context; not a claim of support."""

    source: str
    start: int
    end: int
    score: float
    text: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source, "start": self.start, "end": self.end, "score": round(self.score, 4)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PassageRef:
        return cls(data["source"], int(data["start"]), int(data["end"]), float(data["score"]), data.get("text", ""))


@dataclass(frozen=True)
class Answer:
    question: str
    answer: str
    answerable: bool
    quotes: tuple[Quote, ...] = ()
    sources: tuple[Source, ...] = ()
    passages: tuple[PassageRef, ...] = ()
    timings_ms: dict[str, float] = field(default_factory=dict)
    short_answer: ShortAnswer | None = None
    confidence: float | None = None
    """The probability that the short answer is right (for a declined question, that the best span the
    engine rejected would have been); None with a reader that has no confidence model."""
    passages_read: int = 0
    """How many of ``passages`` (the first ones) the reader read: all of them, or the first alone when
    its answer was sure (``qa.reading``)."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "answer": self.answer,
            "answerable": self.answerable,
            "short_answer": self.short_answer.to_dict() if self.short_answer else None,
            "confidence": None if self.confidence is None else round(self.confidence, 4),
            "quotes": [q.to_dict() for q in self.quotes],
            "sources": [s.to_dict() for s in self.sources],
            "passages": [p.to_dict() for p in self.passages],
            "passages_read": self.passages_read,
            "timings_ms": {k: round(v, 1) for k, v in self.timings_ms.items()},
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Answer:
        return cls(
            question=data["question"], answer=data["answer"], answerable=bool(data["answerable"]),
            quotes=tuple(Quote.from_dict(q) for q in data.get("quotes", [])),
            sources=tuple(Source.from_dict(s) for s in data.get("sources", [])),
            passages=tuple(PassageRef.from_dict(p) for p in data.get("passages", [])),
            timings_ms=dict(data.get("timings_ms", {})),
            short_answer=ShortAnswer.from_dict(data["short_answer"]) if data.get("short_answer") else None,
            confidence=None if data.get("confidence") is None else float(data["confidence"]),
            passages_read=int(data.get("passages_read", 0)),
        )

    def __str__(self) -> str:
        sure = f" — {in_words(self.confidence)}" if self.confidence is not None else ""
        lines = ([f"Answer: {self.short_answer.text} [{self.short_answer.citation}]{sure}"] if self.short_answer else [])
        lines += [self.answer, ""]
        by_citation = {s.citation: s for s in self.sources}
        for quote in self.quotes:
            source = by_citation.get(quote.citation)
            label = source.label if source else quote.source
            lines.append(f"[{quote.citation}] “{' '.join(quote.text.split())}”")
            lines.append(textwrap.indent(f"— {label} ({quote.source}, characters {quote.start}–{quote.end})", "    "))
        if not self.answerable and self.confidence is not None:
            lines.append(f"The best span found was {in_words(self.confidence)}, under the answering point.")
        if not self.answerable and self.passages:
            lines.append("Closest passages (not support for an answer):")
            lines += [f"  - {p.source} [{p.start}:{p.end}] score {p.score:.3f}" for p in self.passages[:3]]
        return "\n".join(lines).rstrip()


def in_words(probability: float) -> str:
    """A confidence as a reader takes it in at a glance: a few words and the percentage."""
    percent = round(100 * probability)
    if probability >= 0.85:
        return f"very likely right ({percent}%)"
    if probability >= 0.65:
        return f"likely right ({percent}%)"
    if probability >= 0.45:
        return f"uncertain ({percent}%)"
    return f"probably wrong ({percent}%)"
