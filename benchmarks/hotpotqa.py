"""HotpotQA dev (Yang et al. 2018) as an open corpus: every question's ten paragraphs pooled into one
folder of files (title in metadata.json), every question asked of the whole pool with the default
engine. Short-answer EM and F1 (SQuAD's normalisation, as HotpotQA's own script) by question type,
yes/no accuracy, and how often both supporting articles are cited.

The first 1,000 questions of the official dev order are the TEST part: no choice in the engine is
made on them, and they are reported once, at the end of a change. The data is not in the repository:
put the official ``hotpot_dev_distractor_v1.json`` (hotpotqa.github.io) or any prefix of it at
``.bench-cache/hotpotqa/``; a file cut short is read up to its last whole question.

    python -m benchmarks.hotpotqa [--data FILE] [--part test|tune]   # benchmarks/out/hotpotqa.json
"""
from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import sys
from pathlib import Path
from typing import Any

from tqdm.auto import tqdm

from .common import CACHE, save, table

DATA = CACHE / "hotpotqa"
TEST = 1000
"""The first questions of the official dev order, kept out of every choice."""


def load(path: Path) -> list[dict[str, Any]]:
    """The questions of a HotpotQA dev file in file order, up to its last whole one."""
    text = path.read_text(encoding="utf-8")
    decoder, at, questions = json.JSONDecoder(), text.index("[") + 1, []
    while True:
        while at < len(text) and text[at] in ", \n\r\t":
            at += 1
        try:
            question, at = decoder.raw_decode(text, at)
        except json.JSONDecodeError:
            break
        questions.append(question)
    if not questions:
        raise SystemExit(f"{path}: no whole HotpotQA question in it; expected the dev distractor JSON")
    return questions


def corpus(questions: list[dict[str, Any]]) -> tuple[Path, dict[str, str]]:
    """The pooled paragraphs as files (written once) and each title's file name."""
    from qa.public_sets import write_corpus

    paragraphs = {title: "".join(sentences).strip() for q in questions for title, sentences in q["context"]}
    digest = hashlib.sha256("\n".join(sorted(paragraphs)).encode()).hexdigest()[:10]
    files = {title: f"p{n:05d}" for n, title in enumerate(sorted(paragraphs))}
    folder = CACHE / f"hotpotqa-corpus-{digest}"
    write_corpus(folder, [(files[t], t, paragraphs[t]) for t in sorted(paragraphs) if paragraphs[t]])
    return folder, {t: f"{name}.txt" for t, name in files.items()}


def outcome(engine, question: dict[str, Any], files: dict[str, str]) -> dict[str, Any]:
    from qa import metrics

    answer = engine.ask(question["question"])
    predicted = answer.short_answer.text if answer.answerable and answer.short_answer else ""
    gold = [question["answer"]]
    needed = {files[title] for title, _ in question["supporting_facts"]}
    cited = {s.source for s in answer.sources}
    return {"id": question["_id"], "type": question["type"], "yes_no": question["answer"] in ("yes", "no"),
            "kind": answer.to_dict().get("kind", "span"), "declined": not answer.answerable,
            "em": metrics.exact_match(predicted, gold), "f1": metrics.f1(predicted, gold),
            "both_cited": needed <= cited, "one_cited": bool(needed & cited),
            "ms": answer.timings_ms.get("total", 0.0)}


def figures(rows: list[dict[str, Any]]) -> dict[str, Any]:
    def mean(values) -> float | None:
        values = list(values)
        return round(100 * statistics.fmean(values), 1) if values else None

    out = {"questions": len(rows), "em": mean(r["em"] for r in rows), "f1": mean(r["f1"] for r in rows),
           "declined": mean(r["declined"] for r in rows), "both_cited": mean(r["both_cited"] for r in rows),
           "one_cited": mean(r["one_cited"] for r in rows),
           "yes_no_accuracy": mean(r["em"] for r in rows if r["yes_no"]),
           "yes_no_questions": sum(r["yes_no"] for r in rows)}
    for kind in ("bridge", "comparison"):
        part = [r for r in rows if r["type"] == kind]
        out[kind] = {"questions": len(part), "em": mean(r["em"] for r in part), "f1": mean(r["f1"] for r in part)}
    out["p50_ms"] = round(statistics.median(r["ms"] for r in rows), 1)
    return out


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=None, help="a HotpotQA dev JSON (or a prefix of one)")
    parser.add_argument("--part", choices=("test", "tune"), default="test",
                        help=f"test: the first {TEST:,} questions (report once); tune: the rest")
    args = parser.parse_args(argv)
    path = args.data or next(iter(sorted(DATA.glob("*.json"))), None)
    if path is None or not path.exists():
        raise SystemExit(f"no HotpotQA dev file in {DATA}; put hotpot_dev_distractor_v1.json (or a prefix) there")
    questions = load(path)
    part = questions[:TEST] if args.part == "test" else questions[TEST:]
    if not part:
        raise SystemExit(f"{path} holds {len(questions)} questions: none in the {args.part} part")
    folder, files = corpus(questions)
    from qa import QA

    engine = QA.from_folder(folder)
    rows = [outcome(engine, q, files) for q in tqdm(part, desc=f"HotpotQA {args.part}", unit="question")]
    results = {"data": path.name, "part": args.part, "pooled_paragraphs": len(files), **figures(rows), "rows": rows}
    print(markdown(results))
    save("hotpotqa", results)
    return results


def markdown(results: dict[str, Any]) -> str:
    rows = [["all", results["questions"], results["em"], results["f1"]]]
    rows += [[kind, results[kind]["questions"], results[kind]["em"], results[kind]["f1"]]
             for kind in ("bridge", "comparison")]
    lines = [f"HotpotQA dev {results['part']} ({results['questions']} questions, "
             f"{results['pooled_paragraphs']} paragraphs pooled)", "",
             table(["questions", "n", "EM", "F1"], rows), "",
             f"yes/no accuracy {results['yes_no_accuracy']}% of {results['yes_no_questions']}; "
             f"both supporting articles cited {results['both_cited']}% (one: {results['one_cited']}%); "
             f"declined {results['declined']}%; p50 {results['p50_ms']} ms"]
    return "\n".join(lines)


if __name__ == "__main__":
    main(sys.argv[1:])
