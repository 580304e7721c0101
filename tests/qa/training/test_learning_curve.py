"""The learning-curve command on a tiny subset (so it cannot rot), and its fit against a known line."""
import json
import math

from qa.training import learning_curve
from tests.conftest import ROOT

DATA = ROOT.parent / "shared" / "bench" / "squad"


def _point(answerable: int, f1: float) -> dict:
    return {"train_answerable": answerable, "oracle": {"f1": f1}}


def test_the_fit_recovers_a_line_in_log2_of_the_data_and_says_where_it_reaches_070():
    points = [_point(1000, 0.40), _point(2000, 0.45), _point(4000, 0.50)]
    fit = learning_curve.fit(points, ("oracle", "f1"))
    assert math.isclose(fit["per_doubling"], 0.05, abs_tol=1e-6) and math.isclose(fit["at_full"], 0.50, abs_tol=1e-6)
    assert fit["windows_for_0.70"] == 4000 * 2 ** 4


def test_a_curve_that_does_not_rise_never_reaches_070_and_one_point_is_no_curve():
    assert learning_curve.fit([_point(1000, 0.5), _point(2000, 0.5)], ("oracle", "f1"))["windows_for_0.70"] is None
    assert learning_curve.fit([_point(1000, 0.5)], ("oracle", "f1")) is None


def test_two_tiny_points_train_read_tune_and_write_the_table(tmp_path):
    out = tmp_path / "out"
    assert learning_curve.main(["--data", str(DATA), "--limits", "2", "3", "--tune-limit", "1", "--full", "",
                                "--work", str(tmp_path / "work"), "--out", str(out),
                                "--", "--max-steps", "1", "--hard-negatives", "0", "--window", "sentence"]) == 0
    report = json.loads((out / "learning_curve.json").read_text())
    assert [p["train_paragraphs"] for p in report["points"]] == [2, 3]
    assert [p["steps"] for p in report["points"]] == [1, 1]
    for p in report["points"]:
        assert 0.0 <= p["forced_has_answer_f1"] <= 1.0 and p["oracle"]["f1"] >= p["capped_15"]["f1"]
        assert p["oracle"]["f1"] >= p["always_decline_f1"]
    assert "F1 gained per doubling" in (out / "learning_curve.md").read_text()
