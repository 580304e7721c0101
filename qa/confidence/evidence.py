"""What the confidence of one question is computed from, kept as plain data: fitting the model
(``qa.training.calibrate``), choosing the features and the stopping score, and fitting a corpus'
own calibration (``QA.calibrate``) read every question once and recompute the features from these
rows for any stopping score or choice of features."""
from __future__ import annotations

import dataclasses
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from tqdm.auto import tqdm

from ..reader import Span
from ..reading import FIRST
from .model import features, sentence_of

if TYPE_CHECKING:
    from ..engine import QA


def read_rows(engine: QA, questions: list[tuple[str, list[str]]], desc: str,
              progress: bool = True) -> list[dict[str, Any]]:
    """Each question through the engine's retrieval and reader, every passage read, no decision: what
    the confidence features are computed from (:func:`row_features`) for any stopping score and any
    choice of features — the spans, the passages' retrieval lists, each span's sentence and the
    encoder's cosine between it and the question — and the gold answers."""
    engine = engine.configured(stop_score=float("inf"))
    rows = []
    for text, golds in tqdm(questions, desc=desc, unit="question", mininterval=5, disable=not progress):
        hits, spans = engine.read(text)
        sentences = [sentence_of(hits[s.passage], s) for s in spans]
        vectors = engine.index.encoder.encode([text] + sentences)
        rows.append({"question": text, "golds": golds,
                     "hits": [{"source": h.passage.source, "dense_rank": h.dense_rank, "bm25_rank": h.bm25_rank}
                              for h in hits],
                     "spans": [dataclasses.asdict(s) for s in spans], "sentences": sentences,
                     "similarities": [round(float(v), 5) for v in vectors[1:] @ vectors[0]]})
    return rows


def row_features(row: dict[str, Any], stop_score: float | None = None,
                 read: int | None = None) -> tuple[dict[str, float] | None, str | None]:
    """The confidence features and the best span's text of a :func:`read_rows` row, as the engine sees
    them when it stops reading at ``stop_score`` (``qa.reading``), or after ``read`` passages."""
    spans = [Span(**s) for s in row["spans"]]
    if read is not None:
        spans = spans[:read]
    elif spans and stop_score is not None and spans[0].score >= stop_score:
        spans = spans[:FIRST]
    if not spans:
        return None, None
    hits = [SimpleNamespace(**h) for h in row["hits"]]
    cosine = dict(zip(row["sentences"], row["similarities"]))
    values = features(hits, spans, row["question"], cosine.__getitem__,
                      lambda hit, span: row["sentences"][span.passage])
    return values, max(spans, key=lambda s: s.score).text
