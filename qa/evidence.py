"""Choosing evidence: candidate sentences from retrieved passages, reranked by how well
each one predicts the question under the language model (query likelihood, as in UPR),
and the shortest clause run of the best sentence that explains the question as well."""
from __future__ import annotations

import re
from dataclasses import dataclass, replace

import numpy as np

from embeddings import Encoder, Span

from .language_model import LanguageModel
from .retrieval import Hit

_QL_PREFIX = "Passage: {}\nA question about this passage:"
# Long sentences are cut for scoring only: the model's cost grows with length.
_SCORED_CHARS = 400
_CLAUSE_BREAK = re.compile(r"(?<=[,;:])\s+|\s+(?=[\u2014\u2013-]\s)")
_TRIM = " \t\n,;:\u2014\u2013-"


@dataclass(frozen=True)
class Evidence:
    source: str
    span: Span
    text: str
    similarity: float
    pmi: float = float("-inf")
    """Log P(question | text) - log P(question), per token: how much the text explains the question."""


def candidates(hits: list[Hit]) -> list[Evidence]:
    """Every sentence of the retrieved passages, once, in retrieval order."""
    seen, found = set(), []
    for hit in hits:
        for span in hit.passage.sentences:
            key = (hit.passage.source, span.start)
            if key not in seen:
                seen.add(key)
                offset = span.start - hit.passage.start
                text = hit.passage.text[offset:offset + span.end - span.start]
                found.append(Evidence(hit.passage.source, span, text, 0.0))
    return found


def _pmi(lm: LanguageModel, question: str, texts: list[str]) -> np.ndarray:
    prefixes = [_QL_PREFIX.format(t[:_SCORED_CHARS]) for t in texts] + [_QL_PREFIX.format("")]
    scores = lm.continuation_logprobs(prefixes, " " + question)
    return scores[:-1] - scores[-1]


def rank(question: str, question_vector: np.ndarray, found: list[Evidence], encoder: Encoder,
         lm: LanguageModel, rerank: int) -> list[Evidence]:
    """Best first: the ``rerank`` most similar sentences by query likelihood, then the rest by similarity."""
    if not found:
        return []
    similarity = encoder.encode([e.text for e in found]) @ question_vector
    found = [replace(e, similarity=float(s)) for e, s in zip(found, similarity)]
    found.sort(key=lambda e: -e.similarity)
    head, tail = found[:rerank], found[rerank:]
    pmi = _pmi(lm, question, [e.text for e in head])
    head = [replace(e, pmi=float(p)) for e, p in zip(head, pmi)]
    head.sort(key=lambda e: -e.pmi)
    return head + tail


def by_evidence(hits: list[Hit], ranked: list[Evidence]) -> list[Hit]:
    """The passages reordered by the best query likelihood among their sentences; passages none
    of whose sentences was scored keep their order, after the scored ones.

    On tuning questions (SQuAD outside the test sample, SciFact train claims) this moved the
    passage holding the answer to rank 1 more often than fusion alone (0.78 to 0.82; 0.714 to
    0.722 nDCG@10), and rank 1 is then the passage the answer quotes."""
    pmi = {(e.source, e.span.start): e.pmi for e in ranked if e.pmi != float("-inf")}

    def best(hit: Hit) -> float:
        return max((pmi.get((hit.passage.source, s.start), float("-inf")) for s in hit.passage.sentences),
                   default=float("-inf"))

    scores = [best(hit) for hit in hits]
    return [hits[i] for i in sorted(range(len(hits)), key=lambda i: (-scores[i], i))]


def _depths(text: str) -> list[int]:
    """Nesting depth in brackets and typographic quotes at each character."""
    depth, depths = 0, []
    for char in text:
        depth = max(0, depth + (char in "([“") - (char in ")]”"))
        depths.append(depth)
    return depths


_NAME = re.compile(r"\b(?:[A-Z][\w'’.-]*[\w]|\d[\d.,]*\d|\d)")


def _undotted(text: str) -> str:
    """Abbreviations without their inner periods: "U.S." and "US" are one name."""
    return re.sub(r"(?<=\w)\.(?=\w)", "", text)


def unmatched_names(question: str, texts: list[str]) -> list[str]:
    """Names and numbers in the question (not its first word) that none of ``texts`` mentions.

    A question about something the retrieved articles never name (a country, a year, a
    pipeline) cannot be answered from them, however similar its other words are."""
    haystack = _undotted(" ".join(texts).lower())
    missing = []
    for match in _NAME.finditer(question):
        if match.start() == 0:
            continue
        name = _undotted(re.sub(r"['’]s$", "", match.group()))
        parts = [name] + name.split("-")
        if not any(re.search(rf"(?<!\w){re.escape(p.lower())}(?!\w)", haystack) for p in parts if p):
            missing.append(match.group())
    return missing


def clause_spans(text: str, span: Span, max_clauses: int = 3) -> list[Span]:
    """Runs of up to ``max_clauses`` consecutive clauses of a sentence, trimmed of punctuation.
    Clauses end at commas, semicolons, colons and dashes outside brackets and quotes."""
    depths = _depths(text)
    cuts = [0] + [m.end() for m in _CLAUSE_BREAK.finditer(text) if depths[m.start()] == 0] + [len(text)]
    runs = set()
    for i in range(len(cuts) - 1):
        for j in range(i + 1, min(i + max_clauses, len(cuts) - 1) + 1):
            piece = text[cuts[i]:cuts[j]]
            stripped = piece.strip(_TRIM)
            if len(stripped.split()) >= 2:
                start = span.start + cuts[i] + piece.index(stripped)
                runs.add(Span(start, start + len(stripped)))
    return sorted(runs, key=lambda s: (s.end - s.start, s.start))


def shortest_sufficient(question: str, best: Evidence, lm: LanguageModel, tolerance: float) -> Evidence:
    """The shortest clause run whose PMI is within ``tolerance`` of the whole sentence's."""
    runs = [r for r in clause_spans(best.text, best.span) if r != best.span]
    if not runs:
        return best
    texts = [best.text[r.start - best.span.start:r.end - best.span.start] for r in runs]
    pmi = _pmi(lm, question, texts)
    for run, text, score in zip(runs, texts, pmi):
        if score >= best.pmi - tolerance:
            return replace(best, span=run, text=text, pmi=float(score))
    return best
