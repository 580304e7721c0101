"""The confidence model: its features, its fit on known data, and its round trip through reader.json."""
import math
import random

import pytest

from embeddings import Passage, Span as TextSpan
from qa.confidence import Calibrator, FEATURES, Head, MAX_MARGIN, features, overlap
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


def test_the_new_features_are_scale_free_and_read_the_answer_sentence():
    hits = [Hit(Passage("d.txt", 0, 40, "Rome is old. Paris is the capital of France.",
                        (TextSpan(0, 12), TextSpan(13, 44))), 1.0, dense_rank=0, bm25_rank=0)]
    span = Span(0, 13, 18, "Paris", 2.0, share=0.7)
    f = features(hits, [span], "What is the capital of France?", similarity=lambda text: len(text) / 100)
    assert f["share"] == 0.7 and math.isclose(f["question_words"], math.log1p(6))
    assert f["overlap"] == 1.0, "capital and France are in the sentence; what, is, the, of are stop words"
    assert f["similarity"] == len("Paris is the capital of France.") / 100, "the quoted sentence, not the passage"
    assert "similarity" not in features(hits, [span], "Why?"), "only computed when asked for"
    assert overlap("Who is it?", "anything") == 0.0


def _known_world(seed=1, n=6000):
    """Rows where the score says whether a question is answerable and, if it is, whether the span is right."""
    rng = random.Random(seed)
    rows, answerable, right = [], [], []
    for _ in range(n):
        row = {name: rng.gauss(0, 1) for name in FEATURES}
        has = rng.random() < 1 / (1 + math.exp(-(2 * row["score"])))
        rows.append(row)
        answerable.append(has)
        right.append(has and rng.random() < 1 / (1 + math.exp(-(row["margin"] + 1))))
    return rows, answerable, right


def test_fit_recovers_both_heads_and_survives_a_round_trip():
    rows, answerable, right = _known_world()
    model = Calibrator.fit(rows, answerable, right, min_confidence=0.4)
    probe = {name: 0.0 for name in FEATURES}
    p_ans, p_right = 0.5, 1 / (1 + math.exp(-1))
    assert abs(model.probability(probe) - p_ans * p_right) < 0.05
    assert model.probability({**probe, "score": 2.0, "margin": 2.0}) > 0.8 > 0.1 > model.probability({**probe, "score": -2.0})
    assert abs(model.fitted_share - sum(answerable) / len(answerable)) < 1e-9
    again = Calibrator.from_dict(model.to_dict())
    assert again == model and again.min_confidence == 0.4
    assert model.probability(None) == 0.0


def test_the_share_of_answerable_questions_moves_the_confidence_the_expected_way():
    rows, answerable, right = _known_world()
    model = Calibrator.fit(rows, answerable, right)
    probes = [{**{name: 0.0 for name in FEATURES}, "score": s, "margin": m} for s in (-1.5, 0.0, 1.5) for m in (-1, 1)]
    for probe in probes:
        low, fitted, high = (model.probability(probe, share) for share in (0.2, None, 0.9))
        assert low < fitted < high, "more answerable questions: each answer more likely right"
        assert abs(model.probability(probe, model.fitted_share) - fitted) < 1e-12
        assert high <= model.probability(probe, 0.999999) <= 1 / (1 + math.exp(-(probe["margin"] + 1))) + 0.05, \
            "never above P(right | answerable): a certainly answerable question can still be answered wrong"
    # Saerens' correction is exact for data drawn at another share: refit there and compare.
    keep = random.Random(2)
    shifted = [i for i, a in enumerate(answerable) if a or keep.random() < 0.25]
    share = sum(answerable[i] for i in shifted) / len(shifted)
    there = Calibrator.fit([rows[i] for i in shifted], [answerable[i] for i in shifted], [right[i] for i in shifted])
    for probe in probes:
        assert abs(model.probability(probe, share) - there.probability(probe)) < 0.05


def test_a_model_this_version_cannot_read_is_refused_naming_the_field():
    data = Calibrator(("score",), (0.0,), (1.0,), Head((1.0,), 0.0), Head((1.0,), 0.0), 0.5, 0.5).to_dict()
    with pytest.raises(ValueError, match="unknown features"):
        Calibrator.from_dict({**data, "features": ["mood"]})
    with pytest.raises(ValueError, match="one number per feature"):
        Calibrator.from_dict({**data, "right": {"coef": [1.0, 2.0], "intercept": 0.0}})
    with pytest.raises(ValueError, match="'answerable' is missing"):
        Calibrator.from_dict({k: v for k, v in data.items() if k != "answerable"}, "x/reader.json")
    with pytest.raises(ValueError, match="fitted_share"):
        Calibrator.from_dict({**data, "fitted_share": 1.0})


def test_on_the_shipped_readers_outputs_a_higher_answerable_share_means_a_higher_confidence(qa):
    for question in ("How much did China agree to pay in fines to save ZTE?", "What is the population of Brazil?",
                     "Who is the Russian Industry and Trade Minister?"):
        hits, spans = qa.read(question)
        low, default, high = (qa.configured(answerable_share=share).confidence(hits, spans, question)
                              for share in (0.3, None, 0.95))
        assert 0.0 < low < default < high < 1.0, question
        assert default == qa.confidence(hits, spans, question) == qa.ask(question).confidence
