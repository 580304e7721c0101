"""The answering point: the score or confidence below which the engine declines, chosen on labelled
questions as the SQuAD 2.0 F1-best point (a right answer scores its F1, declining an unanswerable
question 1) among those declining at most a given share of the answerable questions."""
from __future__ import annotations

import statistics
from typing import Any

from .. import metrics


def choose_threshold(scored, max_false_declines: float, share: float | None = None) -> float:
    """The F1-best threshold (midway between neighbouring scores) that declines at most that share of
    answerable questions; ``share``: F1 as if that share of the questions were answerable (each
    answerable question weighted by ``share`` over their share in ``scored``, the others likewise)."""
    points = sorted({s for s, _, _ in scored if s != float("-inf")})
    candidates = [float("-inf")] + [(a + b) / 2 for a, b in zip(points, points[1:])] + [points[-1] + 1.0 if points else 0.0]
    answerable = [s for s, _, g in scored if g]
    allowed = [t for t in candidates
               if not answerable or sum(s < t for s in answerable) <= max_false_declines * len(answerable)]
    rows = _outcomes(scored, share)
    best = max(allowed, key=lambda t: _f1_at(rows, t))
    return best if best != float("-inf") else (points[0] - 1.0 if points else 0.0)


def _outcomes(scored, share: float | None = None) -> list[tuple[float, float, float, float]]:
    """Each question's score, its SQuAD 2.0 F1 if answered and if declined (computed once, not per
    threshold), and its weight."""
    has = sum(1 for _, _, g in scored if g) / len(scored) if scored else 0.0
    def weight(golds) -> float:
        if share is None or has in (0.0, 1.0):
            return 1.0
        return share / has if golds else (1 - share) / (1 - has)
    return [(s, metrics.squad2(t, g)[1], metrics.squad2(None, g)[1], weight(g)) for s, t, g in scored]


def _f1_at(rows: list[tuple[float, float, float, float]], threshold: float) -> float:
    total = sum(w for *_, w in rows)
    return sum(w * (answered if s >= threshold else declined) for s, answered, declined, w in rows) / total


def figures_at(scored, threshold: float, share: float | None = None) -> dict[str, Any]:
    """SQuAD 2.0 F1 (weighted to ``share``, see :func:`choose_threshold`), HasAns F1 and decline rates
    of (score, text, golds) rows at one threshold."""
    has = [(s, t, g) for s, t, g in scored if g]
    no = [(s, t, g) for s, t, g in scored if not g]
    return {"questions": len(scored), "unanswerable": len(no),
            "f1": round(_f1_at(_outcomes(scored, share), threshold), 4),
            "has_answer_f1": round(_f1_at(_outcomes(has), threshold), 4) if has else None,
            "answerable_declined": round(statistics.fmean(float(s < threshold) for s, _, _ in has), 4) if has else None,
            "unanswerable_declined": round(statistics.fmean(float(s < threshold) for s, _, _ in no), 4) if no else None}
