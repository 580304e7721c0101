"""Reading in two rounds: the first passage alone, the rest only when its answer is not sure."""
import math

import pytest

from qa import Config
from qa.reader import Span
from qa.reading import read_in_rounds
from tests.conftest import load_questions


class _Reader:
    """Scores each passage by the number in its text; records the calls."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def __call__(self, question, passages):
        self.calls.append(list(passages))
        return [Span(i, 0, len(p), p, float(p)) for i, p in enumerate(passages)]


def test_a_sure_first_passage_ends_the_reading():
    read = _Reader()
    spans = read_in_rounds(read, "q", ["5", "1", "9"], stop_score=4.0)
    assert read.calls == [["5"]] and [s.text for s in spans] == ["5"]


def test_an_unsure_first_passage_reads_the_rest_numbered_in_the_passages_order():
    read = _Reader()
    spans = read_in_rounds(read, "q", ["3", "1", "9"], stop_score=4.0)
    assert read.calls == [["3"], ["1", "9"]]
    assert [(s.passage, s.text) for s in spans] == [(0, "3"), (1, "1"), (2, "9")]


@pytest.mark.parametrize("passages", [["5", "1"], ["5"], []])
def test_without_a_stopping_score_every_passage_is_read_at_once(passages):
    read = _Reader()
    assert [s.text for s in read_in_rounds(read, "q", passages, stop_score=None)] == passages
    assert read.calls == [passages]


def test_a_nan_stopping_score_is_refused():
    with pytest.raises(ValueError, match="stop_score"):
        Config(stop_score=math.nan)


def _said(answer) -> tuple:
    """What the user reads; not the scores (passages overlap: the span stated again in a later passage
    can score higher there)."""
    short = answer.short_answer
    return (answer.answerable, short and (short.text, short.source, short.start, short.end),
            [(q.source, q.start, q.end) for q in answer.quotes])


def test_the_engine_stops_early_on_sure_questions_and_answers_as_when_reading_everything(qa):
    assert qa.stop_score == qa.reader.settings["stop_score"]
    everything = qa.configured(stop_score=math.inf)
    assert everything.stop_score is None
    read = []
    for case in load_questions()[:20]:
        early, full = qa.ask(case["question"]), everything.ask(case["question"])
        assert full.passages_read == len(full.passages) == qa.config.k
        assert _said(early) == _said(full)
        read.append(early.passages_read)
    assert 1 in read and qa.config.k in read, read


def test_a_reader_json_with_a_broken_stopping_score_is_refused_when_the_engine_is_made(qa, tmp_path):
    import shutil

    from qa import QA
    from qa.reader import DEFAULT_READER, Reader

    folder = tmp_path / "reader"
    shutil.copytree(DEFAULT_READER, folder)
    settings = (folder / "reader.json").read_text().replace('"stop_score": 4.0', '"stop_score": "soon"')
    (folder / "reader.json").write_text(settings)
    with pytest.raises(ValueError, match="reader.json: stop_score must be a number or null, not 'soon'"):
        QA(qa.index, Reader(folder), qa.config.with_(reader=str(folder)))


def test_the_cli_reads_every_passage_when_told(seeds_copy, capsys):
    import json

    from qa.cli import main

    assert main(["ask", "By how much did trade grow in 2017?", "--corpus", str(seeds_copy), "--json",
                 "--stop-score", "inf"]) == 0
    assert json.loads(capsys.readouterr().out)["passages_read"] == 5
