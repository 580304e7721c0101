"""The second hop: when the first read is not sure, retrieve again with the question and what the
first read found, and read the new passages (multi-hop dense retrieval, Xiong et al. 2021; GoldEn
Retriever, Qi et al. 2019). Which text of the first hop joins the question (``Config.hop_with``)
was measured on the tuning sets (docs/how-it-answers.md)."""
from __future__ import annotations

from ..reader import Span
from ..retrieval import Hit


def query(question: str, hit: Hit, span: Span, with_: str = "sentence", title: str | None = None) -> str:
    """The second hop's retrieval text: the question and the first hop's sentence around its best span,
    the span alone, or the title of the document it is in."""
    if with_ == "span":
        found = span.text
    elif with_ == "title":
        found = title or ""
    else:
        passage = hit.passage
        a, b = passage.start + span.start, passage.start + span.end
        around = [s for s in passage.sentences if s.start < b and a < s.end]
        found = passage.text[around[0].start - passage.start:around[-1].end - passage.start] if around else span.text
    return f"{question} {' '.join(found.split())}".strip()
