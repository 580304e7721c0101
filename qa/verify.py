"""The checks every answer passes before it is returned."""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from embeddings import Document, pages_between

from .answer import Quote, ShortAnswer, Source

MARKER = re.compile(r"\[(\d+)\]")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*%?")
_WORD = re.compile(r"[A-Za-z][\w'’-]*")
_SENTENCE_START = re.compile(r"(?:^|[.!?:;\"“]\s+)$")


def quote_problems(quotes: Iterable[Quote], document: Callable[[str], Document]) -> list[str]:
    """(a) Each quote must be exactly ``document.text[start:end]`` of its source as on disk."""
    problems = []
    for quote in quotes:
        try:
            text = document(quote.source).text
        except (OSError, ValueError) as error:
            problems.append(f"quote [{quote.citation}] from {quote.source}: {error}")
            continue
        if text[quote.start:quote.end] != quote.text:
            problems.append(f"quote [{quote.citation}] is not the text of {quote.source}[{quote.start}:{quote.end}]")
        elif quote.pages != pages_between(document(quote.source).pages, quote.start, quote.end):
            problems.append(f"quote [{quote.citation}] names pages {list(quote.pages)} of {quote.source}, "
                            "which are not the pages it stands on")
    return problems


def short_answer_problems(short: ShortAnswer, quotes: Iterable[Quote], document: Callable[[str], Document]) -> list[str]:
    """(a') The short answer is an exact span of its document, inside the quote it cites."""
    around = [q for q in quotes if q.citation == short.citation and q.source == short.source]
    if not any(q.start <= short.start and short.end <= q.end for q in around):
        return [f"short answer is not inside quote [{short.citation}]"]
    try:
        text = document(short.source).text
    except (OSError, ValueError) as error:
        return [f"short answer from {short.source}: {error}"]
    if text[short.start:short.end] != short.text:
        return [f"short answer is not the text of {short.source}[{short.start}:{short.end}]"]
    return []


def marker_problems(answer: str, sources: Iterable[Source], quotes: Iterable[Quote] = ()) -> list[str]:
    """(b) Every [n] in the answer names a listed source; an "[n]" inside a quoted sentence is the
    document's own (a paper's reference) and is left out of the count."""
    for quote in quotes:
        # As the writer prints it: spaces collapsed, first letter capitalised, [n] before the full stop.
        said = " ".join(quote.text.split()).rstrip(",;:")[1:-1]
        answer = answer.replace(said, " ") if said else answer
    listed = {s.citation for s in sources}
    return [f"[{n}] names no listed source" for n in sorted({int(m) for m in MARKER.findall(answer)} - listed)]


def retrieval_problems(quotes: Iterable[Quote], retrieved_sources: set[str]) -> list[str]:
    """Only articles that retrieval returned for this question may be cited."""
    return [f"quote [{q.citation}] cites {q.source}, which was not retrieved" for q in quotes if q.source not in retrieved_sources]


def unsupported_terms(answer: str, quotes: Iterable[Quote]) -> list[str]:
    """(c) Numbers and proper names in the answer that none of its quotes contains."""
    support = " ".join(q.text for q in quotes)
    body = MARKER.sub(" ", answer)
    missing = [n for n in _NUMBER.findall(body) if n not in support]
    for match in _WORD.finditer(body):
        word = match.group()
        if word[0].isupper() and not _SENTENCE_START.search(body[:match.start()]) and word not in support:
            missing.append(word)
    return missing


def answer_problems(text: str, short: ShortAnswer, quotes: tuple[Quote, ...], sources: Iterable[Source],
                    document: Callable[[str], Document], retrieved_sources: set[str]) -> list[str]:
    """Everything an answer must pass before it is shown: (a), (a'), (b) and the retrieval check."""
    return (quote_problems(quotes, document) + short_answer_problems(short, quotes, document)
            + marker_problems(text, sources, quotes) + retrieval_problems(quotes, retrieved_sources))
