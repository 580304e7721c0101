"""A corpus' own calibration (``citeqa calibrate``): fitting, the file, and the engine using it or refusing it."""
import json
import logging
import math
import random
import subprocess
import sys

import pytest

from qa import QA
from qa.confidence import corpus as calibration
from qa.confidence.corpus import CorpusCalibration, FILE
from tests.conftest import QUESTIONS, ROOT


def _rows(n, seed=3):
    """An under-confident model (true P(right) = sqrt(p)) on n questions, a sixth of them unanswerable."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        p = rng.uniform(0.05, 0.95)
        answerable = i % 6 != 0
        right = answerable and rng.random() < math.sqrt(p)
        rows.append({"features": {"p": p}, "text": "x" if right else "y", "golds": ["x"] if answerable else [],
                     "right": right})
    return rows


def _shipped(values, share):
    return values["p"]


def test_enough_questions_refit_the_log_odds_toward_the_truth_and_the_point_declines_few_answerable():
    rows = _rows(400)
    made = calibration.fit(rows, "m", "mine.jsonl", _shipped)
    assert made.recalibrated and 0.2 < made.slope < 1.0, "under-confident: the log-odds are flattened"
    assert made.adjust(0.25) > 0.25 + 0.1
    assert abs(made.answerable_share - 5 / 6) < 0.02
    declined = [r for r in rows if r["golds"] and made.adjust(r["features"]["p"]) < made.min_confidence]
    assert len(declined) <= calibration.MAX_FALSE_DECLINES * sum(1 for r in rows if r["golds"])


def test_few_questions_fit_only_the_share_and_the_point_and_too_few_are_refused():
    made = calibration.fit(_rows(calibration.MIN_RECALIBRATION - 1), "m", "mine.jsonl", _shipped)
    assert not made.recalibrated and made.adjust(0.3) == 0.3
    with pytest.raises(ValueError, match="at least"):
        calibration.fit(_rows(calibration.MIN_QUESTIONS - 1), "m", "mine.jsonl", _shipped)


def test_the_file_round_trips_and_a_broken_or_foreign_one_is_refused_with_the_reason(tmp_path):
    made = calibration.fit(_rows(60), "model-a", "mine.jsonl", _shipped)
    calibration.write(made, tmp_path)
    assert calibration.load(tmp_path, "model-a") == (made, None)
    assert calibration.load(tmp_path / "none", "model-a") == (None, None)
    kept, why = calibration.load(tmp_path, "model-b")
    assert kept is None and "another confidence model" in why and "citeqa calibrate" in why
    data = json.loads((tmp_path / FILE).read_text())
    for broken, reason in ((b"\x00\xff{", "unreadable"), (b"[]", "not a citeqa calibration"),
                           (json.dumps({**data, "slope": "steep"}).encode(), "not of its type"),
                           (json.dumps({k: v for k, v in data.items() if k != "answerable_share"}).encode(), "missing"),
                           (json.dumps({**data, "answerable_share": 1.5}).encode(), "inside (0, 1)")):
        (tmp_path / FILE).write_bytes(broken)
        kept, why = calibration.load(tmp_path, "model-a")
        assert kept is None and reason in why and str(tmp_path / FILE) in why


def test_the_engine_calibrates_on_labelled_questions_keeps_it_beside_the_index_and_uses_it(qa, tmp_path, caplog):
    questions = tmp_path / "mine.jsonl"
    questions.write_text("\n".join(QUESTIONS.read_text(encoding="utf-8").splitlines()[:12]) + "\n", encoding="utf-8")
    view = qa.configured(index_dir=str(tmp_path / "index"))
    shipped_point = view.min_confidence
    made = view.calibrate(questions, progress=False)
    assert (tmp_path / "index" / FILE).exists() and made.questions == 12
    again = QA(view.index, view.reader, view.config)
    assert again.corpus_calibration == made
    assert again.min_confidence == made.min_confidence and again.answerable_share == made.answerable_share
    assert again.configured(answerable_share=0.3).answerable_share == 0.3, "a configured share wins"
    assert again.configured(min_confidence=0.9).min_confidence == 0.9
    hits, spans = again.read("How much did trade between China and Russia grow in 2017?")
    assert again.confidence(hits, spans, "How much did trade between China and Russia grow in 2017?", shipped=True) == \
        qa.confidence(hits, spans, "How much did trade between China and Russia grow in 2017?")
    report = again.evaluate(questions, progress=False)
    assert report["calibration"]["after"]["min_confidence"] == made.min_confidence
    assert report["calibration"]["before"]["min_confidence"] == shipped_point
    (tmp_path / "index" / FILE).write_text("{not json", encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        broken = QA(view.index, view.reader, view.config)
    assert broken.corpus_calibration is None and broken.min_confidence == shipped_point
    assert "unreadable" in caplog.text and "shipped calibration" in caplog.text


def test_the_cli_calibrates_a_corpus_and_refuses_a_broken_question_file(seeds_copy, tmp_path):
    questions = tmp_path / "mine.jsonl"
    questions.write_text("\n".join(QUESTIONS.read_text(encoding="utf-8").splitlines()[:12]) + "\n", encoding="utf-8")
    run = [sys.executable, "-m", "qa.cli", "calibrate", "--corpus", str(seeds_copy), "--index-dir", str(tmp_path / "ix")]
    done = subprocess.run(run + ["--questions", str(questions)], capture_output=True, text=True, cwd=ROOT, timeout=900)
    assert done.returncode == 0, done.stderr
    assert "12 questions" in done.stdout and "answering point" in done.stdout and "as shipped" in done.stdout
    assert json.loads((tmp_path / "ix" / FILE).read_text())["questions"] == 12
    (tmp_path / "bad.jsonl").write_text('{"question": "Where?"}\n{oops\n', encoding="utf-8")
    for bad, reason in ((tmp_path / "bad.jsonl", "bad.jsonl:"), (tmp_path / "none.jsonl", "cannot read")):
        refused = subprocess.run(run + ["--questions", str(bad)], capture_output=True, text=True, cwd=ROOT, timeout=600)
        assert refused.returncode == 2 and reason in refused.stderr and "Traceback" not in refused.stderr
    share = subprocess.run([sys.executable, "-m", "qa.cli", "ask", "Where?", "--corpus", str(seeds_copy),
                            "--answerable-share", "1"], capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert share.returncode == 2 and "answerable_share" in share.stderr
