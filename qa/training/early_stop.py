"""Choosing the reader's stopping score (``qa.reading``) on SQuAD TUNE, and writing it to reader.json.

Each sampled TUNE question is read in full (every passage); for each candidate score, the engine's own
decision (confidence, ``choose``) is taken again on what it would have read had it stopped there. The
stopping score is the lowest candidate at which at least ``keep`` of the questions keep the answer and
the citations of the full reading. No TEST text is read.

    python -m qa.training.early_stop [--reader qa/models/reader] [--sample 800] [--keep 0.99]
"""
from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
from pathlib import Path
from typing import Any

from .. import choose
from ..config import Config
from ..engine import QA
from ..reader import DEFAULT_READER, WEIGHTS, Span
from ..reading import FIRST
from ..confidence.evidence import read_rows, row_features
from .calibrate import tune_corpus
from .squad_split import DEFAULT_DATA

SAMPLE, KEEP = 800, 0.99
"""TUNE questions read, and the share of their answers the stopping score must keep."""
CANDIDATES = tuple(x / 2 for x in range(-2, 21))
"""Reader scores tried, -1 to 10 in halves: the no-answer threshold sits near -0.4."""


def outcome(engine: QA, row: dict[str, Any], read: int) -> tuple:
    """What the engine answers from the first ``read`` passages of a ``calibrate.read_rows`` row: the
    sources and short-answer texts of its choice, empty when it declines."""
    hits = [_Hit(**h) for h in row["hits"]]
    spans = [Span(**s) for s in row["spans"][:read]]
    values, _ = row_features(row, read=read)
    confidence = None if engine.calibrator is None else engine.calibrator.probability(values, engine.answerable_share)
    sure = None if confidence is None else confidence >= engine.min_confidence
    return tuple((c.hit.passage.source, c.span.text) for c in choose.choose(hits, spans, engine.threshold,
                                                                            engine.config.max_sources, sure))


def kept(engine: QA, rows: list[dict[str, Any]], score: float) -> dict[str, float]:
    """For one stopping score: the shares of questions answered as by the full reading and of questions
    that stopped, and the mean share of passages read."""
    same = stopped = passages = 0
    for row in rows:
        scores = [s["score"] for s in row["spans"]]
        read = FIRST if len(scores) > FIRST and max(scores[:FIRST]) >= score else len(scores)
        same += outcome(engine, row, read) == outcome(engine, row, len(scores))
        stopped += read < len(scores)
        passages += read / max(1, len(scores))
    n = max(1, len(rows))
    return {"stop_score": score, "same_answers": round(same / n, 4), "stopped": round(stopped / n, 4),
            "passages_read": round(passages / n, 4)}


def choose_stop_score(engine: QA, rows: list[dict[str, Any]],
                      keep: float) -> tuple[float | None, list[dict[str, float]]]:
    """The lowest candidate keeping at least ``keep`` of the answers (None: none does), and the whole table."""
    table = [kept(engine, rows, score) for score in CANDIDATES]
    chosen = next((r["stop_score"] for r in table if r["same_answers"] >= keep), None)
    return chosen, table


def run(reader: Path, data: Path, cache: Path, sample: int, keep: float, seed: int = 5,
        limit: int = 0) -> dict[str, Any]:
    """The stopping score for ``reader`` and its table, from ``sample`` seeded TUNE questions (their
    full readings kept in ``cache``)."""
    folder, questions = tune_corpus(data, cache, limit)
    picked = random.Random(seed).sample(questions, min(sample, len(questions)))
    engine = QA.from_folder(folder, Config(reader=str(reader)))
    digest = hashlib.sha256((reader / WEIGHTS).read_bytes()).hexdigest()[:16]
    kept_rows = cache / f"tune-evidence-every-passage-{digest}-{limit}-{sample}-{seed}.json"
    if kept_rows.exists():
        rows = json.loads(kept_rows.read_text(encoding="utf-8"))
    else:
        rows = read_rows(engine, picked, "reading TUNE, every passage")
        kept_rows.write_text(json.dumps(rows), encoding="utf-8")
    chosen, table = choose_stop_score(engine, rows, keep)
    return {"stop_score": chosen, "keep": keep, "questions": len(rows), "seed": seed, "first": FIRST, "table": table}


def write(reader: Path, result: dict[str, Any]) -> None:
    """reader.json with ``stop_score`` and how it was chosen; every other key as it was."""
    path = reader / "reader.json"
    settings = json.loads(path.read_text(encoding="utf-8"))
    settings["stop_score"] = result["stop_score"]
    settings["stop_score_chosen"] = {k: result[k] for k in ("keep", "questions", "seed", "first")} | {
        "on": "SQuAD 2.0 TUNE articles, open corpus", "row": next(
            (r for r in result["table"] if r["stop_score"] == result["stop_score"]), None)}
    path.write_text(json.dumps(settings, indent=2) + "\n", encoding="utf-8")


class _Hit:
    """Enough of a retrieval hit for the confidence features and ``choose``."""

    def __init__(self, source: str, dense_rank: int | None, bm25_rank: int | None) -> None:
        self.passage = type("P", (), {"source": source})()
        self.dense_rank, self.bm25_rank = dense_rank, bm25_rank


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reader", default=DEFAULT_READER, help="reader folder; its reader.json gets stop_score")
    parser.add_argument("--data", default=str(DEFAULT_DATA), help="folder holding SQuAD dev-v2.0.json")
    parser.add_argument("--cache", default=".bench-cache")
    parser.add_argument("--sample", type=int, default=SAMPLE, help="TUNE questions read (seeded)")
    parser.add_argument("--keep", type=float, default=KEEP, help="share of answers that must stay the same")
    parser.add_argument("--limit", type=int, default=0, help="only the first LIMIT TUNE paragraphs (smoke runs)")
    parser.add_argument("--dry-run", action="store_true", help="print the table, write nothing")
    args = parser.parse_args(argv)
    result = run(Path(args.reader), Path(args.data), Path(args.cache), args.sample, args.keep, limit=args.limit)
    print("| stop score | same answers | stopped after the first | passages read |\n|---|---|---|---|")
    for r in result["table"]:
        print(f"| {r['stop_score']:g} | {r['same_answers']:.1%} | {r['stopped']:.1%} | {r['passages_read']:.1%} |")
    print(f"chosen: {result['stop_score']} (lowest keeping ≥ {args.keep:.0%} of {result['questions']} TUNE answers)")
    if not args.dry_run:
        write(Path(args.reader), result)
        print(f"wrote stop_score to {Path(args.reader) / 'reader.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
