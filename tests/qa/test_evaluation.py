import json

import pytest

from qa.evaluation import DEFAULT_QUESTIONS, EvalQuestion, load_questions
from tests.conftest import SEEDS


def test_every_evidence_string_is_an_exact_substring_of_its_article():
    questions = load_questions(DEFAULT_QUESTIONS)
    for q in questions:
        for evidence in q.evidence:
            assert any(evidence in (SEEDS / s).read_text(encoding="utf-8") for s in q.sources), (q.id, evidence)
    assert len({q.id for q in questions}) == len(questions)


def test_bad_question_file_names_line_and_field(tmp_path):
    path = tmp_path / "q.jsonl"
    path.write_text('{"id": "1", "question": "ok?"}\n{"id": "2", "question": "x", "answers": "no"}\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"q.jsonl:2: field 'answers' must be a list"):
        load_questions(path)


def test_evaluation_writes_report_with_all_sections(qa, tmp_path):
    subset = tmp_path / "subset.jsonl"
    lines = DEFAULT_QUESTIONS.read_text(encoding="utf-8").splitlines()
    subset.write_text("\n".join(lines[:3] + lines[-2:]) + "\n", encoding="utf-8")
    report = qa.evaluate(subset, tmp_path / "out", progress=False)
    for name in ("report.json", "report.md", "report.png"):
        assert (tmp_path / "out" / name).stat().st_size > 0
    summary = json.loads((tmp_path / "out" / "report.json").read_text())["summary"]
    assert summary["questions"] == {"total": 5, "answerable": 3, "unanswerable": 2}
    assert summary["quotes"]["exactness"] == 1.0
    assert set(summary["retrieval"]["evidence_passage"]) == {"recall@1", "recall@5", "recall@10", "mrr", "ndcg@10"}
    assert {"p50", "p95"} <= set(summary["latency_ms"]["total"])
    assert summary["refusals"]["recall"] == 1.0
