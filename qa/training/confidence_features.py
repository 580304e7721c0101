"""Which confidence features carry from Wikipedia to the user's documents: each one's measured effect.

    python -m qa.training.confidence_features [--reader qa/models/reader] [--every 2]

Reads (or takes from ``.bench-cache``) the TUNE rows of ``qa.training.calibrate`` and the rows of
the two declared out-of-domain tuning sets, ``seeds.jsonl`` (news articles) and ``docs.jsonl`` (PDF,
Word, web pages): never a held-out set. For the full candidate set, for each set without one
feature, and for the score alone, it prints the log-loss, ECE and AUC of P(right) on TUNE (five
folds of consecutive articles) and on the tuning sets (model fitted on all TUNE, corrected to their
own answerable share), then drops, one at a time, the feature whose removal lowers most the mean of
the two log-losses (TUNE's and the tuning sets': each domain counts the same, whatever its size),
until no removal lowers it. Writes the table and the kept features to
``.bench-cache/confidence-features.json``.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import math
from pathlib import Path
from typing import Any, Sequence

from ..confidence import FEATURES, Calibrator
from .. import reliability
from ..reader import DEFAULT_READER, WEIGHTS
from . import squad_split
from ..confidence.evidence import row_features
from .calibrate import read_extra, read_tune

FOLDS = 5
SETS = (("qa/eval_sets/seeds.jsonl", "seeds"), ("qa/eval_sets/docs.jsonl", "{shared}/docs"))


def labelled(rows: list[dict[str, Any]], stop_score: float | None) -> list[dict[str, Any]]:
    """Rows with features (something was read), each with its features, answerability and rightness."""
    out = []
    for row in rows:
        values, text = row_features(row, stop_score)
        if values is not None:
            out.append({"features": values, "answerable": bool(row["golds"]),
                        "right": reliability.right(text, row["golds"])})
    return out


def scores(pairs: Sequence[tuple[float, bool]]) -> dict[str, float]:
    from sklearn.metrics import roc_auc_score

    loss = -sum(math.log(max(1e-9, p if y else 1 - p)) for p, y in pairs) / len(pairs)
    outcomes = [y for _, y in pairs]
    auc = roc_auc_score(outcomes, [p for p, _ in pairs]) if 0 < sum(outcomes) < len(outcomes) else float("nan")
    return {"log_loss": round(loss, 4), "ece": reliability.ece(pairs), "auc": round(float(auc), 4)}


def _fit(rows, names) -> Calibrator:
    return Calibrator.fit([r["features"] for r in rows], [r["answerable"] for r in rows], [r["right"] for r in rows],
                          names=names)


def evaluate(names: tuple[str, ...], tune: list[dict[str, Any]], tuning: list[dict[str, Any]]) -> dict[str, Any]:
    size = math.ceil(len(tune) / FOLDS)
    pairs = []
    for fold in range(FOLDS):
        held = tune[fold * size:(fold + 1) * size]
        model = _fit(tune[:fold * size] + tune[(fold + 1) * size:], names)
        pairs += [(model.probability(r["features"]), r["right"]) for r in held]
    model = _fit(tune, names)
    share = sum(r["answerable"] for r in tuning) / len(tuning)
    out = [(model.probability(r["features"], share), r["right"]) for r in tuning]
    return {"features": list(names), "tune": scores(pairs), "tuning_sets": scores(out)}


def select(tune: list[dict[str, Any]], tuning: list[dict[str, Any]], names: tuple[str, ...]) -> tuple[tuple[str, ...], list]:
    """Backward elimination (see the module's docstring); returns the kept names and every step's table."""
    steps, current = [], evaluate(names, tune, tuning)
    while len(names) > 1:
        trials = [evaluate(tuple(n for n in names if n != name), tune, tuning) for name in names]
        steps.append({"from": current, "without": dict(zip(names, trials))})
        allowed = [(t, name) for t, name in zip(trials, names) if _loss(t) < _loss(current)]
        if not allowed:
            break
        current, dropped = min(allowed, key=lambda pair: _loss(pair[0]))
        names = tuple(n for n in names if n != dropped)
    return names, steps


def _loss(row: dict[str, Any]) -> float:
    return (row["tune"]["log_loss"] + row["tuning_sets"]["log_loss"]) / 2


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m qa.training.confidence_features", description=__doc__.split("\n")[0])
    parser.add_argument("--reader", default=DEFAULT_READER)
    parser.add_argument("--data", default=str(squad_split.DEFAULT_DATA), help="the SQuAD folder")
    parser.add_argument("--shared", default="../shared", help="where docs/ lives")
    parser.add_argument("--cache", default=".bench-cache")
    parser.add_argument("--every", type=int, default=2, help="read one in this many TUNE questions (as calibration does)")
    args = parser.parse_args(argv)
    reader, cache, data = Path(args.reader), Path(args.cache), Path(args.data)
    stop = json.loads((reader / "reader.json").read_text(encoding="utf-8")).get("stop_score")
    tune = labelled(read_tune(reader, data, cache, every=args.every), stop)
    tuning = []
    for questions, corpus in SETS:
        tuning += labelled(_cached(reader, Path(questions), Path(corpus.format(shared=args.shared)), cache), stop)
    print(f"TUNE: {len(tune)} questions read; tuning sets: {len(tuning)} "
          f"({sum(r['answerable'] for r in tuning)} answerable)")
    full = evaluate(FEATURES, tune, tuning)
    table = [("all", full), ("score only", evaluate(("score",), tune, tuning))]
    table += [(f"all but {name}", evaluate(tuple(n for n in FEATURES if n != name), tune, tuning)) for name in FEATURES]
    print("| features | TUNE log-loss | TUNE ECE | TUNE AUC | tuning log-loss | tuning ECE | tuning AUC |")
    print("|---|---|---|---|---|---|---|")
    for label, row in table:
        t, o = row["tune"], row["tuning_sets"]
        print(f"| {label} | {t['log_loss']:.4f} | {t['ece']:.3f} | {t['auc']:.3f} | {o['log_loss']:.4f} | "
              f"{o['ece']:.3f} | {o['auc']:.3f} |")
    kept, steps = select(tune, tuning, FEATURES)
    print(f"kept: {', '.join(kept)}")
    (cache / "confidence-features.json").write_text(json.dumps(
        {"kept": kept, "table": dict(table), "steps": steps}, indent=1) + "\n", encoding="utf-8")


def _cached(reader: Path, questions: Path, corpus: Path, cache: Path) -> list[dict[str, Any]]:
    digest = hashlib.sha256((reader / WEIGHTS).read_bytes() + questions.read_bytes()).hexdigest()[:16]
    kept = cache / f"evidence-{questions.stem}-{digest}.json"
    if kept.exists():
        return json.loads(kept.read_text(encoding="utf-8"))
    rows = read_extra(reader, questions, corpus, cache)
    kept.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    return rows


if __name__ == "__main__":
    main()
