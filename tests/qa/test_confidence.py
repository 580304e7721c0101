"""The confidence model: its features, its fit on known data, and its round trip through reader.json."""
import math
import random

import pytest

from embeddings import Passage, Span as TextSpan
from qa.confidence import Calibrator, FEATURES, MAX_MARGIN, features
from qa.reader import Span
from qa.retrieval import Hit


def _hits(n):
    return [Hit(Passage(f"d{i}.txt", 0, 10, "x" * 10, (TextSpan(0, 10),)), 1.0 / (i + 1), dense_rank=i, bm25_rank=None if i else 0)
            for i in range(n)]


def test_features_of_the_best_span():
    spans = [Span(0, 0, 5, "Paris", 1.0), Span(1, 0, 8, "in Paris", 3.0), Span(2, 0, 4, "Rome", 0.5)]
    f = features(_hits(3), spans)
    assert f["score"] == 3.0 and f["margin"] == 2.5, "ahead of Rome, not of 'Paris', which says the same"
    assert f["agree"] == 1.0 and f["rank"] == 1.0 and f["both_lists"] == 0.0
    assert math.isclose(f["words"], math.log1p(2))
    assert features(_hits(1), [Span(0, 0, 5, "Paris", 1.0)])["margin"] == MAX_MARGIN
    assert features([], []) is None


def test_fit_recovers_a_known_logistic_model_and_survives_a_round_trip():
    rng = random.Random(1)
    rows, right = [], []
    for _ in range(4000):
        row = {name: rng.gauss(0, 1) for name in FEATURES}
        p = 1 / (1 + math.exp(-(2 * row["score"] - 1)))
        rows.append(row)
        right.append(rng.random() < p)
    model = Calibrator.fit(rows, right, min_confidence=0.4)
    probe = {name: 0.0 for name in FEATURES}
    assert abs(model.probability({**probe, "score": 0.5}) - 0.5) < 0.05
    assert model.probability({**probe, "score": 2.0}) > 0.9 > 0.1 > model.probability({**probe, "score": -1.5})
    again = Calibrator.from_dict(model.to_dict())
    assert again == model and again.min_confidence == 0.4
    assert model.probability(None) == 0.0


def test_a_model_naming_features_this_version_does_not_know_is_refused():
    data = Calibrator(("score",), (0.0,), (1.0,), (1.0,), 0.0, 0.5).to_dict()
    with pytest.raises(ValueError, match="unknown features"):
        Calibrator.from_dict({**data, "features": ["mood"]})
    with pytest.raises(ValueError, match="one number per feature"):
        Calibrator.from_dict({**data, "coef": [1.0, 2.0]})
