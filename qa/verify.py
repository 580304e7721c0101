"""The checks every answer passes before it is returned."""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from embeddings import Document, pages_between

from .answer import Quote, ShortAnswer, Source, Step

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


def step_problems(steps: Iterable[Step], quotes: tuple[Quote, ...], document: Callable[[str], Document]) -> list[str]:
    """(d) Every step of a composed answer stands on an exact span: its quote is exact and one of the
    answer's quotes, its short answer an exact span inside that quote."""
    problems = []
    for n, step in enumerate(steps, start=1):
        if step.quote not in quotes:
            problems.append(f"step {n}'s quote [{step.quote.citation}] is not one of the answer's quotes")
        problems += [f"step {n}: {p}" for p in quote_problems([step.quote], document)
                     + short_answer_problems(step.short_answer, [step.quote], document)]
    return problems


def stated_problems(short: ShortAnswer, steps: tuple[Step, ...], subjects: tuple[str, ...]) -> list[str]:
    """(a'') A short answer with no span of its own is "yes" or "no", or a thing the question compares,
    and stands on steps."""
    if not steps:
        return [f"short answer “{short.text}” has no span and no steps to stand on"]
    if short.text not in ("yes", "no", *subjects):
        return [f"short answer “{short.text}” is neither yes, no nor a thing the question names"]
    return []


def answer_problems(text: str, short: ShortAnswer, quotes: tuple[Quote, ...], sources: Iterable[Source],
                    document: Callable[[str], Document], retrieved_sources: set[str],
                    steps: tuple[Step, ...] = (), subjects: tuple[str, ...] = ()) -> list[str]:
    """Everything an answer must pass before it is shown: (a), (a') or (a''), (b), (d) and the retrieval check."""
    shorts = stated_problems(short, steps, subjects) if short.stated else short_answer_problems(short, quotes, document)
    return (quote_problems(quotes, document) + shorts + step_problems(steps, quotes, document)
            + marker_problems(text, sources, quotes) + retrieval_problems(quotes, retrieved_sources))
