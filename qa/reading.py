"""Reading in two rounds: the first passage alone, then the others only when its answer is not sure.

Retrieval (with the reader's reranking) puts the answering passage first for most questions, and a
span that scores far above "no answer" there is rarely beaten by a later passage. So the engine
reads the first passage, stops when its best span scores at least ``stop_score``, and otherwise
reads the rest. The stopping score ships with the reader (``reader.json`` ``stop_score``, chosen on
SQuAD TUNE by ``python -m qa.training.early_stop``: the lowest score at which at least 99% of TUNE
questions keep the answer and citations of reading every passage)."""
from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence

from .reader import Span

FIRST = 1
"""Passages of the first round. Measured on 800 TUNE questions at their 99% points: one passage
read 83% of the tokens of reading all five, two passages 81%; on the seeds questions 54% and 61%;
one passage has the shorter wait for the questions that stop."""

Read = Callable[[str, Sequence[str]], list[Span]]


def read_in_rounds(read: Read, question: str, passages: Sequence[str], stop_score: float | None) -> list[Span]:
    """The best span of the passages read, in their order: the first ``FIRST``, and the others unless
    one of those scores at least ``stop_score`` (None: read every passage)."""
    if stop_score is None or len(passages) <= FIRST:
        return read(question, passages)
    spans = read(question, passages[:FIRST])
    if max(s.score for s in spans) >= stop_score:
        return spans
    rest = read(question, passages[FIRST:])
    return spans + [dataclasses.replace(s, passage=s.passage + FIRST) for s in rest]
