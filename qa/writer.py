"""Writing the answer text from chosen evidence, with [n] markers."""
from __future__ import annotations

import re
from collections.abc import Iterator

from .evidence import Evidence, shortest_sufficient
from .language_model import LanguageModel

_SYSTEM = (
    "Answer the question using only the numbered evidence. Reply in one or two short sentences and "
    "put the evidence number in square brackets after each fact, like [1]."
)


_CLOSED = re.compile(r"[.!?][\"”’)\]]*$")


def cite(text: str, citation: int) -> str:
    """The text with its [n] marker: ``… [n].``, or ``….” [n]`` where the text already ends a sentence."""
    text = " ".join(text.split()).rstrip(",;:")
    text = text[:1].upper() + text[1:]
    if _CLOSED.search(text):
        if text[-1] in ".!?":
            return f"{text[:-1]} [{citation}]{text[-1]}"
        return f"{text} [{citation}]"
    return f"{text} [{citation}]."


def extractive(question: str, chosen: list[tuple[Evidence, int]], lm: LanguageModel, tolerance: float | None) -> str:
    """Each piece of evidence, cut (unless ``tolerance`` is None) to the shortest clause run that
    explains the question as well."""
    if tolerance is None:
        return " ".join(cite(e.text, n) for e, n in chosen)
    return " ".join(cite(shortest_sufficient(question, e, lm, tolerance).text, n) for e, n in chosen)


def generated(question: str, chosen: list[tuple[Evidence, int]], lm: LanguageModel, max_new_tokens: int) -> Iterator[str]:
    numbered = "\n".join(f"[{n}] {' '.join(e.text.split())}" for e, n in chosen)
    prompt = lm.chat_prompt(_SYSTEM, f"Evidence:\n{numbered}\n\nQuestion: {question}")
    yield from lm.stream(prompt, max_new_tokens)
