"""Writing answer text with [n] markers: the extractive form, and an optional model-written draft."""
from __future__ import annotations

import re
from collections.abc import Iterator

from .answer import Quote, Source
from .language_model import LanguageModel
from .verify import MARKER, marker_problems, unsupported_terms

_SYSTEM = (
    "Answer the question using only the numbered evidence. Reply in one or two short sentences and "
    "put the evidence number in square brackets after each fact, like [1]."
)


_CLOSED = re.compile(r"[.!?][\"”’)\]]*$")


def cite(text: str, *citations: int) -> str:
    """The text with its markers: ``… [n].``, or ``….” [n]`` where the text already ends a sentence;
    several citations give ``… [1] [2].``."""
    markers = " ".join(f"[{n}]" for n in citations)
    text = " ".join(text.split()).rstrip(",;:")
    text = text[:1].upper() + text[1:]
    if _CLOSED.search(text):
        if text[-1] in ".!?":
            return f"{text[:-1]} {markers}{text[-1]}"
        return f"{text} {markers}"
    return f"{text} {markers}."


def generated(question: str, quotes: tuple[Quote, ...], lm: LanguageModel, max_new_tokens: int) -> Iterator[str]:
    """A draft written by the language model from the numbered quotes (checked by the engine)."""
    numbered = "\n".join(f"[{q.citation}] {' '.join(q.text.split())}" for q in quotes)
    prompt = lm.chat_prompt(_SYSTEM, f"Evidence:\n{numbered}\n\nQuestion: {question}")
    yield from lm.stream(prompt, max_new_tokens)


def draft_problems(draft: str, quotes: tuple[Quote, ...]) -> list[str]:
    """Why a written draft cannot replace the extractive answer (empty when it can)."""
    if not draft or not MARKER.search(draft):
        return ["no citation"]
    return marker_problems(draft, [Source(q.citation, q.source) for q in quotes]) + unsupported_terms(draft, quotes)
