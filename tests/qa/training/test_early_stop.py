"""Choosing the stopping score on TUNE: the rule on rows whose answer is known, and the command on a tiny subset."""
import json
import shutil

from qa.reader import DEFAULT_READER, Span
from qa.training import early_stop
from tests.conftest import ROOT

DATA = ROOT.parent / "shared" / "bench" / "squad"


def _row(*spans: tuple[str, float]) -> dict:
    """A ``calibrate.read_rows`` row: each passage's best span is its whole one-sentence text."""
    hits = [{"source": f"doc{i}.txt", "dense_rank": i, "bm25_rank": i} for i in range(len(spans))]
    return {"question": "Which city?", "golds": [], "hits": hits,
            "spans": [Span(i, 0, len(t), t, s).__dict__ for i, (t, s) in enumerate(spans)],
            "sentences": [t for t, _ in spans], "similarities": [0.5] * len(spans)}


def test_the_lowest_score_that_keeps_the_answers_is_chosen(qa):
    # The first passage's "Oslo" (score 5) loses to the second's "Bergen" (7) when everything is read.
    beaten = _row(("Oslo", 5.0), ("Bergen", 7.0))
    sure = _row(("Tromsø", 8.0), ("nothing", -3.0))
    chosen, table = early_stop.choose_stop_score(qa, [beaten, sure], keep=0.99)
    assert chosen == 5.5
    by_score = {r["stop_score"]: r for r in table}
    assert by_score[5.0]["same_answers"] == 0.5 and by_score[5.0]["stopped"] == 1.0
    assert by_score[5.5]["stopped"] == 0.5 and by_score[5.5]["passages_read"] == 0.75
    assert early_stop.choose_stop_score(qa, [beaten, sure], keep=0.5)[0] == early_stop.CANDIDATES[0]


def test_the_command_on_a_few_tune_paragraphs_writes_the_score_and_keeps_the_rest(tmp_path, capsys):
    reader = tmp_path / "reader"
    shutil.copytree(DEFAULT_READER, reader)
    before = json.loads((reader / "reader.json").read_text())
    args = ["--reader", str(reader), "--data", str(DATA), "--cache", str(tmp_path / "cache"), "--limit", "12",
            "--sample", "8"]
    assert early_stop.main(args) == 0
    assert "chosen:" in capsys.readouterr().out
    after = json.loads((reader / "reader.json").read_text())
    assert after["stop_score"] in early_stop.CANDIDATES or after["stop_score"] is None
    assert after["stop_score_chosen"]["questions"] == 8
    assert {k: v for k, v in after.items() if not k.startswith("stop_score")} == \
        {k: v for k, v in before.items() if not k.startswith("stop_score")}
