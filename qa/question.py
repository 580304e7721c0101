"""What counts as a question, and the message for what does not."""
from __future__ import annotations

import re
import unicodedata

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


class QuestionError(ValueError):
    """A question that cannot be asked; the message says what to change."""


def clean_question(question: object, max_chars: int) -> str:
    if not isinstance(question, str):
        raise QuestionError(f"question must be a string, got {type(question).__name__}")
    text = " ".join(_CONTROL.sub(" ", question).split())
    if not text:
        raise QuestionError("question is empty; type a question about the articles")
    if len(text) > max_chars:
        raise QuestionError(f"question is {len(text):,} characters; the limit is {max_chars:,} (shorten it)")
    if not any(unicodedata.category(c)[0] in "LN" for c in text):
        raise QuestionError("question has no words or numbers in it; ask in words")
    return text
