"""Comparing in code what the sub-questions found: which of two dates is earlier or two quantities
larger, whether two answers are the same, whether a predicate holds of both things."""
from __future__ import annotations

import re

from embeddings import terms

from .plan import Plan
from .values import Value, date, same


def winner(plan: Plan, values: list[Value]) -> int | None:
    """The index of the subject the comparison picks; None when the values do not decide it (different
    units, the same date or amount as far as both are given)."""
    a, b = values
    if not a.comparable(b):
        return None
    common = min(len(a.amount), len(b.amount))
    x, y = a.amount[:common], b.amount[:common]
    if x == y:
        return None
    larger = 0 if x > y else 1
    return larger if plan.direction > 0 else 1 - larger


def holds(predicate: str, quote: str) -> bool:
    """Whether every content word of ``predicate`` (stemmed, stop words dropped) is in ``quote``."""
    wanted, found = terms([predicate, quote])
    return bool(wanted) and set(wanted) <= set(found)


_NEGATION = re.compile(r"\b(?:not|no|never|neither|nor|none|without)\b|n[’']t\b", re.I)


def states(question: str, quote: str, context: str = "") -> bool:
    """Whether ``quote`` states what the yes/no ``question`` asks: every content word in it (or in
    ``context``, the document's title, which names what "he" and "it" refer to), and no negation in
    the quote that the question does not have (a quote that says "did not" decides nothing here)."""
    negated = bool(_NEGATION.search(quote)) and not _NEGATION.search(question)
    return holds(question, f"{context} {quote}") and not negated


def yes_no(plan: Plan, values: list[Value], quotes: list[str], contexts: list[str] | None = None) -> bool | None:
    """A date the question gives (``literal``): whether the answer's date is before (or after) it;
    ``same``: whether the two answers say the same; ``both``: yes when the predicate holds in both
    quotes; ``holds``: yes when the quote states the question;
    None when nothing decides it (no "no" is given from a quote that merely lacks a word)."""
    if plan.literal:
        given = date(plan.literal)
        picked = winner(plan, [values[0], given]) if given else None
        return None if picked is None else picked == 0
    if plan.dimension == "same":
        return same(*values)
    if plan.dimension == "both":
        return True if all(holds(plan.predicate, q) for q in quotes) else None
    if plan.dimension == "holds":
        return True if states(plan.predicate, quotes[0], (contexts or [""])[0]) else None
    return None
