"""Hybrid retrieval: dense (FAISS) and BM25 ranked lists fused by reciprocal rank."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from embeddings import Index, Passage

MODES = ("hybrid", "dense", "bm25")


@dataclass(frozen=True)
class Hit:
    row: int
    passage: Passage
    score: float
    dense_rank: int | None = None
    bm25_rank: int | None = None


def reciprocal_rank_fusion(rankings: list[np.ndarray], k: int = 60,
                           weights: list[float] | None = None) -> list[tuple[int, float]]:
    """Rows sorted by the (weighted) sum of 1/(k + rank) over the rankings that contain them."""
    fused: dict[int, float] = {}
    for ranking, weight in zip(rankings, weights or [1.0] * len(rankings)):
        for rank, row in enumerate(ranking.tolist(), start=1):
            fused[row] = fused.get(row, 0.0) + weight / (k + rank)
    return sorted(fused.items(), key=lambda item: (-item[1], item[0]))


def retrieve(index: Index, question: str, question_vector: np.ndarray, k: int, mode: str = "hybrid",
             depth: int = 50, rrf_k: int = 60, bm25_weight: float = 1.0) -> list[Hit]:
    if mode not in MODES:
        raise ValueError(f"retrieval mode must be one of {MODES}, not {mode!r}")
    dense_rows = index.search_dense(question_vector, max(depth, k))[0] if mode != "bm25" else np.zeros(0, np.int64)
    bm25_rows = index.search_sparse(question, max(depth, k))[0] if mode != "dense" else np.zeros(0, np.int64)
    dense_rank = {row: r for r, row in enumerate(dense_rows.tolist(), start=1)}
    bm25_rank = {row: r for r, row in enumerate(bm25_rows.tolist(), start=1)}
    legs = [(r, w) for r, w in ((dense_rows, 1.0), (bm25_rows, bm25_weight)) if len(r)]
    fused = reciprocal_rank_fusion([r for r, _ in legs], rrf_k, [w for _, w in legs])
    return [Hit(row, index.passages[row], score, dense_rank.get(row), bm25_rank.get(row)) for row, score in fused[:k]]
