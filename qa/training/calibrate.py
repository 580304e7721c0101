"""Fitting the reader's threshold and confidence on TUNE articles, the way the engine uses them.

The corpus is every paragraph of the 27 TUNE articles (the non-TEST SQuAD 2.0 dev articles); the
questions are theirs (answerable and not). The engine's retrieval and reader read each with no
decision, every passage (the stopping score of ``qa.reading`` is chosen after this, on what this
fits); the confidence model (``qa.confidence``) is fitted to whether the best span is right, and
the threshold on the reader's score and the default ``min_confidence`` are each the point that
maximises SQuAD 2.0 F1 over those questions among the points that decline at most
``max_false_declines`` (15%) of the answerable ones: without that cap the F1 optimum on TUNE (half
unanswerable) declined half the answerable questions, and a user who asks what the documents do say
must get the answer. No TEST text is read.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
from pathlib import Path
from typing import Any

from .. import reliability
from ..confidence.point import choose_threshold, figures_at
from ..confidence import Calibrator
from ..confidence.evidence import read_rows, row_features
from ..config import DEFAULT_ANSWERABLE_SHARE, Config
from ..engine import QA
from ..public_sets import write_corpus
from ..reader import BASE_MODEL as QA_BASE_MODEL, WEIGHTS
from . import squad_split


KEPT = ("score", "margin", "agree", "share", "question_words", "overlap", "similarity")
"""The features the shipped model uses: chosen by ``python -m qa.training.confidence_features``."""
POINT_DECLINES = 0.10
"""The answering point declines at most this share of TUNE's answerable questions."""


def tune_corpus(data: Path, cache: Path, limit: int = 0) -> tuple[Path, list[tuple[str, list[str]]]]:
    """The TUNE articles' paragraphs as a corpus folder, and their questions; ``limit``: only the first
    ``limit`` paragraphs (smoke runs)."""
    tune = set(squad_split.article_split(data)["tune"])
    dataset = json.loads((data / squad_split.V2).read_text(encoding="utf-8"))["data"]
    docs, questions = [], {}
    for a, article in enumerate(dataset):
        if article["title"] not in tune:
            continue
        for p, paragraph in enumerate(article["paragraphs"]):
            name = f"{a:02d}_{p:03d}"
            docs.append((name, article["title"].replace("_", " "), paragraph["context"]))
            questions[name] = [(q["question"], [x["text"] for x in q["answers"]]) for q in paragraph["qas"]]
    docs = docs[:limit] if limit else docs
    folder = Path(cache) / (f"squad2-nontest-corpus-{limit}" if limit else "squad2-nontest-corpus")
    write_corpus(folder, docs)
    return folder, [q for name, _, _ in docs for q in questions[name]]


def read_tune(reader: Path, data: Path, cache: Path, limit: int = 0, every: int = 1,
              config: Config = Config()) -> list[dict[str, Any]]:
    """:func:`read_rows` for every ``every``-th TUNE question, kept in the cache by the weights' sha256."""
    digest = hashlib.sha256((Path(reader) / WEIGHTS).read_bytes()).hexdigest()[:16]
    kept = Path(cache) / f"tune-evidence-{digest}-{limit}-{every}.json"
    if kept.exists():
        return json.loads(kept.read_text(encoding="utf-8"))
    folder, questions = tune_corpus(Path(data), Path(cache), limit)
    engine = QA.from_folder(folder, config.with_(reader=str(reader), reader_threshold=float("-inf"),
                                                 stop_score=float("inf")))
    rows = read_rows(engine, questions[::every], "reading TUNE")
    kept.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    return rows


def read_extra(reader: Path, questions: Path, corpus: Path, cache: Path, config: Config = Config()) -> list[dict[str, Any]]:
    """:func:`read_rows` for a question set of another kind of text (declared a tuning set by this use)."""
    from ..evaluation import load_questions

    engine = QA.from_folder(corpus, config.with_(reader=str(reader), reader_threshold=float("-inf"),
                                                 stop_score=float("inf"),
                                                 index_dir=str(Path(cache) / f"index-{Path(corpus).name}")))
    return read_rows(engine, [(q.question, list(q.answers)) for q in load_questions(questions)], f"reading {Path(questions).name}")


def calibrate(reader: Path, data: Path, cache: Path, limit: int = 0, config: Config = Config(),
              max_false_declines: float = 0.15, every: int = 1, names: tuple[str, ...] = KEPT,
              share: float = DEFAULT_ANSWERABLE_SHARE, point_declines: float = POINT_DECLINES) -> dict[str, Any]:
    """Writes ``reader.json`` beside the weights (keeping its ``stop_score``): the threshold on the
    reader's score (which spans count as answers when passages are reordered and further sources
    cited; the F1-best on TUNE declining at most ``max_false_declines`` of its answerable questions),
    the confidence model on the features ``names`` and its default answering point, and the TUNE
    figures behind them. The answering point is chosen on TUNE as if a share ``share`` of the
    questions were answerable (the engine's default): TUNE's questions weighted to that share and
    their confidence corrected to it, the F1-best point declining at most ``point_declines`` of the
    answerable ones. Features are taken as the engine sees them after stopping at the current
    ``stop_score`` (``qa.reading``)."""
    settings_file = Path(reader) / "reader.json"
    previous = json.loads(settings_file.read_text(encoding="utf-8")) if settings_file.exists() else {}
    stop = previous.get("stop_score")
    rows = read_tune(reader, data, cache, limit, every, config)
    seen = [(row, *row_features(row, stop)) for row in rows]
    usable = [(values, bool(row["golds"]), reliability.right(text, row["golds"])) for row, values, text in seen
              if values is not None]
    calibrator = Calibrator.fit([v for v, _, _ in usable], [a for _, a, _ in usable], [r for _, _, r in usable],
                                names=names)
    scored = [(max((s["score"] for s in row["spans"]), default=float("-inf")), text, row["golds"])
              for row, _, text in seen]
    threshold = choose_threshold(scored, max_false_declines)
    at_share = [(calibrator.probability(values, share), text, row["golds"]) for row, values, text in seen]
    min_confidence = min(1.0, max(0.0, round(choose_threshold(at_share, point_declines, share), 3)))
    calibrator = dataclasses.replace(calibrator, min_confidence=min_confidence)
    fitted = [(calibrator.probability(values), reliability.right(text, row["golds"])) for row, values, text in seen]
    settings = {**{k: v for k, v in previous.items() if k in ("stop_score", "stop_score_chosen")},
                "base_model": QA_BASE_MODEL, "threshold": round(threshold, 4), "max_false_declines": max_false_declines,
                "confidence": calibrator.to_dict(),
                "calibrated_on": f"SQuAD 2.0 TUNE articles ({len(rows)} questions, one in {every} of the "
                                 f"{len(squad_split.article_split(Path(data))['tune'])} articles' questions)",
                "tune": {"threshold": figures_at(scored, threshold),
                         "min_confidence": {**figures_at(at_share, min_confidence), "answerable_share": share,
                                            "f1_at_share": figures_at(at_share, min_confidence, share)["f1"]},
                         "ece_answered": reliability.ece([(p, r) for p, r in fitted if p >= min_confidence]),
                         "ece_all": reliability.ece(fitted)}}
    settings_file.write_text(json.dumps(settings, indent=2) + "\n", encoding="utf-8")
    return settings
