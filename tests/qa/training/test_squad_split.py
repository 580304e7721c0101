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
    assert len(split["tune"]) == 27 and not set(split["tune"]) & set(split["test"])


@pytest.fixture(scope="module")
def train():
    return squad_split.paragraphs("train", DATA)


def test_training_set_is_the_whole_rebuilt_file_and_shares_nothing_with_dev(train):
    assert len(train) == 18_896 and sum(len(p.questions) for p in train) == 130_112
    dev = {p.context for split in ("tune", "test") for p in squad_split.paragraphs(split, DATA)}
    assert not dev & {p.context for p in train}
    assert not {p.title for p in train} & {p.title for split in ("tune", "test") for p in squad_split.paragraphs(split, DATA)}


def test_every_training_answer_is_placed_where_its_text_stands(train):
    for para in train[:2000]:
        for q in para.questions:
            assert all(para.context[s:s + len(a)] == a for s, a in zip(q.starts, q.answers))


@pytest.mark.parametrize("window", squad_split.WINDOWS)
def test_windows_hold_exact_answers_and_no_answer_cases(train, window):
    paras = train[:40]
    windows = squad_split.windows(paras, seed=1, window=window)
    answers = {a for p in paras for q in p.questions for a in q.answers}
    positives = [w for w in windows if w.start is not None]
    assert positives and len(positives) < len(windows)
    assert all(w.passage[w.start:w.end] in answers for w in positives)
    assert squad_split.windows(paras, seed=1, window=window) == windows, "seeded"


def test_sentence_windows_are_the_answer_sentence_and_its_neighbours(train):
    para = next(p for p in train if len(p.context) > 1500)
    q = next(q for q in para.questions if q.answers and q.answer_start > 600)
    windows = squad_split.windows([type(para)(para.title, para.index, para.context, (q,))], seed=1, negatives=0,
                                  window="sentence")
    assert len(windows) == 1 and windows[0].passage in para.context
    assert len(windows[0].passage) < len(para.context)
    assert windows[0].passage[windows[0].start:windows[0].end] == q.answers[0]


def test_a_retrieved_negative_replaces_the_random_one(train):
    para = train[0]
    q = next(q for q in para.questions if q.answers)
    hard = {q.id: ["A passage the retrieval returned, without the answer."]}
    windows = squad_split.windows([type(para)(para.title, para.index, para.context, (q,))], seed=1, negatives=0,
                                  hard=hard)
    assert [w.passage for w in windows if w.start is None] == hard[q.id]


def test_any_answer_draws_other_annotators_spans_too():
    paras = squad_split.paragraphs("tune", DATA)[:40]
    first = {(q.question, q.answers[0]) for p in paras for q in p.questions if q.answers}
    windows = squad_split.windows(paras, seed=1, any_answer=True)
    positives = [(w.question, w.passage[w.start:w.end]) for w in windows if w.start is not None]
    answers = {q.question: set(q.answers) for p in paras for q in p.questions}
    assert all(text in answers[question] for question, text in positives)
    assert any(pair not in first for pair in positives), "some windows carry an answer other than the first"
    assert squad_split.windows(paras, seed=1) != windows
