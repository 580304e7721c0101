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

from dataclasses import dataclass

from . import choose, metrics, reliability
from .config import Config
from .engine import QA
from .evaluation import failure_kinds, judged_span
from .retrieval import Hit
from .training import squad_split

# Each row: a name and the settings it changes; the last row is the default engine.
ROWS = {"dense": {"retrieval": "dense", "passage_rerank": False},
        "bm25": {"retrieval": "bm25", "passage_rerank": False},
        "hybrid": {"retrieval": "hybrid", "passage_rerank": False},
        "hybrid+reader": {"retrieval": "hybrid", "passage_rerank": True}}


def write_corpus(folder: Path, docs: list[tuple[str, str, str]]) -> None:
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


def squad_corpus(data: Path, cache: Path, name: str = "squad-corpus") -> tuple[Path, list[SquadQuestion]]:
    """The folder of a SQuAD file's paragraphs (written once) and every question with its article."""
    dataset = json.loads(Path(data).read_text(encoding="utf-8"))["data"]
    docs, questions = [], []
    for a, article in enumerate(dataset):
        for p, paragraph in enumerate(article["paragraphs"]):
            file = f"{a:02d}_{p:03d}"
            docs.append((file, article["title"].replace("_", " "), paragraph["context"]))
            questions += [SquadQuestion(q["id"], q["question"], file, [x["text"] for x in q["answers"]], article["title"])
                          for q in paragraph["qas"]]
    folder = Path(cache) / name
    write_corpus(folder, docs)
    return folder, questions


@dataclass(frozen=True)
class SquadQuestion:
    id: str
    text: str
    paragraph: str
    answers: list[str]
    """Empty for SQuAD 2.0's unanswerable questions."""
    article: str


def _test_only(questions: list[SquadQuestion], data: Path, articles: set[str] | None) -> list[SquadQuestion]:
    """Questions of the TEST articles (default: qa.training.squad_split's, from the files beside ``data``):
    the reader was never trained or tuned on them."""
    test = articles if articles is not None else set(squad_split.article_split(Path(data).parent)["test"])
    return [q for q in questions if q.article in test]


def _paragraph_score(relevant: list[bool], _total: int) -> dict[str, float]:
    return {"recall@1": metrics.recall_at(relevant, 1), "recall@5": metrics.recall_at(relevant, 5),
            "recall@20": metrics.recall_at(relevant, 20), "mrr": metrics.reciprocal_rank(relevant)}


def squad(data: Path, cache: Path, sample: int = 1000, seed: int = 13, answers: int = 0,
          config: Config = Config(), articles: set[str] | None = None) -> dict[str, Any]:
    """SQuAD v1.1 as an open corpus (every dev paragraph indexed), questions of TEST articles only:
    paragraph retrieval per mode for a seeded sample, and the default engine's answers to the first
    ``answers`` of them (EM/F1 of the short answer; declining scores 0)."""
    folder, questions = squad_corpus(data, cache)
    engine = QA.from_folder(folder, config)
    pool = _test_only(questions, data, articles)
    picked = random.Random(seed).sample(pool, min(sample, len(pool)))
    queries = [(q.id, q.text, {f"{q.paragraph}.txt"}) for q in picked]
    report = {"paragraphs": len(list(folder.glob("*.txt"))), "passages": engine.index.manifest.passages,
              "questions": len(picked), "seed": seed, "articles": "TEST",
              "retrieval": _retrieval_table(engine, queries, 60, _paragraph_score)}
    if answers:
        report["answers"] = _answers(_own_prior(engine, picked[:answers]), picked[:answers])
    return report


def squad2(data: Path, cache: Path, sample: int = 600, seed: int = 13, config: Config = Config(),
           articles: set[str] | None = None) -> dict[str, Any]:
    """SQuAD 2.0 on TEST articles: the reader alone on each question's own paragraph (every TEST
    question), and the whole engine over all 1,204 paragraphs for ``sample`` answerable and
    ``sample`` unanswerable questions (seeded)."""
    folder, questions = squad_corpus(data, cache, "squad2-corpus")
    engine = QA.from_folder(folder, config)
    pool = _test_only(questions, data, articles)
    rng = random.Random(seed)
    answerable = [q for q in pool if q.answers]
    unanswerable = [q for q in pool if not q.answers]
    picked = rng.sample(answerable, min(sample, len(answerable))) + rng.sample(unanswerable, min(sample, len(unanswerable)))
    rng.shuffle(picked)
    return {"paragraphs": len(list(folder.glob("*.txt"))), "passages": engine.index.manifest.passages, "articles": "TEST",
            "threshold": engine.threshold, "reader_alone": _reader_alone(engine, pool),
            "open": _answers(_own_prior(engine, picked), picked)}


def _own_prior(engine: QA, questions: list[SquadQuestion]) -> QA:
    """The engine with SQuAD's own share of answerable questions (the set's, at most 0.99: SQuAD 1.1's
    are all answerable) unless one was configured: the user's default would flatter or sink the figures."""
    if engine.config.answerable_share is not None or not questions:
        return engine
    share = sum(1 for q in questions if q.answers) / len(questions)
    return engine.configured(answerable_share=min(0.99, max(0.01, share)))


def _reader_alone(engine: QA, questions: list[SquadQuestion]) -> dict[str, Any]:
    """The reader given the question's own paragraph, cut into the engine's passages."""
    by_paragraph: dict[str, list[Hit]] = {}
    for passage in engine.index.passages:
        by_paragraph.setdefault(passage.source, []).append(Hit(passage, 0.0))
    em, f1, has, no = [], [], [], []
    for q in tqdm(questions, desc="reader alone", unit="question"):
        hits = by_paragraph.get(f"{q.paragraph}.txt", [])
        spans = engine.reader.read(q.text, [h.passage.text for h in hits])
        chosen = choose.choose(hits, spans, engine.threshold)
        predicted = chosen[0].span.text if chosen else None
        e, f = metrics.squad2(predicted, q.answers)
        em.append(e)
        f1.append(f)
        (has if q.answers else no).append(f)
    return {"questions": len(questions), "exact_match": _round(em), "f1": _round(f1),
            "has_answer_f1": _round(has), "no_answer_accuracy": _round(no),
            "has_answer": len(has), "no_answer": len(no)}


def _answers(engine: QA, questions: list[SquadQuestion]) -> dict[str, Any]:
    """The whole engine: SQuAD 2.0 EM/F1 of the short answer (declining is right only when there is no
    answer), decline rates, and whether the answering paragraph was cited."""
    em, f1, declined_has, declined_no, cited, pairs, kinds = [], [], [], [], [], [], []
    for q in tqdm(questions, desc="answers", unit="question"):
        answer = engine.ask(q.text)
        best = judged_span(engine, q.text, answer)
        if answer.confidence is not None:
            pairs.append((answer.confidence, reliability.right(best, q.answers)))
        predicted = answer.short_answer.text if answer.answerable and answer.short_answer else None
        e, f = metrics.squad2(predicted, q.answers)
        em.append(e)
        f1.append(f)
        (declined_has if q.answers else declined_no).append(float(predicted is None))
        kinds.append((q.answers, predicted, reliability.right(best, q.answers)))
        if q.answers and predicted is not None:
            cited.append(float(any(s.source == f"{q.paragraph}.txt" for s in answer.sources)))
    report = {"questions": len(questions), "answerable": len(declined_has), "unanswerable": len(declined_no),
              "exact_match": _round(em), "f1": _round(f1), "answerable_declined": _round(declined_has),
              "gold_paragraph_cited": _round(cited), "writer": engine.config.writer,
              "failure_kinds": failure_kinds(kinds)}
    if declined_no:
        report["unanswerable_declined"] = _round(declined_no)
    if pairs:
        report["confidence"] = reliability.summary(pairs, engine.min_confidence)
        report["answerable_share"] = engine.answerable_share
    return report


def _round(values: list[float]) -> float | None:
    return round(statistics.fmean(values), 4) if values else None


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
    write_corpus(corpus, docs)
    return corpus, queries_text, gold


def scifact(folder: Path, cache: Path, config: Config = Config()) -> dict[str, Any]:
    """nDCG@10 and Recall@100 on the 300 test claims against all 5,183 abstracts, per mode."""
    corpus, queries_text, gold = scifact_corpus(folder, cache)
    engine = QA.from_folder(corpus, config)
    queries = [(qid, queries_text[qid], docs_) for qid, docs_ in sorted(gold.items(), key=lambda x: int(x[0]))]

    def score(relevant: list[bool], total: int) -> dict[str, float]:
        return {"ndcg@10": metrics.ndcg_at(relevant, 10, total),
                "recall@100": sum(relevant[:100]) / total if total else 0.0}

    return {"documents": len(list(corpus.glob("*.txt"))), "passages": engine.index.manifest.passages, "queries": len(queries),
            "retrieval": _retrieval_table(engine, queries, 300, score)}


def markdown(name: str, report: dict[str, Any]) -> str:
    lines = [f"# {name}", ""]
    if "retrieval" in report:
        table = report["retrieval"]
        columns = list(next(iter(table.values())))
        lines += ["| mode | " + " | ".join(columns) + " |", "|---" * (len(columns) + 1) + "|"]
        lines += [f"| {mode} | " + " | ".join(f"{row[c]:.3f}" for c in columns) + " |" for mode, row in table.items()]
    for name_, a in (("Answers", report.get("answers")), ("Open corpus", report.get("open"))):
        if a:
            lines += ["", f"{name_} ({a['questions']} questions, {a['unanswerable']} unanswerable): "
                          f"EM {100 * a['exact_match']:.1f}, F1 {100 * a['f1']:.1f}, answerable declined "
                          f"{100 * a['answerable_declined']:.1f}%"
                          + (f", unanswerable declined {100 * a['unanswerable_declined']:.1f}%" if a.get("unanswerable_declined") is not None else "")
                          + f", gold paragraph cited {100 * (a['gold_paragraph_cited'] or 0):.1f}%"]
            if a.get("failure_kinds"):
                lines += ["", "Failures by kind: " + ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in a["failure_kinds"].items())]
            if a.get("confidence"):
                lines += ["", f"### Confidence ({name_.lower()})", "", *reliability.markdown(a["confidence"])]
    if "reader_alone" in report:
        r = report["reader_alone"]
        lines += ["", f"Reader alone on the gold paragraph ({r['questions']} questions): EM {100 * r['exact_match']:.1f}, "
                      f"F1 {100 * r['f1']:.1f}, HasAns F1 {100 * r['has_answer_f1']:.1f} ({r['has_answer']}), "
                      f"NoAns accuracy {100 * r['no_answer_accuracy']:.1f} ({r['no_answer']})"]
    return "\n".join(lines) + "\n"
