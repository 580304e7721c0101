"""A reason's short answer: the clause around the reader's span, not a noun phrase picked from it.

The clause runs to the nearest clause marks on either side inside the quoted sentences (; : — – and
the sentence's own ends), so "because of the purchase … S-400" comes whole and a long sentence of
several clauses gives only the one the span is in; when the clause says "because", "due to", "in
order to"…, the reason starts there."""
from __future__ import annotations

import re

from ..answer import Quote, ShortAnswer

_MARK = re.compile(r"[;:—–]|\s-\s")
_CAUSE = re.compile(r"\b(?:because|since|due to|owing to|as a result of|thanks to|in order to|so that|so as to)\b", re.I)
_TRIM = " \t\n,;:.\u2014\u2013-\"“”'’"


def clause(short: ShortAnswer, quote: Quote) -> ShortAnswer:
    """``short`` grown to its clause within ``quote`` (an exact span of the same document)."""
    a, b = short.start - quote.start, short.end - quote.start
    text = quote.text
    left = max((m.end() for m in _MARK.finditer(text, 0, a)), default=0)
    right = next((m.start() for m in _MARK.finditer(text, b)), len(text))
    piece = text[left:right]
    stripped = piece.strip(_TRIM) or piece
    start = quote.start + left + piece.index(stripped)
    if not (start <= short.start and short.end <= start + len(stripped)):
        return short
    cause = _CAUSE.search(stripped)
    if cause:  # the reason is what the marker introduces, wherever the reader's span fell
        start, stripped = start + cause.start(), stripped[cause.start():]
    return ShortAnswer(stripped, short.citation, short.source, start, start + len(stripped), short.score)
