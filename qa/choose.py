"""Choosing the evidence: which read passages answer the question, or that none does.

The decision is the reader's: its best span must score above the reader's calibrated no-answer
threshold (chosen on SQuAD TUNE articles, shipped in reader.json). A passage from another
document whose best span says the same thing is cited beside it ("also in [2]")."""
from __future__ import annotations

from dataclasses import dataclass

from .metrics import contains_alias
from .reader import Span
from .retrieval import Hit


@dataclass(frozen=True)
class Choice:
    """A read passage that answers, and the span in it that does."""

    hit: Hit
    span: Span


def by_reading(hits: list[Hit], spans: list[Span]) -> list[Hit]:
    """The read passages, surest answer first; passages not read keep their order after them."""
    order = sorted(range(len(spans)), key=lambda i: (-spans[i].score, i))
    return [hits[i] for i in order] + hits[len(spans):]


def choose(hits: list[Hit], spans: list[Span], threshold: float, max_sources: int = 2) -> list[Choice]:
    """The surest span when it clears ``threshold``, then spans of other documents that state it too."""
    ranked = sorted(spans, key=lambda s: -s.score)
    if not ranked or ranked[0].score < threshold or not ranked[0].text.strip():
        return []
    best = ranked[0]
    chosen = [Choice(hits[best.passage], best)]
    sources = {hits[best.passage].passage.source}
    for other in ranked[1:]:
        if len(chosen) >= max_sources:
            break
        source = hits[other.passage].passage.source
        if source not in sources and other.score >= threshold and same_answer(best.text, other.text):
            chosen.append(Choice(hits[other.passage], other))
            sources.add(source)
    return chosen


def same_answer(a: str, b: str) -> bool:
    """Two short answers say the same when, normalised as SQuAD does, one's words contain the other's."""
    return contains_alias(a, [b]) or contains_alias(b, [a])
