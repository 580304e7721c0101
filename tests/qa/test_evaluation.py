import json

import pytest

from qa.evaluation import DEFAULT_QUESTIONS, load_questions
from tests.conftest import SEEDS


@pytest.mark.parametrize("name", ["seeds.jsonl", "seeds_heldout.jsonl", "seeds_heldout2.jsonl"])
def test_every_evidence_string_is_an_exact_substring_of_its_article(name):
    questions = load_questions(DEFAULT_QUESTIONS.parent / name)
    for q in questions:
        assert len(q.evidence) >= len(q.sources), q.id
        for source, evidence in zip(q.sources, q.evidence):
            assert evidence in (SEEDS / source).read_text(encoding="utf-8"), (q.id, evidence)
    assert len({q.id for q in questions}) == len(questions)


def test_question_sets_have_the_required_kinds():
    main = load_questions(DEFAULT_QUESTIONS)
    heldout = load_questions(DEFAULT_QUESTIONS.parent / "seeds_heldout.jsonl")
    kinds = {k: sum(q.kind == k for q in main) for k in ("factoid", "late", "multi", "unanswerable")}
    assert len(main) >= 60 and kinds["unanswerable"] >= 8 and kinds["multi"] >= 3 and kinds["late"] >= 5, kinds
    assert {q.sources[0] for q in main if q.sources} == {p.name for p in SEEDS.glob("*.txt")}
    assert not {q.question for q in main} & {q.question for q in heldout}
    assert {q.kind for q in heldout} == set(kinds)


def test_bad_question_file_names_line_and_field(tmp_path):
    path = tmp_path / "q.jsonl"
    path.write_text('{"id": "1", "question": "ok?"}\n{"id": "2", "question": "x", "answers": "no"}\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"q.jsonl:2: field 'answers' must be a list"):
        load_questions(path)


def test_evaluation_writes_report_with_all_sections(qa, tmp_path):
    subset = tmp_path / "subset.jsonl"
    lines = DEFAULT_QUESTIONS.read_text(encoding="utf-8").splitlines()
    subset.write_text("\n".join(lines[:3] + lines[-2:]) + "\n", encoding="utf-8")
    qa.evaluate(subset, tmp_path / "out", progress=False)
    for name in ("report.json", "report.md", "report.png", "confidence.png"):
        assert (tmp_path / "out" / name).stat().st_size > 0
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    confidence, summary = report["confidence"], report["summary"]
    assert confidence["questions"] == 5 and len(confidence["bins"]) == 15 and confidence["coverage_accuracy"]
    assert confidence["min_confidence"] == qa.min_confidence and 0 <= confidence["ece_all"] <= 1
    assert all(0 <= row["confidence"] <= 1 for row in report["per_question"])
    assert "## Confidence" in (tmp_path / "out" / "report.md").read_text()
    assert summary["questions"] == {"total": 5, "answerable": 3, "unanswerable": 2}
    assert summary["quotes"]["exactness"] == 1.0
    assert set(summary["retrieval"]["evidence_passage"]) == {"recall@1", "recall@5", "recall@10", "mrr", "ndcg@10"}
    assert {"p50", "p95"} <= set(summary["latency_ms"]["total"])
    assert summary["refusals"]["recall"] == 1.0


def test_second_heldout_set_has_the_kinds_the_reader_issue_asks_for():
    questions = load_questions(DEFAULT_QUESTIONS.parent / "seeds_heldout2.jsonl")
    unanswerable = [q for q in questions if not q.answerable]
    assert len(questions) >= 40 and len(unanswerable) >= 8
    assert sum(len(q.sources) >= 2 for q in questions) >= 4
    earlier = {q.question for name in ("seeds.jsonl", "seeds_heldout.jsonl")
               for q in load_questions(DEFAULT_QUESTIONS.parent / name)}
    assert not earlier & {q.question for q in questions}


@pytest.mark.parametrize("name", ["docs.jsonl", "docs_heldout.jsonl"])
def test_document_sets_quote_the_extracted_text_on_their_gold_pages(name):
    from embeddings import read_document
    from tests.conftest import ROOT

    docs = ROOT.parent / "shared" / "docs"
    questions = load_questions(DEFAULT_QUESTIONS.parent / name)
    for q in questions:
        for source in q.sources:
            document = read_document(docs / source, source, max_bytes=8 * 1024 * 1024)
            found = [document.text.find(e) for e in q.evidence if e in document.text]
            assert found, (q.id, source, "no evidence string in the extracted text")
            if source in q.pages:
                assert document.page_of(found[0]) in q.pages[source], (q.id, source, document.page_of(found[0]))
    assert len({q.id for q in questions}) == len(questions)
    assert sum(not q.answers for q in questions) >= 3


def test_failure_kinds_count_each_wrong_outcome_once():
    from qa.evaluation import failure_kinds

    rows = [(["Denis Manturov"], "Denis Manturov", True),        # right: not counted
            (["Denis Manturov"], "Manturov", True),              # partial (F1 0.67)
            (["Denis Manturov"], "Xi Jinping", False),           # wrong span answered
            (["Denis Manturov"], None, True),                    # right span declined
            (["Denis Manturov"], None, False),                   # wrong span declined
            ([], "Kazan", False), ([], None, False)]             # unanswerable answered; declined: right
    assert failure_kinds(rows) == {"wrong_span_answered": 1, "partial_span": 1, "right_span_declined": 1,
                                   "wrong_span_declined": 1, "unanswerable_answered": 1}


def test_the_judged_span_is_the_short_answer_or_for_a_declined_question_the_best_span_read_again():
    from qa.answer import Answer, ShortAnswer
    from qa.evaluation import judged_span
    from qa.reader import Span

    class Reading:
        calls = 0

        def read(self, question):
            self.calls += 1
            return [], [Span(0, 0, 5, "Kazan", -1.2), Span(1, 0, 10, "Xi Jinping", 0.4)]

    qa = Reading()
    answered = Answer("q", "Denis Manturov [1].", True, short_answer=ShortAnswer("Denis Manturov", 1, "a.txt", 3, 17, 2.0))
    assert judged_span(qa, "q", answered) == "Denis Manturov" and qa.calls == 0
    assert judged_span(qa, "q", Answer("q", "not in the articles", False)) == "Xi Jinping" and qa.calls == 1


@pytest.mark.parametrize("tune, held", [("seeds_multihop.jsonl", "seeds_multihop_heldout.jsonl"),
                                        ("seeds_multihop_b.jsonl", "seeds_multihop_b_heldout.jsonl")])
def test_the_sets_of_questions_in_steps_quote_their_articles_and_keep_held_out_apart(tune, held):
    sets = [load_questions(DEFAULT_QUESTIONS.parent / name) for name in (tune, held)]
    for questions in sets:
        assert {q.kind for q in questions} == {"comparison", "yes/no", "bridge", "reason", "unanswerable"}
        for q in questions:
            texts = [(SEEDS / source).read_text(encoding="utf-8") for source in q.sources]
            assert all(any(e in text for text in texts) for e in q.evidence), q.id
            assert q.answerable == bool(q.sources), q.id
    assert not {q.question for q in sets[0]} & {q.question for q in sets[1]}


def test_by_kind_counts_right_declined_and_citations_per_kind():
    from qa import Answer
    from qa.answer import ShortAnswer, Source
    from qa.evaluation import EvalQuestion, Outcome, by_kind

    def outcome(kind, answers, short=None, sources=()):
        answer = Answer("q", short or "The articles do not say.", short is not None,
                        sources=tuple(Source(n, s) for n, s in enumerate(sources, start=1)),
                        short_answer=ShortAnswer(short, 1, "a.txt", 0, len(short)) if short else None)
        return Outcome(EvalQuestion("x", "q", tuple(answers), ("a.txt", "b.txt") if answers else (), kind=kind),
                       answer, [], [])

    kinds = by_kind([outcome("comparison", ["Moreau"], "Alice Moreau", ("a.txt", "b.txt")),
                     outcome("comparison", ["Moreau"], "Keller", ("a.txt",)),
                     outcome("comparison", ["Moreau"]),
                     outcome("unanswerable", []), outcome("unanswerable", [], "1805", ("a.txt",))])
    assert kinds["comparison"] == {"questions": 3, "right": 0.3333, "declined": 0.3333, "all_sources_cited": 0.3333}  # rounded as reported
    assert kinds["unanswerable"] == {"questions": 2, "right": 0.5, "declined": 0.5, "all_sources_cited": None}
