"""Scoring functions: SQuAD answer normalisation, EM/F1, and ranking metrics."""
from __future__ import annotations

import math
import re
import string
import unicodedata
from collections import Counter
from collections.abc import Sequence

_ARTICLES = re.compile(r"\b(a|an|the)\b")
_PUNCTUATION = set(string.punctuation)


def normalize_answer(text: str) -> str:
    """SQuAD v1.1's official normalisation: lowercase, no punctuation, no articles, single spaces."""
    text = "".join(c for c in text.lower() if c not in _PUNCTUATION)
    return " ".join(_ARTICLES.sub(" ", text).split())


def exact_match(prediction: str, golds: Sequence[str]) -> float:
    return float(any(normalize_answer(prediction) == normalize_answer(g) for g in golds)) if golds else 0.0


def f1(prediction: str, golds: Sequence[str]) -> float:
    def one(gold: str) -> float:
        predicted, truth = normalize_answer(prediction).split(), normalize_answer(gold).split()
        common = sum((Counter(predicted) & Counter(truth)).values())
        if common == 0:
            return 0.0
        precision, recall = common / len(predicted), common / len(truth)
        return 2 * precision * recall / (precision + recall)

    return max((one(g) for g in golds), default=0.0)


def squad2(prediction: str | None, golds: Sequence[str]) -> tuple[float, float]:
    """SQuAD 2.0's EM and F1 for one question: with no gold answer, only "no answer" (None) scores 1."""
    if not golds:
        return (float(prediction is None),) * 2
    if prediction is None:
        return 0.0, 0.0
    return exact_match(prediction, golds), f1(prediction, golds)


def _loose(text: str) -> str:
    """SQuAD normalisation that also drops typographic quotes and dashes (any Unicode punctuation)."""
    return normalize_answer("".join(" " if unicodedata.category(c).startswith("P") else c for c in text))


def contains_alias(prediction: str, golds: Sequence[str]) -> bool:
    answer = f" {_loose(prediction)} "
    return any(f" {_loose(g)} " in answer for g in golds if _loose(g))


def first_relevant_rank(relevant: Sequence[bool]) -> int | None:
    """1-based rank of the first relevant item, or None."""
    return next((i + 1 for i, r in enumerate(relevant) if r), None)


def recall_at(relevant: Sequence[bool], k: int) -> float:
    return float(any(relevant[:k]))


def reciprocal_rank(relevant: Sequence[bool]) -> float:
    rank = first_relevant_rank(relevant)
    return 1.0 / rank if rank else 0.0


def ndcg_at(relevant: Sequence[bool], k: int, total_relevant: int) -> float:
    """Binary-relevance nDCG@k, as trec_eval's ndcg_cut computes it."""
    dcg = sum(1.0 / math.log2(i + 2) for i, r in enumerate(relevant[:k]) if r)
    ideal = sum(1.0 / math.log2(i + 2) for i in range(min(k, total_relevant)))
    return dcg / ideal if ideal else 0.0


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q / 100 * len(ordered)) - 1))]
