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

import functools
import math
import re
from dataclasses import dataclass
from typing import Any, Callable, Sequence

from ..choose import same_answer
from ..reader import Span
from ..retrieval import Hit

FEATURES = ("score", "margin", "agree", "words", "rank", "both_lists", "share", "question_words", "overlap",
            "similarity")
"""Every feature this version can compute; a fitted model names the ones it uses."""
MAX_MARGIN = 10.0
_WORD = re.compile(r"\w+")


def sentence_of(hit: Hit, span: Span) -> str:
    """The passage's sentences that ``span`` touches: the sentence an answer quotes (``cite.quote``)."""
    passage = hit.passage
    a, b = passage.start + span.start, passage.start + span.end
    touched = [s for s in passage.sentences if s.start < b and a < s.end]
    if not touched:
        return span.text
    return passage.text[touched[0].start - passage.start:touched[-1].end - passage.start]


def features(hits: Sequence[Hit], spans: Sequence[Span], question: str = "",
             similarity: Callable[[str], float] | None = None,
             sentence: Callable[[Hit, Span], str] = sentence_of) -> dict[str, float] | None:
    """The features of the best span among ``spans`` (one per read passage, in ``hits``' order); None
    when nothing was read. ``similarity``: the encoder's cosine between the question and a text, only
    given when the model uses it (it costs an encoder pass); ``sentence``: the best span's sentence."""
    if not spans:
        return None
    best = max(spans, key=lambda s: s.score)
    others = [s for s in spans if s is not best]
    rivals = [s.score for s in others if not same_answer(best.text, s.text)]
    hit = hits[best.passage]
    quoted = sentence(hit, best)
    values = {"score": best.score,
              "margin": min(MAX_MARGIN, best.score - max(rivals)) if rivals else MAX_MARGIN,
              "agree": float(sum(same_answer(best.text, s.text) for s in others)),
              "words": math.log1p(len(best.text.split())),
              "rank": float(best.passage),
              "both_lists": float(getattr(hit, "dense_rank", None) is not None
                                  and getattr(hit, "bm25_rank", None) is not None),
              "share": best.share,
              "question_words": math.log1p(len(question.split())),
              "overlap": overlap(question, quoted)}
    if similarity is not None:
        values["similarity"] = similarity(quoted)
    return values


def overlap(question: str, sentence: str) -> float:
    """The share of the question's content words (not English stop words, scikit-learn's list, which
    has the question words) that the sentence holds; 0 for a question of stop words only."""
    asked = {w for w in _WORD.findall(question.lower()) if w not in _stopwords()}
    if not asked:
        return 0.0
    return len(asked & set(_WORD.findall(sentence.lower()))) / len(asked)


@functools.cache
def _stopwords() -> frozenset[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS)


@dataclass(frozen=True)
class Head:
    """One logistic regression over standardised features: sigmoid(intercept + sum(coef * (x - mean) / scale))."""

    coef: tuple[float, ...]
    intercept: float

    def logit(self, x: Sequence[float]) -> float:
        return self.intercept + sum(c * v for c, v in zip(self.coef, x))


@dataclass(frozen=True)
class Calibrator:
    """P(right) = P(answerable) x P(right | answerable), each a logistic regression on the same
    standardised features. Split so, the share of answerable questions can change: P(answerable) is
    moved from the share it was fitted on (``fitted_share``) to the user's by the prior correction of
    Saerens, Latinne & Decaestecker (2002, eq. 2.4: the posterior's odds times the ratio of the new
    prior odds to the old), which holds when a question's features, given whether it is answerable,
    do not depend on how common answerable questions are. An answer to an unanswerable question is
    always wrong, so P(right | answerable) is left as fitted."""

    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    answerable: Head
    right: Head
    fitted_share: float
    """The share of answerable questions among those fitted on (TUNE: about a half)."""
    min_confidence: float
    """The default answering point, chosen on TUNE."""

    def probability(self, values: dict[str, float] | None, share: float | None = None) -> float:
        """P(right) of the best span with these features, when a share ``share`` of the questions asked
        can be answered (None: the share fitted on)."""
        if values is None:
            return 0.0
        x = [(values[name] - m) / s for name, m, s in zip(self.features, self.mean, self.scale)]
        shift = 0.0 if share is None else _log_odds(share) - _log_odds(self.fitted_share)
        return _sigmoid(self.answerable.logit(x) + shift) * _sigmoid(self.right.logit(x))

    def to_dict(self) -> dict[str, Any]:
        return {"features": list(self.features), "mean": list(self.mean), "scale": list(self.scale),
                "answerable": {"coef": list(self.answerable.coef), "intercept": self.answerable.intercept},
                "right": {"coef": list(self.right.coef), "intercept": self.right.intercept},
                "fitted_share": self.fitted_share, "min_confidence": self.min_confidence}

    @classmethod
    def from_dict(cls, data: dict[str, Any], origin: str = "reader.json") -> Calibrator:
        """Raises ValueError naming ``origin`` and the field when ``data`` is not a model this version reads."""
        try:
            names = tuple(data["features"])
            unknown = set(names) - set(FEATURES)
            if unknown:
                raise ValueError(f"confidence uses unknown features {sorted(unknown)}; this citeqa knows {list(FEATURES)}")
            heads = [Head(tuple(map(float, data[h]["coef"])), float(data[h]["intercept"])) for h in ("answerable", "right")]
            model = cls(names, tuple(map(float, data["mean"])), tuple(map(float, data["scale"])), *heads,
                        float(data["fitted_share"]), float(data["min_confidence"]))
        except (KeyError, TypeError, ValueError) as error:
            detail = f"field {error} is missing" if isinstance(error, KeyError) else str(error)
            raise ValueError(f"{origin}: not a confidence model this citeqa reads ({detail})") from None
        if {len(model.mean), len(model.scale), len(model.answerable.coef), len(model.right.coef)} != {len(names)}:
            raise ValueError(f"{origin}: confidence mean, scale and each head's coef must have one number per feature")
        if not 0.0 < model.fitted_share < 1.0 or not 0.0 <= model.min_confidence <= 1.0:
            raise ValueError(f"{origin}: confidence fitted_share must be inside (0, 1) and min_confidence in [0, 1]")
        return model

    @classmethod
    def fit(cls, rows: Sequence[dict[str, float]], answerable: Sequence[bool], right: Sequence[bool],
            min_confidence: float = 0.5, names: tuple[str, ...] = FEATURES,
            weights: Sequence[float] | None = None) -> Calibrator:
        """Maximum-likelihood logistic regressions (scikit-learn, lightly regularised) on standardised
        features: P(answerable) on every row, P(right | answerable) on the answerable ones."""
        import numpy as np

        x = np.array([[r[n] for n in names] for r in rows], dtype=float)
        mean, scale = x.mean(axis=0), x.std(axis=0)
        scale[scale == 0] = 1.0
        z = (x - mean) / scale
        w = np.ones(len(rows)) if weights is None else np.asarray(weights, dtype=float)
        has = np.asarray(answerable, dtype=bool)
        share = float(np.clip(w[has].sum() / w.sum(), 0.01, 0.99))
        return cls(names, tuple(mean.tolist()), tuple(scale.tolist()), _head(z, has, w), 
                   _head(z[has], np.asarray(right, dtype=bool)[has], w[has]), share, min_confidence)


def _head(x, y, weights) -> Head:
    """A logistic regression of ``y`` on ``x``; the smoothed base rate when ``y`` is all one value (a smoke run)."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    if len(set(y.tolist())) < 2:
        rate = (y.sum() + 1) / (len(y) + 2)
        return Head((0.0,) * x.shape[1], float(np.log(rate / (1 - rate))))
    model = LogisticRegression(C=10.0, max_iter=1000).fit(x, y.astype(int), sample_weight=weights)
    return Head(tuple(model.coef_[0].tolist()), float(model.intercept_[0]))


def _log_odds(p: float) -> float:
    return math.log(p / (1.0 - p))


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, z))))
