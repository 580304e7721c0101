"""How the reader's TUNE figures grow with the amount of TRAIN data: what more data would buy.

    python -m qa.training.learning_curve --limits 1181 4724 -- --window sentence

For each N it trains a reader on the first N TRAIN paragraphs (whole articles in file order; 1,181 and
4,724 are 1/16 and 1/4 of the 18,896) with ``citeqa train-reader``'s recipe (the options after ``--``;
resumable, in ``--work/N``), adds the shipped reader (the long run on all of TRAIN) as the last point,
and reads TUNE questions with their own paragraph (every ``--tune-every``-th TUNE paragraph). Figures per point: HasAns F1 when always answering, and SQuAD 2.0 F1 at the threshold
that is best *on TUNE itself* (an oracle, so an upper bound of what a calibrated threshold gets) and
at the shipped rule (best F1 declining at most 15% of the answerable). A least-squares line of F1
against log2(answerable TRAIN questions) says what one more doubling of the data adds. TEST is not read.
"""
from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any

import numpy as np
from tqdm.auto import tqdm

from embeddings import Document, split_document

from ..reader import DEFAULT_READER, Reader
from . import squad_split, train_reader
from ..confidence.point import choose_threshold, figures_at


def tune_scores(reader: Reader, data: Path, limit: int = 0, every: int = 1) -> list[tuple[float, str | None, list[str]]]:
    """(best span score, its text, gold answers) for the questions of every ``every``-th TUNE paragraph
    (the first ``limit`` of those), each read with its own paragraph's passages."""
    paras = squad_split.paragraphs("tune", data)[::every]
    paras = paras[:limit] if limit else paras
    scored = []
    for para in tqdm(paras, desc="reading TUNE", unit="paragraph", mininterval=5):
        passages = [p.text for p in split_document(Document(f"{para.title}_{para.index}", para.context, ""))]
        if not passages:
            continue
        for q, spans in zip(para.questions, reader.read_many([(q.question, passages) for q in para.questions])):
            best = max(spans, key=lambda s: s.score)
            scored.append((best.score, best.text, list(q.answers)))
    return scored


def point(reader: Reader, data: Path, paragraphs: list[squad_split.Paragraph], limit: int = 0,
          every: int = 1) -> dict[str, Any]:
    scored = tune_scores(reader, data, limit, every)
    answerable = sum(1 for p in paragraphs for q in p.questions if q.answers)
    return {"train_paragraphs": len(paragraphs), "train_articles": len({p.title for p in paragraphs}),
            "train_answerable": answerable, "train_unanswerable": sum(len(p.questions) for p in paragraphs) - answerable,
            "always_decline_f1": figures_at(scored, float("inf"))["f1"],
            "forced_has_answer_f1": figures_at(scored, float("-inf"))["has_answer_f1"],
            "oracle": figures_at(scored, choose_threshold(scored, 1.0)),
            "capped_15": figures_at(scored, choose_threshold(scored, 0.15))}


def fit(points: list[dict[str, Any]], key: tuple[str, ...]) -> dict[str, float] | None:
    """F1 = a + b * log2(training windows seen), by least squares (answerable TRAIN questions when a point
    does not say what it saw); where it would reach 0.70 (None: a line that does not rise, or only
    past 2**64 windows)."""
    if len(points) < 2:
        return None
    x = np.log2([p.get("windows_seen") or p["train_answerable"] for p in points])
    y = np.array([_get(p, key) for p in points])
    b, a = np.polyfit(x, y, 1)
    doublings = (0.70 - a) / b if b > 0 else math.inf
    return {"per_doubling": round(float(b), 4), "at_full": round(float(a + b * x[-1]), 4),
            "windows_for_0.70": round(2 ** doublings) if doublings < 64 else None}


def _get(row: dict[str, Any], key: tuple[str, ...]) -> float:
    for part in key:
        row = row[part]
    return float(row)


def markdown(points: list[dict[str, Any]], fits: dict[str, Any]) -> str:
    lines = ["| TRAIN paragraphs | articles | answerable | unanswerable | windows seen | minutes | F1, always declining "
             "| forced HasAns F1 | F1, oracle threshold | F1, ≤15% declined |", "|---|---|---|---|---|---|---|---|---|---|"]
    lines += [f"| {p['train_paragraphs']:,} | {p['train_articles']} | {p['train_answerable']:,} | {p['train_unanswerable']:,} "
              f"| {p.get('windows_seen') or '?'} | {p.get('training_minutes') or '?'} "
              f"| {p['always_decline_f1']:.3f} | {p['forced_has_answer_f1']:.3f} | {p['oracle']['f1']:.3f} | {p['capped_15']['f1']:.3f} |" for p in points]
    lines += ["", "| figure | F1 gained per doubling of the windows | windows needed for 0.70 |", "|---|---|---|"]
    lines += [f"| {name} | {f['per_doubling']:+.3f} | {f['windows_for_0.70'] or 'never'} |" for name, f in fits.items() if f]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m qa.training.learning_curve", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--limits", type=int, nargs="*", default=[1181, 4724], help="TRAIN paragraphs of each trained point")
    parser.add_argument("--full", default=DEFAULT_READER, help="the reader trained on all of TRAIN (the last point); '' for none")
    parser.add_argument("--data", default=str(squad_split.DEFAULT_DATA))
    parser.add_argument("--work", default=".reader-curve")
    parser.add_argument("--tune-limit", type=int, default=0, help="only the first N TUNE paragraphs read (smoke runs)")
    parser.add_argument("--tune-every", type=int, default=3, help="read every N-th TUNE paragraph's questions")
    parser.add_argument("--out", default="reports/learning-curve")
    argv = list(argv if argv is not None else sys.argv[1:])
    recipe = argv[argv.index("--") + 1:] if "--" in argv else []
    args = parser.parse_args(argv[:argv.index("--")] if "--" in argv else argv)
    data, work = Path(args.data), Path(args.work)
    train_all = squad_split.paragraphs("train", data)
    points = []
    for limit in sorted(args.limits):
        trained = train_reader.train(_training_args(args, limit, work / str(limit), recipe))
        points.append(_stamped(point(Reader(trained), data, train_all[:limit], args.tune_limit, args.tune_every), trained))
    if args.full:
        points.append(_stamped(point(Reader(args.full), data, train_all, args.tune_limit, args.tune_every), Path(args.full)))
    fits = {"forced HasAns F1": fit(points, ("forced_has_answer_f1",)), "F1, oracle threshold": fit(points, ("oracle", "f1")),
            "F1, ≤15% declined": fit(points, ("capped_15", "f1"))}
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "learning_curve.json").write_text(json.dumps({"points": points, "fits": fits}, indent=2) + "\n", encoding="utf-8")
    table = markdown(points, fits)
    (out / "learning_curve.md").write_text(table, encoding="utf-8")
    print(table)
    return 0


def _stamped(row: dict[str, Any], reader: Path) -> dict[str, Any]:
    """The point with what its training saw (windows, steps, minutes), from its training.json."""
    stamp_file = Path(reader) / "training.json"
    stamp = json.loads(stamp_file.read_text(encoding="utf-8")) if stamp_file.exists() else {}
    return {**row, "steps": stamp.get("steps"), "windows_seen": stamp.get("windows_seen"),
            "training_minutes": stamp.get("training_minutes")}


def _training_args(args: argparse.Namespace, limit: int, work: Path, recipe: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    train_reader.add_arguments(parser)
    # Each point is one whole epoch of its subset; the command's step cap is for the full run's budget.
    return parser.parse_args(["--data", args.data, "--limit", str(limit), "--work", str(work / "checkpoints"),
                              "--out", str(work / "reader"), "--max-steps", "0", *recipe])


if __name__ == "__main__":
    raise SystemExit(main())
