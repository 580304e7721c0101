"""How sure the engine is of its short answer: the probability that it is right.

A logistic regression over features of the reader's best span that keep their meaning from one kind
of text to another: its score over "no answer", how far ahead it is of the best span that says
something else, how many other read passages say the same, how long it is, and where retrieval
ranked its passage. Fitted on TUNE (``citeqa train-reader --calibrate-only``; see
``qa.training.calibrate``), where "right" means SQuAD F1 >= 0.5 against the gold answers and any answer
to an unanswerable question is wrong; shipped as plain numbers in reader.json. The engine answers when
the probability reaches ``Config.min_confidence``.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any, Sequence

from .choose import same_answer
from .reader import Span
from .retrieval import Hit

FEATURES = ("score", "margin", "agree", "words", "rank", "both_lists")
MAX_MARGIN = 10.0


def features(hits: Sequence[Hit], spans: Sequence[Span]) -> dict[str, float] | None:
    """The features of the best span among ``spans`` (one per read passage, in ``hits``' order); None
    when nothing was read."""
    if not spans:
        return None
    best = max(spans, key=lambda s: s.score)
    others = [s for s in spans if s is not best]
    rivals = [s.score for s in others if not same_answer(best.text, s.text)]
    hit = hits[best.passage]
    return {"score": best.score,
            "margin": min(MAX_MARGIN, best.score - max(rivals)) if rivals else MAX_MARGIN,
            "agree": float(sum(same_answer(best.text, s.text) for s in others)),
            "words": math.log1p(len(best.text.split())),
            "rank": float(best.passage),
            "both_lists": float(getattr(hit, "dense_rank", None) is not None and getattr(hit, "bm25_rank", None) is not None)}


@dataclass(frozen=True)
class Calibrator:
    """P(right) = sigmoid(intercept + sum(coef * (feature - mean) / scale))."""

    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float
    min_confidence: float
    """The default answering point, chosen on TUNE."""

    def probability(self, values: dict[str, float] | None) -> float:
        if values is None:
            return 0.0
        z = self.intercept + sum(c * (values[name] - m) / s
                                 for name, m, s, c in zip(self.features, self.mean, self.scale, self.coef))
        return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, z))))

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "features": list(self.features), "mean": list(self.mean), "scale": list(self.scale),
                "coef": list(self.coef)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Calibrator:
        names = tuple(data["features"])
        unknown = set(names) - set(FEATURES)
        if unknown:
            raise ValueError(f"reader.json: confidence uses unknown features {sorted(unknown)}; "
                             f"this citeqa knows {list(FEATURES)}")
        sizes = {len(data[k]) for k in ("mean", "scale", "coef")}
        if sizes != {len(names)}:
            raise ValueError("reader.json: confidence.mean, .scale and .coef must each have one number per feature")
        return cls(names, tuple(map(float, data["mean"])), tuple(map(float, data["scale"])),
                   tuple(map(float, data["coef"])), float(data["intercept"]), float(data["min_confidence"]))

    @classmethod
    def fit(cls, rows: Sequence[dict[str, float]], right: Sequence[bool], min_confidence: float = 0.5,
            names: tuple[str, ...] = FEATURES, weights: Sequence[float] | None = None) -> Calibrator:
        """Maximum-likelihood logistic regression (scikit-learn, lightly regularised) on standardised features."""
        import numpy as np
        from sklearn.linear_model import LogisticRegression

        x = np.array([[r[n] for n in names] for r in rows], dtype=float)
        y = np.asarray(right, dtype=int)
        mean, scale = x.mean(axis=0), x.std(axis=0)
        scale[scale == 0] = 1.0
        if len(set(y.tolist())) < 2:  # all right or all wrong (a smoke run): the smoothed base rate
            rate = (y.sum() + 1) / (len(y) + 2)
            return cls(names, tuple(mean.tolist()), tuple(scale.tolist()), (0.0,) * len(names),
                       float(np.log(rate / (1 - rate))), min_confidence)
        model = LogisticRegression(C=10.0, max_iter=1000).fit((x - mean) / scale, y, sample_weight=weights)
        return cls(names, tuple(mean.tolist()), tuple(scale.tolist()), tuple(model.coef_[0].tolist()),
                   float(model.intercept_[0]), min_confidence)
