"""The training command on a tiny subset for a few steps (so it cannot rot); the real run is documented."""
import json

from qa.reader import Reader
from qa.training import train_reader
from tests.conftest import ROOT

DATA = ROOT.parent / "shared" / "bench" / "squad"


def test_a_few_steps_train_save_resume_and_calibrate(tmp_path, capsys):
    args = ["--data", str(DATA), "--out", str(tmp_path / "out"), "--work", str(tmp_path / "work"), "--limit", "3",
            "--save-every", "2", "--cache", str(tmp_path / "cache")]
    assert train_reader.main(args + ["--max-steps", "2", "--no-calibrate"]) == 0
    stamp = json.loads((tmp_path / "out" / "training.json").read_text())
    assert stamp["steps"] == 2 and stamp["train_paragraphs"] == 3 and len(stamp["weights_sha256"]) == 64
    assert stamp["hard_negative_questions"] > 0 and 0 < stamp["windows_seen"] <= 2 * 16 and stamp["window"] == "passage"
    assert train_reader.main(args + ["--max-steps", "3"]) == 0
    assert "resuming" in capsys.readouterr().out
    settings = json.loads((tmp_path / "out" / "reader.json").read_text())
    assert isinstance(settings["threshold"], float) and settings["tune"]["threshold"]["questions"] > 0
    assert 0.0 <= settings["confidence"]["min_confidence"] <= 1.0
    assert settings["stop_score_chosen"]["questions"] > 0  # chosen after the confidence, which it depends on
    reader = Reader(tmp_path / "out")
    assert reader.threshold == settings["threshold"]
    passage = "The Volga is the longest river in Europe. It flows into the Caspian Sea."
    [span] = reader.read("Which river is the longest in Europe?", [passage])
    assert passage[span.start:span.end] == span.text and span.text


def test_shipped_reader_loads_offline_and_reads_in_one_batch():
    reader = Reader()
    passages = ["Bilateral trade grew by 31.5% in 2017, the minister said.", "The weather was cold."]
    spans = reader.read("By how much did trade grow in 2017?", passages)
    assert [s.passage for s in spans] == [0, 1]
    assert "31.5" in spans[0].text and spans[0].score > spans[1].score
    assert spans[0].score > reader.threshold > spans[1].score

