"""Reliability bins, ECE and the coverage–accuracy curve against values worked out by hand."""
import math

from qa import reliability


def test_right_is_f1_at_least_a_half_and_any_answer_to_an_unanswerable_question_is_wrong():
    assert reliability.right("Denis Manturov", ["Manturov"])  # F1 2/3
    assert not reliability.right("the minister Denis Manturov of Russia", ["Manturov"])  # F1 1/3
    assert not reliability.right("anything", []) and not reliability.right(None, ["x"])


def test_a_perfectly_calibrated_set_has_zero_ece_and_an_overconfident_one_its_gap():
    honest = [(0.8, True)] * 8 + [(0.8, False)] * 2 + [(0.2, True)] * 1 + [(0.2, False)] * 4
    assert reliability.ece(honest) == 0.0
    overconfident = [(0.9, True)] * 5 + [(0.9, False)] * 5
    assert math.isclose(reliability.ece(overconfident), 0.4)
    assert reliability.ece([]) is None


def test_bins_cover_zero_to_one_and_put_1_0_in_the_last():
    table = reliability.bins([(0.0, False), (1.0, True), (0.5, True)], count=15)
    assert len(table) == 15 and table[0]["count"] == 1 and table[-1]["count"] == 1 and table[7]["count"] == 1


def test_coverage_accuracy_moves_with_the_answering_point():
    pairs = [(0.9, True), (0.7, True), (0.6, False), (0.2, False)]
    rows = {r["min_confidence"]: r for r in reliability.coverage_accuracy(pairs, (0.0, 0.5, 0.8, 0.95))}
    assert rows[0.0] == {"min_confidence": 0.0, "coverage": 1.0, "accuracy": 0.5}
    assert rows[0.5]["coverage"] == 0.75 and math.isclose(rows[0.5]["accuracy"], 0.6667)
    assert rows[0.8] == {"min_confidence": 0.8, "coverage": 0.25, "accuracy": 1.0}
    assert rows[0.95]["accuracy"] is None


def test_summary_and_chart(tmp_path):
    pairs = [(i / 20, i % 3 == 0) for i in range(20)]
    report = reliability.summary(pairs, 0.5)
    assert report["answered"] == 10 and report["questions"] == 20
    assert any("min_confidence" in line for line in reliability.markdown(report))
    reliability.chart(report, tmp_path / "c.png", "test")
    assert (tmp_path / "c.png").read_bytes()[:4] == b"\x89PNG"


def test_coverage_at_80_is_the_largest_share_answered_surest_first_with_80_percent_right():
    pairs = [(0.9, True)] * 6 + [(0.8, False)] + [(0.7, True)] * 2 + [(0.6, False)] * 3
    assert reliability.coverage_at(pairs, 0.8) == 9 / 12, "8 of the first 9 right; the 0.6s come in together: 8 of 12"
    assert reliability.coverage_at([(0.5, True), (0.5, False)], 0.8) == 0.0, "ties are answered together"
    assert reliability.coverage_at([(0.2, True)] * 3, 0.8) == 1.0 and reliability.coverage_at([], 0.8) is None
