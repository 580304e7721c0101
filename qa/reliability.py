"""Is the confidence honest? Reliability bins, expected calibration error and the coverage–accuracy
curve of (confidence, right) pairs, one pair a question, and their chart.

"Right" is the definition the confidence is fitted to: the best span's SQuAD F1 against the gold
answers is at least 0.5; any answer to an unanswerable question is wrong.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

from . import metrics

BINS = 15
POINTS = tuple(round(0.05 * i, 2) for i in range(20))


def right(text: str | None, golds: Sequence[str]) -> bool:
    return bool(golds) and text is not None and metrics.f1(text, golds) >= 0.5


def bins(pairs: Sequence[tuple[float, bool]], count: int = BINS) -> list[dict[str, Any]]:
    """Equal-width bins over [0, 1]: how many pairs, their mean confidence, the share right."""
    out = []
    for b in range(count):
        lo, hi = b / count, (b + 1) / count
        inside = [(p, r) for p, r in pairs if lo <= p < hi or (b == count - 1 and p == 1.0)]
        out.append({"low": round(lo, 4), "high": round(hi, 4), "count": len(inside),
                    "confidence": round(sum(p for p, _ in inside) / len(inside), 4) if inside else None,
                    "accuracy": round(sum(r for _, r in inside) / len(inside), 4) if inside else None})
    return out


def ece(pairs: Sequence[tuple[float, bool]], count: int = BINS) -> float | None:
    """Expected calibration error: the count-weighted mean |accuracy - confidence| over the bins."""
    if not pairs:
        return None
    return round(sum(b["count"] * abs(b["accuracy"] - b["confidence"]) for b in bins(pairs, count) if b["count"])
                 / len(pairs), 4)


def coverage_accuracy(pairs: Sequence[tuple[float, bool]], points: Sequence[float] = POINTS) -> list[dict[str, Any]]:
    """For each answering point: the share of questions answered (confidence >= point) and the share of
    those right."""
    rows = []
    for point in points:
        answered = [r for p, r in pairs if p >= point]
        rows.append({"min_confidence": point, "coverage": round(len(answered) / len(pairs), 4) if pairs else None,
                     "accuracy": round(sum(answered) / len(answered), 4) if answered else None})
    return rows


def coverage_at(pairs: Sequence[tuple[float, bool]], accuracy: float = 0.8) -> float | None:
    """The largest share of questions that can be answered, surest first, with at least ``accuracy``
    of the answers right (ties in confidence are answered together)."""
    if not pairs:
        return None
    best, right, ordered = 0, 0, sorted(pairs, key=lambda pair: -pair[0])
    for i, (p, r) in enumerate(ordered, 1):
        right += r
        if (i == len(ordered) or ordered[i][0] != p) and right >= accuracy * i:
            best = i
    return round(best / len(pairs), 4)


def summary(pairs: Sequence[tuple[float, bool]], min_confidence: float) -> dict[str, Any]:
    """Everything the report shows: ECE over all and over the answered questions, the bins, the curve,
    the largest share answerable with 80% right."""
    answered = [(p, r) for p, r in pairs if p >= min_confidence]
    return {"questions": len(pairs), "min_confidence": min_confidence, "answered": len(answered),
            "ece_answered": ece(answered), "ece_all": ece(pairs), "bins": bins(pairs),
            "coverage_accuracy": coverage_accuracy(pairs), "coverage_at_80": coverage_at(pairs, 0.8)}


def markdown(report: dict[str, Any]) -> list[str]:
    lines = [f"Expected calibration error ({BINS} bins): {_number(report['ece_answered'])} on the "
             f"{report['answered']} answered questions (at min_confidence {report['min_confidence']:.2f}), "
             f"{_number(report['ece_all'])} on all {report['questions']}. Largest share answerable with at least "
             f"80% right: {_number(report.get('coverage_at_80'))}.", "",
             "| confidence | questions | mean confidence | right |", "|---|---|---|---|"]
    lines += [f"| {b['low']:.2f}–{b['high']:.2f} | {b['count']} | {_number(b['confidence'])} | {_number(b['accuracy'])} |"
              for b in report["bins"] if b["count"]]
    lines += ["", "| min_confidence | answered | right among answered |", "|---|---|---|"]
    lines += [f"| {row['min_confidence']:.2f} | {_number(row['coverage'])} | {_number(row['accuracy'])} |"
              for row in report["coverage_accuracy"][::2]]
    return lines


def _number(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def chart(report: dict[str, Any], path: Path, title: str) -> None:
    """Reliability diagram (left) and coverage–accuracy curve (right) in one PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right_) = plt.subplots(1, 2, figsize=(9, 4))
    filled = [b for b in report["bins"] if b["count"]]
    left.plot([0, 1], [0, 1], color="#9ca3af", linestyle="--", linewidth=1)
    left.bar([(b["low"] + b["high"]) / 2 for b in filled], [b["accuracy"] for b in filled], width=1 / BINS,
             edgecolor="#1e3a8a", color="#93c5fd")
    left.plot([b["confidence"] for b in filled], [b["accuracy"] for b in filled], "o", color="#1e3a8a", markersize=3)
    left.set(xlim=(0, 1), ylim=(0, 1), xlabel="confidence", ylabel="share right",
             title=f"reliability (ECE answered {_number(report['ece_answered'])})")
    curve = [row for row in report["coverage_accuracy"] if row["accuracy"] is not None]
    right_.plot([row["coverage"] for row in curve], [row["accuracy"] for row in curve], "-o", color="#2563eb", markersize=3)
    at = min(curve, key=lambda row: abs(row["min_confidence"] - report["min_confidence"]), default=None)
    if at:
        right_.plot([at["coverage"]], [at["accuracy"]], "o", color="#dc2626", markersize=7,
                    label=f"min_confidence {report['min_confidence']:.2f}")
        right_.legend(loc="lower left", fontsize=8)
    right_.set(xlim=(0, 1), ylim=(0, 1), xlabel="share answered", ylabel="right among answered",
               title="coverage–accuracy")
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
