"""Citing: each chosen span becomes a numbered quote (the whole sentence around it, an exact span of
its document) and the short answer (the span itself); the answer text leads with the short answer."""
from __future__ import annotations

from collections.abc import Callable

from embeddings import Span, pages_between

from .answer import Quote, ShortAnswer
from .choose import Choice
from .writer import cite

_TRIM = " \t\n,;:.\u2014\u2013-"


def _no_pages(source: str) -> tuple[int, ...]:
    return ()


def quote(choice: Choice, citation: int, pages: Callable[[str], tuple[int, ...]] = _no_pages) -> Quote:
    """The passage's sentences that the span touches, as one exact span of the document."""
    passage = choice.hit.passage
    a, b = passage.start + choice.span.start, passage.start + choice.span.end
    touched = [s for s in passage.sentences if s.start < b and a < s.end] or [Span(passage.start, passage.end)]
    start, end = touched[0].start, touched[-1].end
    return Quote(citation, passage.text[start - passage.start:end - passage.start], passage.source, start, end,
                 pages_between(pages(passage.source), start, end))


def short_answer(choice: Choice, citation: int) -> ShortAnswer:
    """The span in document offsets, without the punctuation a token boundary leaves around it."""
    passage, span = choice.hit.passage, choice.span
    text = passage.text[span.start:span.end]
    stripped = text.strip(_TRIM) or text
    start = passage.start + span.start + text.index(stripped)
    return ShortAnswer(stripped, citation, passage.source, start, start + len(stripped), span.score)


def lead(short: ShortAnswer, citations: list[int]) -> str:
    """``31.5% [1].`` or, when another article states it too, ``ZTE [1] [2].``"""
    return cite(short.text, *citations)


def compose(choices: list[Choice], pages: Callable[[str], tuple[int, ...]] = _no_pages
            ) -> tuple[ShortAnswer, tuple[Quote, ...], str]:
    """The short answer, the quotes [1], [2], … and the answer text: the short answer, then each quote.
    ``pages(source)``: where each page of the document starts, for the quotes' page numbers."""
    quotes = tuple(quote(c, n, pages) for n, c in enumerate(choices, start=1))
    short = short_answer(choices[0], 1)
    return short, quotes, text(short, quotes)


def text(short: ShortAnswer, quotes: tuple[Quote, ...], stating: list[int] | None = None) -> str:
    """The extractive answer: the short answer with the citations that state it (default: every
    quote's, as chosen spans of other articles say the same), then each quote."""
    citations = [q.citation for q in quotes] if stating is None else stating
    cited = [cite(q.text, q.citation) for q in quotes]
    if quotes and short.text == quotes[0].text.strip(_TRIM):
        return " ".join(cited)  # a reason's whole sentence: said once
    return lead(short, citations) + " " + " ".join(cited)
