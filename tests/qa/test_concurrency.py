"""Many questions at once through one QA: batched, each gets its own answer, re-indexing does not stall them."""
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from qa import QA, WriterRefused
from tests.conftest import load_questions


def _plain(answer) -> dict:
    data = answer.to_dict()
    data.pop("timings_ms")
    return data


def test_a_passage_reads_the_same_alone_and_batched_with_others(qa):
    questions = [case["question"] for case in load_questions()[:12]]
    requests = [(q, [h.passage.text for h in qa.retrieve(q)]) for q in questions]
    alone = [qa.reader.read(q, passages) for q, passages in requests]
    assert qa.reader.read_many(requests) == alone
    assert qa.reader.read_many(requests[3:7]) == alone[3:7]


def test_twenty_threads_get_exactly_the_answers_they_get_one_at_a_time(qa):
    questions = [case["question"] for case in load_questions()][:40]
    expected = {q: _plain(qa.ask(q)) for q in questions}
    batches_before = qa._corpus.models.reader.stats.batches
    with ThreadPoolExecutor(20) as pool:
        answers = list(pool.map(qa.ask, questions))
    assert [a.question for a in answers] == questions
    assert [_plain(a) for a in answers] == [expected[q] for q in questions]
    # Some reader passes served several questions at once (40 questions, fewer passes).
    assert qa._corpus.models.reader.stats.batches - batches_before < len(questions)


def test_questions_are_answered_while_a_large_document_is_being_indexed(corpus):
    qa = QA.from_folder(corpus, progress=False)
    paragraph = "The Arctic council met in Tromsø to discuss shipping lanes, fisheries and research. " * 6
    (corpus / "long_report.txt").write_text("Long report\n\n" + "\n\n".join(
        f"Section {i}. {paragraph}" for i in range(600)), encoding="utf-8")
    syncing = threading.Thread(target=qa.sync, kwargs={"progress": False})
    syncing.start()
    answered_during_sync = 0
    while syncing.is_alive():
        answer = qa.ask("By how much did Russia-China trade grow in 2017?")
        assert "31.5%" in answer.answer
        answered_during_sync += syncing.is_alive()
    syncing.join()
    assert answered_during_sync >= 1
    assert "long_report.txt" in qa.index.documents
    assert "long_report.txt" in {h.passage.source for h in qa.retrieve("Where did the Arctic council meet?")}


def test_only_the_listed_writers_are_offered(qa):
    assert qa.writers == ["extractive", *qa.config.generators]
    with pytest.raises(WriterRefused, match="choose one of: extractive"):
        qa.with_writer("/etc/passwd")
    assert qa.with_writer("extractive").config.writer == "extract"
