"""Choosing the reader's no-answer threshold on TUNE articles, the way the engine uses it.

The corpus is every paragraph of the 27 non-TEST SQuAD 2.0 articles; the questions are the TUNE
articles' (answerable and not). The engine answers each with no threshold, and the threshold kept
is the one that maximises SQuAD 2.0 F1 over those questions among the thresholds that decline at most
``max_false_declines`` (15%) of the answerable ones: without that cap the F1 optimum on TUNE (60%
unanswerable) declined half the answerable questions, and a user who asks what the documents do say
must get the answer. No TEST text is read.
"""
from __future__ import annotations

import json
import statistics
from pathlib import Path
from typing import Any

from tqdm.auto import tqdm

from .. import metrics
from ..config import Config
from ..engine import QA
from ..public_sets import write_corpus
from ..reader import BASE_MODEL
from . import squad_split


def tune_corpus(data: Path, cache: Path, limit: int = 0) -> tuple[Path, list[tuple[str, list[str]]]]:
    """The non-TEST paragraphs as a corpus folder, and the TUNE questions; ``limit``: only the first
    ``limit`` TUNE and TRAIN paragraphs (smoke runs)."""
    split = squad_split.article_split(data)
    tune = set(split["tune"])
    dataset = json.loads((data / squad_split.V2).read_text(encoding="utf-8"))["data"]
    docs = {"train": [], "tune": []}
    questions: dict[str, list[tuple[str, list[str]]]] = {}
    for a, article in enumerate(dataset):
        if article["title"] not in tune and article["title"] not in split["train"]:
            continue
        part = "tune" if article["title"] in tune else "train"
        for p, paragraph in enumerate(article["paragraphs"]):
            name = f"{a:02d}_{p:03d}"
            docs[part].append((name, article["title"].replace("_", " "), paragraph["context"]))
            if part == "tune":
                questions[name] = [(q["question"], [x["text"] for x in q["answers"]]) for q in paragraph["qas"]]
    if limit:
        docs = {part: rows[:limit] for part, rows in docs.items()}
    folder = Path(cache) / (f"squad2-nontest-corpus-{limit}" if limit else "squad2-nontest-corpus")
    write_corpus(folder, docs["train"] + docs["tune"])
    return folder, [q for name, _, _ in docs["tune"] for q in questions[name]]


def calibrate(reader: Path, data: Path, cache: Path, limit: int = 0, config: Config = Config(),
              max_false_declines: float = 0.15) -> dict[str, Any]:
    """Writes ``reader.json`` (threshold and the TUNE figures behind it) beside the weights."""
    folder, questions = tune_corpus(Path(data), Path(cache), limit)
    engine = QA.from_folder(folder, config.with_(reader=str(reader), reader_threshold=float("-inf")))
    scored = []
    for text, golds in tqdm(questions, desc="calibrating", unit="question", mininterval=5):
        answer = engine.ask(text)
        short = answer.short_answer
        scored.append((short.score if short else float("-inf"), short.text if short else None, golds))
    threshold = choose_threshold(scored, max_false_declines)
    tune = figures_at(scored, threshold)
    (Path(cache) / "calibration_scores.json").write_text(json.dumps(
        [[round(sc, 4), text, golds] for sc, text, golds in scored], ensure_ascii=False) + "\n", encoding="utf-8")
    settings = {"base_model": engine.reader.settings.get("base_model", BASE_MODEL),
                "threshold": round(threshold, 4), "max_false_declines": max_false_declines,
                "unconstrained_f1_optimum": figures_at(scored, choose_threshold(scored, 1.0)), "calibrated_on": "SQuAD 2.0 TUNE articles " + ", ".join(
                    squad_split.article_split(Path(data))["tune"]), "tune": tune}
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
