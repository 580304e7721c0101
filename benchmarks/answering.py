"""Answering with the default models (retrieval and the trained reader) on the project's question set (the seeds, 74 questions):
end-to-end time of ``QA.stream``, time to the first streamed text, and the time of each stage.

    python -m benchmarks.answering [--questions FILE] [--rounds 2]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time

from tqdm.auto import tqdm

from qa import QA, Answer, Config
from qa.evaluation import DEFAULT_QUESTIONS, load_questions
from qa.metrics import percentile

from .common import ROOT, check, ms, peak_rss_mb, save, table

TARGETS_MS = {"end_to_end_p50": 1000, "end_to_end_p95": 1500, "first_text_p50": 800}


def measure(questions: list[str], rounds: int) -> dict:
    qa = QA.from_folder(ROOT / "seeds", Config(), progress=False)
    qa.ask(questions[0])
    total, first, stages, declined = [], [], {}, 0
    for _ in range(rounds):
        for question in tqdm(questions, desc="answering", unit="question"):
            started, first_at = time.perf_counter(), None
            for piece in qa.stream(question):
                if first_at is None and isinstance(piece, str) and piece.strip():
                    first_at = time.perf_counter()
            assert isinstance(piece, Answer)
            total.append(time.perf_counter() - started)
            first.append(first_at - started)
            declined += not piece.answerable
            for stage, value in piece.timings_ms.items():
                stages.setdefault(stage, []).append(value / 1000)
    return {
        "questions": len(questions), "rounds": rounds, "declined": declined // rounds, "writer": qa.config.writer,
        "reader": qa.config.reader, "dtype": str(next(qa.reader.model.parameters()).dtype).removeprefix("torch."),
        "end_to_end_ms": _spread(total), "first_text_ms": _spread(first),
        "stages_ms": {name: _spread(values) for name, values in stages.items() if name != "total"},
        "peak_rss_mb": round(peak_rss_mb()),
    }


def _spread(seconds: list[float]) -> dict[str, float]:
    return {"p50": ms(statistics.median(seconds)), "p95": ms(percentile(seconds, 95)), "max": ms(max(seconds))}


def targets(results: dict) -> list[list[str]]:
    total, first = results["end_to_end_ms"], results["first_text_ms"]
    return [check("answer end to end, p50", total["p50"], TARGETS_MS["end_to_end_p50"], "ms"),
            check("answer end to end, p95", total["p95"], TARGETS_MS["end_to_end_p95"], "ms"),
            check("first streamed text, p50", first["p50"], TARGETS_MS["first_text_p50"], "ms"),
            check("first streamed text, p95", first["p95"], TARGETS_MS["first_text_p50"], "ms")]


def markdown(results: dict) -> str:
    rows = [["end to end", results["end_to_end_ms"]["p50"], results["end_to_end_ms"]["p95"],
             f"p50 ≤ {TARGETS_MS['end_to_end_p50']}, p95 ≤ {TARGETS_MS['end_to_end_p95']}"],
            ["first streamed text", results["first_text_ms"]["p50"], results["first_text_ms"]["p95"],
             f"≤ {TARGETS_MS['first_text_p50']}"]]
    rows += [[f"stage: {name}", v["p50"], v["p95"], ""] for name, v in results["stages_ms"].items()]
    return table(["measure (ms)", "p50", "p95", "target"], rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--questions", default=str(DEFAULT_QUESTIONS))
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args(argv)
    results = measure([q.question for q in load_questions(args.questions)], args.rounds)
    print(markdown(results))
    save("answering", results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
