"""Fitting the confidence to one corpus from the user's own labelled questions (``citeqa calibrate``).

The shipped confidence model (``qa.confidence``) is fitted on SQuAD's Wikipedia articles. A user's
question set (the evaluation format, ``qa.evaluation``) tells three things about their corpus: the
share of their questions it can answer (the prior the model is corrected for), how far the model's
probabilities are off there (a two-number recalibration of its log-odds, Platt 1999, fitted only
when the set is large enough and has right and wrong answers), and the answering point that suits
them. They are kept in ``calibration.json`` beside the corpus' index, stamped with the confidence
model they were fitted over: a file fitted over another model, or broken, is refused with a warning
and the shipped calibration used.
"""
from __future__ import annotations

import datetime
import hashlib
import json
import math
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Sequence

from ..config import DEFAULT_ANSWERABLE_SHARE

FILE = "calibration.json"
FORMAT = "citeqa-calibration/1"
MIN_QUESTIONS = 10
"""Fewer labelled questions than this say too little to fit anything; ``citeqa calibrate`` refuses them."""
MIN_RECALIBRATION = 40
"""Questions needed before the model's log-odds are refitted too (below: only the share and the answering
point); see docs/evaluation.md, "How many questions are enough", for the measured curve."""
PRIOR_QUESTIONS = 20
"""The answerable share is estimated as if the set held this many more questions answerable at the
default share (a Beta prior): ten questions alone move it too far (measured: worse log-loss on the
questions not drawn until 40)."""
MAX_FALSE_DECLINES = 0.10
"""The answering point declines at most this share of the user's answerable questions."""
PULL = 1.0
"""How strongly the refitted log-odds are held to the shipped ones (a Gaussian prior on slope - 1 and
intercept): with 40 questions, one right answer more or less must not swing the model."""


@dataclass(frozen=True)
class CorpusCalibration:
    """What ``citeqa calibrate`` fitted on one corpus: confidence = sigmoid(slope * logit(p) + intercept),
    p the shipped model's probability at ``answerable_share``."""

    model: str
    """The stamp of the shipped confidence model this was fitted over (:func:`stamp`)."""
    questions: int
    answerable: int
    answerable_share: float
    min_confidence: float
    slope: float
    intercept: float
    recalibrated: bool
    """Whether slope and intercept were fitted (else 1 and 0: too few questions or one outcome only)."""
    source: str
    made: str

    def adjust(self, probability: float) -> float:
        if not self.recalibrated:
            return probability
        p = min(max(probability, 1e-6), 1 - 1e-6)
        z = self.slope * math.log(p / (1 - p)) + self.intercept
        return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, z))))

    def to_dict(self) -> dict[str, Any]:
        return {"format": FORMAT, **asdict(self)}

    @classmethod
    def from_dict(cls, data: Any, origin: str = FILE) -> CorpusCalibration:
        """Raises ValueError naming ``origin`` and what is wrong."""
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ValueError(f"{origin}: not a citeqa calibration (format {FORMAT!r} expected)")
        try:
            made = cls(str(data["model"]), int(data["questions"]), int(data["answerable"]),
                       float(data["answerable_share"]), float(data["min_confidence"]), float(data["slope"]),
                       float(data["intercept"]), bool(data["recalibrated"]), str(data["source"]), str(data["made"]))
        except KeyError as missing:
            raise ValueError(f"{origin}: field {missing} is missing") from None
        except (TypeError, ValueError) as error:
            raise ValueError(f"{origin}: a field is not of its type ({error})") from None
        if not 0.0 < made.answerable_share < 1.0 or not 0.0 <= made.min_confidence <= 1.0:
            raise ValueError(f"{origin}: answerable_share must be inside (0, 1) and min_confidence in [0, 1]")
        if not all(map(math.isfinite, (made.slope, made.intercept))):
            raise ValueError(f"{origin}: slope and intercept must be finite numbers")
        return made


def stamp(model: dict[str, Any]) -> str:
    """A short digest of a confidence model's numbers: what a corpus calibration was fitted over."""
    return hashlib.sha256(json.dumps(model, sort_keys=True).encode()).hexdigest()[:16]


def load(folder: Path, model: str) -> tuple[CorpusCalibration | None, str | None]:
    """The calibration kept in ``folder`` if there is one fitted over ``model``; else None, and why
    (None when there is simply no file)."""
    path = Path(folder) / FILE
    if not path.exists():
        return None, None
    try:
        made = CorpusCalibration.from_dict(json.loads(path.read_text(encoding="utf-8")), str(path))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        return None, f"{path}: unreadable ({error}); using the shipped calibration. Fit it again: citeqa calibrate --questions FILE"
    except ValueError as error:
        return None, f"{error}; using the shipped calibration. Fit it again: citeqa calibrate --questions FILE"
    if made.model != model:
        return None, (f"{path} was fitted over another confidence model ({made.model}, this reader's is {model}); "
                      f"using the shipped calibration. Fit it again: citeqa calibrate --questions FILE")
    return made, None


def fit(rows: Sequence[dict[str, Any]], model: str, source: str,
        probability: Any) -> CorpusCalibration:
    """Fit on ``rows`` (per question: ``features``, ``text`` the best span, ``golds``, ``right``);
    ``probability(features, share)`` is the shipped model's."""
    if len(rows) < MIN_QUESTIONS:
        raise ValueError(f"{source}: {len(rows)} labelled questions; calibrating needs at least {MIN_QUESTIONS}")
    answerable = sum(1 for r in rows if r["golds"])
    share = (answerable + PRIOR_QUESTIONS * DEFAULT_ANSWERABLE_SHARE) / (len(rows) + PRIOR_QUESTIONS)
    shipped = [probability(r["features"], share) for r in rows]
    right = [bool(r["right"]) for r in rows]
    recalibrate = len(rows) >= MIN_RECALIBRATION and 0 < sum(right) < len(right)
    slope, intercept = _platt(shipped, right) if recalibrate else (1.0, 0.0)
    made = CorpusCalibration(model, len(rows), answerable, round(share, 4), 0.0, slope, intercept, recalibrate,
                             source, datetime.date.today().isoformat())
    point = choose_point([(made.adjust(p), bool(r["golds"]), bool(r["right"])) for p, r in zip(shipped, rows)])
    return CorpusCalibration(**{**asdict(made), "min_confidence": point})


def choose_point(rows: Sequence[tuple[float, bool, bool]]) -> float:
    """The answering point with the most right decisions — a right answer given, or a question declined
    whose best span is wrong (unanswerable, or answered wrong) — among the points that decline at most
    ``MAX_FALSE_DECLINES`` of the answerable questions; the lowest of equals. ``rows``: (confidence,
    answerable, best span right)."""
    answerable = sum(1 for _, a, _ in rows if a)
    best, point = -1, 0.0
    for candidate in sorted({0.0, *(round(p, 3) for p, _, _ in rows)}):
        if sum(1 for p, a, _ in rows if a and p < candidate) > MAX_FALSE_DECLINES * answerable:
            break
        decided = sum(1 for p, _, right in rows if (p >= candidate) == right)
        if decided > best:
            best, point = decided, candidate
    return point


def _platt(probabilities: Sequence[float], right: Sequence[bool]) -> tuple[float, float]:
    """Slope and intercept on the log-odds maximising the likelihood, held to (1, 0) by ``PULL``."""
    import numpy as np
    from scipy.optimize import minimize

    p = np.clip(np.asarray(probabilities, dtype=float), 1e-6, 1 - 1e-6)
    z, y = np.log(p / (1 - p)), np.asarray(right, dtype=float)

    def loss(theta):
        t = theta[0] * z + theta[1]
        return float(np.sum(np.logaddexp(0, t) - y * t) + PULL * ((theta[0] - 1) ** 2 + theta[1] ** 2))

    slope, intercept = minimize(loss, np.array([1.0, 0.0]), method="L-BFGS-B").x
    return round(float(slope), 4), round(float(intercept), 4)


def write(calibration: CorpusCalibration, folder: Path) -> Path:
    path = Path(folder) / FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(calibration.to_dict(), indent=2) + "\n", encoding="utf-8")
    temporary.replace(path)  # a reader never sees half a file
    return path
