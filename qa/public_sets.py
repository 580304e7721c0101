"""Public benchmarks from ../shared/bench: SQuAD v1.1 as an open corpus, BEIR SciFact retrieval.

The data stays where it is; a corpus folder of plain files (one per paragraph or abstract) and
its index are built once in an ignored cache folder and reused."""
from __future__ import annotations

import csv
import json
import random
import statistics
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tqdm.auto import tqdm

from . import metrics
from .config import Config
from .engine import QA
from .verify import MARKER

# Each row: a name and the settings it changes; the last row is the default engine.
ROWS = {"dense": {"retrieval": "dense", "passage_rerank": False},
        "bm25": {"retrieval": "bm25", "passage_rerank": False},
        "hybrid": {"retrieval": "hybrid", "passage_rerank": False},
        "hybrid+rerank": {"retrieval": "hybrid", "passage_rerank": True}}


def _write_corpus(folder: Path, docs: list[tuple[str, str, str]]) -> None:
    """Files named by id, with titles in metadata.json; written once (atomic marker last)."""
    if (folder / ".complete").exists():
        return
    folder.mkdir(parents=True, exist_ok=True)
    for name, _, text in docs:
        (folder / f"{name}.txt").write_text(text, encoding="utf-8")
    (folder / "metadata.json").write_text(json.dumps({f"{n}.txt": {"title": t} for n, t, _ in docs}), encoding="utf-8")
    (folder / ".complete").write_text("ok")


def _doc_ranking(qa: QA, question: str, depth: int) -> list[str]:
    return list(dict.fromkeys(h.passage.source for h in qa.retrieve(question, depth)))


def _retrieval_table(qa: QA, queries: list[tuple[str, str, set[str]]], depth: int,
                     score: Callable[[list[bool], int], dict[str, float]]) -> dict[str, dict[str, float]]:
    table = {}
    for row, settings in ROWS.items():
        engine = qa.configured(depth=depth, **settings)
        rows = [score([d in gold for d in _doc_ranking(engine, text, depth)], len(gold))
                for _, text, gold in tqdm(queries, desc=f"retrieval ({row})", unit="query")]
        table[row] = {name: round(statistics.fmean(r[name] for r in rows), 4) for name in rows[0]}
    return table


def squad_corpus(data: Path, cache: Path) -> tuple[Path, list[tuple[str, str, str, list[str]]]]:
    """The folder of dev paragraphs (written once) and every question as (id, text, paragraph, answers)."""
    dataset = json.loads(Path(data).read_text(encoding="utf-8"))["data"]
    docs, questions = [], []
    for a, article in enumerate(dataset):
        for p, paragraph in enumerate(article["paragraphs"]):
            name = f"{a:02d}_{p:03d}"
            docs.append((name, article["title"].replace("_", " "), paragraph["context"]))
            questions += [(qa["id"], qa["question"], name, [x["text"] for x in qa["answers"]]) for qa in paragraph["qas"]]
    folder = Path(cache) / "squad-corpus"
    _write_corpus(folder, docs)
    return folder, questions


def squad(data: Path, cache: Path, sample: int = 1000, seed: int = 13, answers: int = 0,
          config: Config = Config()) -> dict[str, Any]:
    """Paragraph retrieval over all dev paragraphs for a seeded sample of questions, per mode;
    EM/F1 of the default engine on the first ``answers`` sampled questions."""
    folder, questions = squad_corpus(data, cache)
    engine = QA.from_folder(folder, config)
    picked = random.Random(seed).sample(questions, min(sample, len(questions)))
    queries = [(qid, text, {f"{name}.txt"}) for qid, text, name, _ in picked]

    def score(relevant: list[bool], _total: int) -> dict[str, float]:
        return {"recall@1": metrics.recall_at(relevant, 1), "recall@5": metrics.recall_at(relevant, 5),
                "recall@20": metrics.recall_at(relevant, 20), "mrr": metrics.reciprocal_rank(relevant)}

    report = {"paragraphs": len(list(folder.glob("*.txt"))), "passages": len(engine.index.passages), "questions": len(picked),
              "seed": seed, "retrieval": _retrieval_table(engine, queries, 60, score)}
    if answers:
        em, f1 = [], []
        for _, text, _, gold in tqdm(picked[:answers], desc="answers", unit="question"):
            answer = engine.ask(text)
            predicted = " ".join(MARKER.sub(" ", answer.answer).split()) if answer.answerable else ""
            em.append(metrics.exact_match(predicted, gold))
            f1.append(metrics.f1(predicted, gold))
        report["answers"] = {"questions": len(em), "exact_match": round(statistics.fmean(em), 4),
                             "f1": round(statistics.fmean(f1), 4), "writer": engine.config.writer,
                             "shorten_tolerance": engine.config.shorten_tolerance}
    return report


def scifact_corpus(folder: Path, cache: Path) -> tuple[Path, dict[str, str], dict[str, set[str]]]:
    """The folder of abstracts (written once), every claim by id, and the test claims' relevant files."""
    folder = Path(folder)
    docs = []
    with open(folder / "corpus.jsonl", encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            docs.append((row["_id"], row["title"], f"{row['title']} {row['text']}".strip()))
    queries_text = {}
    with open(folder / "queries.jsonl", encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            queries_text[row["_id"]] = row["text"]
    gold: dict[str, set[str]] = {}
    with open(folder / "qrels" / "test.tsv", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            if int(row["score"]) > 0:
                gold.setdefault(row["query-id"].strip(), set()).add(f"{row['corpus-id'].strip()}.txt")
    corpus = Path(cache) / "scifact-corpus"
    _write_corpus(corpus, docs)
    return corpus, queries_text, gold


def scifact(folder: Path, cache: Path, config: Config = Config()) -> dict[str, Any]:
    """nDCG@10 and Recall@100 on the 300 test claims against all 5,183 abstracts, per mode."""
    corpus, queries_text, gold = scifact_corpus(folder, cache)
    engine = QA.from_folder(corpus, config)
    queries = [(qid, queries_text[qid], docs_) for qid, docs_ in sorted(gold.items(), key=lambda x: int(x[0]))]

    def score(relevant: list[bool], total: int) -> dict[str, float]:
        return {"ndcg@10": metrics.ndcg_at(relevant, 10, total),
                "recall@100": sum(relevant[:100]) / total if total else 0.0}

    return {"documents": len(list(corpus.glob("*.txt"))), "passages": len(engine.index.passages), "queries": len(queries),
            "retrieval": _retrieval_table(engine, queries, 300, score)}


def markdown(name: str, report: dict[str, Any]) -> str:
    table = report["retrieval"]
    columns = list(next(iter(table.values())))
    lines = [f"# {name} retrieval", "", "| mode | " + " | ".join(columns) + " |", "|---" * (len(columns) + 1) + "|"]
    lines += [f"| {mode} | " + " | ".join(f"{row[c]:.3f}" for c in columns) + " |" for mode, row in table.items()]
    if "answers" in report:
        a = report["answers"]
        lines += ["", f"Answers ({a['questions']} questions, writer {a['writer']}): EM {100 * a['exact_match']:.1f}, "
                      f"F1 {100 * a['f1']:.1f}"]
    return "\n".join(lines) + "\n"
