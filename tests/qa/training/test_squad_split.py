"""The fixed by-article split of ../shared/bench/squad, and the reader windows cut from it."""
import pytest

from qa.training import squad_split
from tests.conftest import ROOT

DATA = ROOT.parent / "shared" / "bench" / "squad"


@pytest.fixture(scope="module")
def split():
    return squad_split.article_split(DATA)


def test_split_is_by_article_fixed_and_disjoint(split):
    v2_test = ["Civil_disobedience", "Economic_inequality", "Fresno,_California", "Immune_system",
               "Jacksonville,_Florida", "Pharmacy", "Scottish_Parliament", "University_of_Chicago"]
    assert set(v2_test) <= set(split["test"]) and len(split["test"]) == 8 + 13
    assert len(split["train"]) == 24 and len(split["tune"]) == 3
    parts = [set(split[name]) for name in ("train", "tune", "test")]
    assert not (parts[0] & parts[1] or parts[0] & parts[2] or parts[1] & parts[2])


def test_no_test_paragraph_reaches_the_training_windows(split):
    test_contexts = {p.context for p in squad_split.paragraphs("test", DATA)}
    train = squad_split.paragraphs("train", DATA)
    assert not test_contexts & {p.context for p in train}
    windows = squad_split.windows(train[:40], seed=1)
    assert not any(w.passage in c for w in windows for c in test_contexts)


def test_windows_hold_exact_answers_and_no_answer_cases():
    paras = squad_split.paragraphs("train", DATA)[:40]
    windows = squad_split.windows(paras, seed=1)
    answers = {a for p in paras for q in p.questions for a in q.answers}
    positives = [w for w in windows if w.start is not None]
    assert positives and len(positives) < len(windows)
    assert all(w.passage[w.start:w.end] in answers for w in positives)
    assert squad_split.windows(paras, seed=1) == windows, "seeded"


def test_any_answer_draws_other_annotators_spans_too():
    paras = squad_split.paragraphs("train", DATA)[:40]
    first = {(q.question, q.answers[0]) for p in paras for q in p.questions if q.answers}
    windows = squad_split.windows(paras, seed=1, any_answer=True)
    positives = [(w.question, w.passage[w.start:w.end]) for w in windows if w.start is not None]
    answers = {q.question: set(q.answers) for p in paras for q in p.questions}
    assert all(text in answers[question] for question, text in positives)
    assert any(pair not in first for pair in positives), "some windows carry an answer other than the first"
    assert squad_split.windows(paras, seed=1) != windows
