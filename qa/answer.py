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

    @property
    def stated(self) -> bool:
        """A short answer the engine states from its steps ("yes", "no", or one of the things a comparison
        names when no quote spells it): no span of its own (``source`` empty, ``citation`` 0)."""
        return not self.source

    @classmethod
    def statement(cls, text: str, score: float = 0.0) -> ShortAnswer:
        return cls(text, 0, "", 0, 0, score)

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "citation": self.citation, "source": self.source, "start": self.start,
                "end": self.end, "score": round(self.score, 3)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ShortAnswer:
        return cls(data["text"], int(data["citation"]), data["source"], int(data["start"]), int(data["end"]),
                   float(data.get("score", 0.0)))


@dataclass(frozen=True)
class Step:
    """One sub-question of a composed answer and what answers it: a short answer that is an exact span of
    ``quote`` (and so of its document), the quote, and the step's own confidence."""

    question: str
    short_answer: ShortAnswer
    quote: Quote
    confidence: float | None = None
    value: str | None = None
    """What was compared, as read from the short answer ("2005", "31.5 %", "american"); None when not compared."""

    def to_dict(self) -> dict[str, Any]:
        return {"question": self.question, "short_answer": self.short_answer.to_dict(), "quote": self.quote.to_dict(),
                "confidence": None if self.confidence is None else round(self.confidence, 4), "value": self.value}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Step:
        return cls(data["question"], ShortAnswer.from_dict(data["short_answer"]), Quote.from_dict(data["quote"]),
                   None if data.get("confidence") is None else float(data["confidence"]), data.get("value"))


KINDS = ("span", "bridge", "comparison", "yes/no", "reason")
"""What an answer is: one span; a span found through a second hop; a comparison of two answered
sub-questions; a yes or no decided by them; the clause that gives a reason."""


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
    kind: str = "span"
    """One of ``KINDS``."""
    steps: tuple[Step, ...] = ()
    """The sub-questions a composed answer (bridge, comparison, yes/no) stands on, in the order asked."""

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
            "kind": self.kind,
            "steps": [step.to_dict() for step in self.steps],
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
            kind=data.get("kind", "span"),
            steps=tuple(Step.from_dict(step) for step in data.get("steps", [])),
        )

    def __str__(self) -> str:
        sure = f" — {in_words(self.confidence)}" if self.confidence is not None else ""
        short = self.short_answer
        cited = "" if short is None or short.stated else f" [{short.citation}]"
        kind = "" if self.kind == "span" else f" ({self.kind})"
        lines = ([f"Answer{kind}: {short.text}{cited}{sure}"] if short else [])
        lines += [self.answer, ""]
        for n, step in enumerate(self.steps, start=1):
            step_sure = f" — {in_words(step.confidence)}" if step.confidence is not None else ""
            lines.append(f"Step {n}: {step.question} → {step.short_answer.text} [{step.quote.citation}]{step_sure}")
        lines += [""] if self.steps else []
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
