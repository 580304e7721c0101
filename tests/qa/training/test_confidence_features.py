"""Feature selection for the confidence: a feature that means something else out of domain is dropped."""
import math
import random

from qa.training.confidence_features import evaluate, select

NAMES = ("score", "margin", "flips")


def _rows(n, flip, seed):
    """``score`` predicts answerability and rightness everywhere; ``flips`` helps on TUNE and misleads
    on the other domain (``flip``); ``margin`` is noise."""
    rng = random.Random(seed)
    rows = []
    for _ in range(n):
        score = rng.gauss(0, 1)
        answerable = rng.random() < 1 / (1 + math.exp(-2 * score))
        right = answerable and rng.random() < 0.8
        signal = (1.0 if right else -1.0) * (-1 if flip else 1)
        rows.append({"features": {"score": score, "margin": rng.gauss(0, 1), "flips": signal + rng.gauss(0, 1.5)},
                     "answerable": answerable, "right": right})
    return rows


def test_a_feature_whose_meaning_flips_out_of_domain_is_dropped_and_the_score_kept():
    tune, other = _rows(3000, False, 1), _rows(300, True, 2)
    kept, steps = select(tune, other, NAMES)
    assert "score" in kept and "flips" not in kept
    assert steps and set(steps[0]["without"]) == set(NAMES)
    full = evaluate(NAMES, tune, other)
    assert full["tune"]["auc"] > evaluate(("score",), tune, other)["tune"]["auc"], "on TUNE it did help"
    assert evaluate(kept, tune, other)["tuning_sets"]["log_loss"] < full["tuning_sets"]["log_loss"]
