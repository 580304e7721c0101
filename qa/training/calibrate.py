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
import statistics
from pathlib import Path
from typing import Any

from tqdm.auto import tqdm

from .. import metrics, reliability
from ..confidence import Calibrator, features
from ..config import Config
from ..engine import QA
from ..public_sets import write_corpus
from ..reader import BASE_MODEL as QA_BASE_MODEL, WEIGHTS
from . import squad_split


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


def read_rows(engine: QA, questions: list[tuple[str, list[str]]], desc: str) -> list[dict[str, Any]]:
    """Each question through the engine's retrieval and reader (no decision): the best span's score,
    text and confidence features, the gold answers, and whether the span is right."""
    rows = []
    for text, golds in tqdm(questions, desc=desc, unit="question", mininterval=5):
        hits, spans = engine.read(text)
        best = max(spans, key=lambda s: s.score) if spans else None
        rows.append({"score": best.score if best else float("-inf"), "text": best.text if best else None,
                     "golds": golds, "features": features(hits, spans),
                     "right": reliability.right(best.text if best else None, golds)})
    return rows


def read_tune(reader: Path, data: Path, cache: Path, limit: int = 0, every: int = 1,
              config: Config = Config()) -> list[dict[str, Any]]:
    """:func:`read_rows` for every ``every``-th TUNE question, kept in the cache by the weights' sha256."""
    digest = hashlib.sha256((Path(reader) / WEIGHTS).read_bytes()).hexdigest()[:16]
    kept = Path(cache) / f"tune-rows-{digest}-{limit}-{every}.json"
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
              max_false_declines: float = 0.15, every: int = 1, extra: tuple[Path, Path] | None = None,
              extra_weight: float = 0.0) -> dict[str, Any]:
    """Writes ``reader.json`` beside the weights: the threshold (which spans count as answers when
    passages are reordered and further sources cited), the confidence model and its default answering
    point, each chosen on TUNE by the same rule, and the TUNE figures behind them.

    ``extra``: (question set, its corpus) of another kind of text the confidence model also learns
    from, its questions weighing ``extra_weight`` times TUNE's in all."""
    rows = read_tune(reader, data, cache, limit, every, config)
    more = read_extra(reader, extra[0], extra[1], cache, config) if extra and extra_weight > 0 else []
    usable = [r for r in rows if r["features"] is not None]
    added = [r for r in more if r["features"] is not None]
    weights = [1.0] * len(usable) + [extra_weight * len(usable) / len(added)] * len(added) if added else None
    scored = [(r["score"], r["text"], r["golds"]) for r in rows]
    threshold = choose_threshold(scored, max_false_declines)
    calibrator = Calibrator.fit([r["features"] for r in usable + added], [r["right"] for r in usable + added],
                                weights=weights)
    probabilities = [calibrator.probability(r["features"]) for r in rows]
    sure = [(p, r["text"], r["golds"]) for p, r in zip(probabilities, rows)]
    min_confidence = min(1.0, max(0.0, round(choose_threshold(sure, max_false_declines), 3)))  # a probability
    calibrator = dataclasses.replace(calibrator, min_confidence=min_confidence)
    (Path(cache) / "calibration_rows.json").write_text(json.dumps(
        [{**r, "score": round(r["score"], 4), "confidence": round(p, 4)} for r, p in zip(rows, probabilities)],
        ensure_ascii=False) + "\n", encoding="utf-8")
    pairs = list(zip(probabilities, (r["right"] for r in rows)))
    settings = {"base_model": QA_BASE_MODEL, "threshold": round(threshold, 4), "max_false_declines": max_false_declines,
                "confidence": calibrator.to_dict(),
                "calibrated_on": f"SQuAD 2.0 TUNE articles ({len(rows)} questions, one in {every} of the "
                                 f"{len(squad_split.article_split(Path(data))['tune'])} articles' questions)"
                                 + (f" and {Path(extra[0]).name} ({len(added)} questions, weighing {extra_weight}× TUNE)"
                                    if added else ""),
                "tune": {"threshold": figures_at(scored, threshold), "min_confidence": figures_at(sure, min_confidence),
                         "ece_answered": reliability.ece([(p, r) for p, r in pairs if p >= min_confidence]),
                         "ece_all": reliability.ece(pairs)}}
    if added:
        extra_pairs = [(calibrator.probability(r["features"]), r["right"]) for r in added]
        settings["extra"] = {"questions": len(added), "ece_all": reliability.ece(extra_pairs),
                             "answered": sum(p >= min_confidence for p, _ in extra_pairs)}
    (Path(reader) / "reader.json").write_text(json.dumps(settings, indent=2) + "\n", encoding="utf-8")
    return settings


def choose_threshold(scored, max_false_declines: float) -> float:
    """The F1-best threshold (midway between neighbouring scores) that declines at most that share of answerable questions."""
    points = sorted({s for s, _, _ in scored if s != float("-inf")})
    candidates = [float("-inf")] + [(a + b) / 2 for a, b in zip(points, points[1:])] + [points[-1] + 1.0 if points else 0.0]
    answerable = [s for s, _, g in scored if g]
    allowed = [t for t in candidates
               if not answerable or sum(s < t for s in answerable) <= max_false_declines * len(answerable)]
    rows = _outcomes(scored)
    best = max(allowed, key=lambda t: _f1_at(rows, t))
    return best if best != float("-inf") else (points[0] - 1.0 if points else 0.0)


def _outcomes(scored) -> list[tuple[float, float, float]]:
    """Each question's score and its SQuAD 2.0 F1 if answered and if declined (computed once, not per threshold)."""
    return [(s, metrics.squad2(t, g)[1], metrics.squad2(None, g)[1]) for s, t, g in scored]


def _f1_at(rows: list[tuple[float, float, float]], threshold: float) -> float:
    return statistics.fmean(answered if s >= threshold else declined for s, answered, declined in rows)


def figures_at(scored, threshold: float) -> dict[str, Any]:
    """SQuAD 2.0 F1, HasAns F1 and decline rates of (score, text, golds) rows at one threshold."""
    has = [(s, t, g) for s, t, g in scored if g]
    no = [(s, t, g) for s, t, g in scored if not g]
    return {"questions": len(scored), "unanswerable": len(no), "f1": round(_f1_at(_outcomes(scored), threshold), 4),
            "has_answer_f1": round(_f1_at(_outcomes(has), threshold), 4) if has else None,
            "answerable_declined": round(statistics.fmean(float(s < threshold) for s, _, _ in has), 4) if has else None,
            "unanswerable_declined": round(statistics.fmean(float(s < threshold) for s, _, _ in no), 4) if no else None}
