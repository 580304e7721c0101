"""Writing the answer text from chosen evidence, with [n] markers."""
from __future__ import annotations

from collections.abc import Iterator

from .evidence import Evidence, shortest_sufficient
from .language_model import LanguageModel

_SYSTEM = (
    "Answer the question using only the numbered evidence. Reply in one or two short sentences and "
    "put the evidence number in square brackets after each fact, like [1]."
)


def cite(text: str, citation: int) -> str:
    """``text [n].`` with the marker inside the final punctuation."""
    text = " ".join(text.split()).rstrip(",;:")
    end = text[-1] if text and text[-1] in ".!?" else "."
    body = text[:-1] if text and text[-1] in ".!?" else text
    return f"{body[:1].upper()}{body[1:]} [{citation}]{end}"


def extractive(question: str, chosen: list[tuple[Evidence, int]], lm: LanguageModel, tolerance: float) -> str:
    """Each piece of evidence cut to the shortest clause run that explains the question as well."""
    return " ".join(cite(shortest_sufficient(question, e, lm, tolerance).text, n) for e, n in chosen)


def generated(question: str, chosen: list[tuple[Evidence, int]], lm: LanguageModel, max_new_tokens: int) -> Iterator[str]:
    numbered = "\n".join(f"[{n}] {' '.join(e.text.split())}" for e, n in chosen)
    prompt = lm.chat_prompt(_SYSTEM, f"Evidence:\n{numbered}\n\nQuestion: {question}")
    yield from lm.stream(prompt, max_new_tokens)
