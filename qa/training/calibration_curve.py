"""How many labelled questions ``citeqa calibrate`` needs: a measured curve on the tuning sets.

    python -m qa.training.calibration_curve [--reader qa/models/reader] [--draws 200]

For each size n, ``draws`` times: n questions of a tuning set (``seeds.jsonl``: 74 questions about the
seeds; ``docs.jsonl``: 33 about ../shared/docs) are drawn at random, a corpus calibration is fitted on
them (``qa.calibration.fit``), and the set's other questions are judged with it and with the shipped
calibration: ECE over all, answerable and unanswerable declined. The rows of the sets are those of
``qa.training.confidence_features`` (cached). Never a held-out set: they judge the result instead.
"""
from __future__ import annotations

import argparse
import json
import math
import random
import statistics
from pathlib import Path
from typing import Any

from .. import reliability
from ..confidence import corpus as calibration
from ..config import DEFAULT_ANSWERABLE_SHARE
from ..confidence import Calibrator
from ..reader import DEFAULT_READER
from ..confidence.evidence import row_features
from .confidence_features import SETS, _cached

SIZES = (10, 20, 30, 40, 50, 60)


def judged(rows: list[dict[str, Any]], stop: float | None) -> list[dict[str, Any]]:
    out = []
    for row in rows:
        values, text = row_features(row, stop)
        out.append({"features": values, "text": text, "golds": row["golds"],
                    "right": reliability.right(text, row["golds"])})
    return out


def figures(rows: list[dict[str, Any]], confidence, point: float) -> dict[str, float | None]:
    pairs = [(confidence(r["features"]), r["right"]) for r in rows]
    has = [float(p < point) for (p, _), r in zip(pairs, rows) if r["golds"]]
    no = [float(p < point) for (p, _), r in zip(pairs, rows) if not r["golds"]]
    return {"log_loss": statistics.fmean(-math.log(min(1 - 1e-6, max(1e-6, p if y else 1 - p))) for p, y in pairs),
            "ece": reliability.ece(pairs), "answerable_declined": statistics.fmean(has) if has else None,
            "unanswerable_declined": statistics.fmean(no) if no else None}


def curve(rows: list[dict[str, Any]], model: Calibrator, draws: int, seed: int = 7) -> list[dict[str, Any]]:
    """Per size: the mean figures on the questions not drawn, with the shipped calibration and with the
    one fitted on the drawn ones (the same questions judged both ways)."""
    rng = random.Random(seed)
    table = []
    for n in SIZES:
        if n > len(rows) - 10:
            break
        shipped, fitted = [], []
        for _ in range(draws):
            order = rng.sample(range(len(rows)), len(rows))
            fitting, rest = [rows[i] for i in order[:n]], [rows[i] for i in order[n:]]
            made = calibration.fit(fitting, "curve", "draw", model.probability)
            shipped.append(figures(rest, lambda f: model.probability(f, DEFAULT_ANSWERABLE_SHARE), model.min_confidence))
            fitted.append(figures(rest, lambda f: made.adjust(model.probability(f, made.answerable_share)),
                                  made.min_confidence))
        table.append({"n": n, **{f"shipped_{k}": _mean([t[k] for t in shipped]) for k in shipped[0]},
                      **{k: _mean([t[k] for t in fitted]) for k in fitted[0]}})
    return table


def _mean(values):
    kept = [v for v in values if v is not None]
    return round(statistics.fmean(kept), 4) if kept else None


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m qa.training.calibration_curve", description=__doc__.split("\n")[0])
    parser.add_argument("--reader", default=DEFAULT_READER)
    parser.add_argument("--shared", default="../shared")
    parser.add_argument("--cache", default=".bench-cache")
    parser.add_argument("--draws", type=int, default=200)
    args = parser.parse_args(argv)
    reader, cache = Path(args.reader), Path(args.cache)
    settings = json.loads((reader / "reader.json").read_text(encoding="utf-8"))
    model = Calibrator.from_dict(settings["confidence"])
    result = {}
    for questions, corpus in SETS:
        rows = judged(_cached(reader, Path(questions), Path(corpus.format(shared=args.shared)), cache),
                      settings.get("stop_score"))
        result[Path(questions).name] = table = curve(rows, model, args.draws)
        print(f"\n{Path(questions).name} ({len(rows)} questions): the questions not drawn, shipped → fitted on n\n")
        print("| n | log-loss | ECE | answerable declined | unanswerable declined |\n|---|---|---|---|---|")
        for row in table:
            print(f"| {row['n']} | " + " | ".join(f"{_show(row['shipped_' + k])} → {_show(row[k])}" for k in
                                                  ("log_loss", "ece", "answerable_declined", "unanswerable_declined")) + " |")
    (cache / "calibration-curve.json").write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")


def _show(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


if __name__ == "__main__":
    main()
