"""Answering with the default models (retrieval and the trained reader): end-to-end time of ``QA.stream``,
time to the first streamed text, a profile of its stages and the reader tokens read per question, on the
project's seeds questions (74) and on SQuAD 2.0 TEST questions over their open corpus (1,204 paragraphs),
against one bare forward pass of the reader network over 5 × 320 tokens measured in the same run.

    python -m benchmarks.answering [--rounds 2] [--squad 100] [--stop-score S]
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

import torch
from tqdm.auto import tqdm

from qa import QA, Answer, Config
from qa.evaluation import DEFAULT_QUESTIONS, load_questions
from qa.metrics import percentile

from .common import BENCH_DATA, CACHE, ROOT, check, ms, peak_rss_mb, save, table

TARGETS_MS = {"end_to_end_p50": 100, "end_to_end_p95": 1500, "first_text_p50": 800}
TARGET_RATIO = 0.45
STAGES = ("retrieve", "read", "choose", "cite", "verify")


def bare_forward_ms(qa: QA, rounds: int = 15) -> float:
    """Median of one forward pass of the reader network over 5 passages of 320 tokens, nothing else."""
    ids = torch.randint(1000, 20000, (5, qa.reader.max_length))
    batch = {"input_ids": ids, "attention_mask": torch.ones_like(ids), "token_type_ids": torch.zeros_like(ids)}
    times = []
    with torch.inference_mode():
        for n in range(rounds + 3):
            started = time.perf_counter()
            qa.reader.model(**batch)
            if n >= 3:  # the first passes warm the kernels
                times.append(time.perf_counter() - started)
    return ms(statistics.median(times))


def answer_all(qa: QA, questions: list[str], rounds: int, desc: str) -> dict:
    total, first, stages, tokens, declined = [], [], {}, [], 0
    for _ in range(rounds):
        for question in tqdm(questions, desc=desc, unit="question"):
            started, first_at = time.perf_counter(), None
            for piece in qa.stream(question):
                if first_at is None and isinstance(piece, str) and piece.strip():
                    first_at = time.perf_counter()
            assert isinstance(piece, Answer)
            total.append(time.perf_counter() - started)
            first.append(first_at - started)
            declined += not piece.answerable
            tokens.append(_tokens_read(qa, piece))
            laps = {name: value / 1000 for name, value in piece.timings_ms.items() if name != "total"}
            laps["other"] = max(0.0, total[-1] - sum(laps.values()))
            for stage in (*STAGES, "other"):
                stages.setdefault(stage, []).append(laps.get(stage, 0.0))
    return {"questions": len(questions), "rounds": rounds, "declined": declined // rounds,
            "end_to_end_ms": _spread(total), "first_text_ms": _spread(first),
            "stages_ms": {name: _spread(values) for name, values in stages.items()},
            "tokens_read": {"mean": round(statistics.fmean(tokens)), "p50": statistics.median(tokens)}}


def _tokens_read(qa: QA, answer: Answer) -> int:
    """Question-and-passage tokens of the passages the reader read (an engine that does not say how
    many it read, before ``passages_read`` existed, read them all)."""
    read = getattr(answer, "passages_read", 0) or len(answer.passages)
    texts = [p.text for p in answer.passages[:read]]
    return sum(len(ids) for ids in qa.reader.tokenizer([answer.question] * len(texts), texts, truncation="only_first",
                                                       max_length=qa.reader.max_length)["input_ids"]) if texts else 0


def squad_questions(sample: int, seed: int = 13) -> tuple[Path, list[str]] | None:
    """Half answerable, half unanswerable SQuAD 2.0 TEST questions and the corpus of every dev paragraph."""
    from qa.public_sets import _test_only, squad_corpus
    from qa.training.squad_split import V2

    data = BENCH_DATA / "squad" / V2
    if not data.exists():
        return None
    folder, questions = squad_corpus(data, CACHE, "squad2-corpus")
    pool = _test_only(questions, data, None)
    rng = random.Random(seed)
    picked = (rng.sample([q for q in pool if q.answers], sample // 2)
              + rng.sample([q for q in pool if not q.answers], sample - sample // 2))
    rng.shuffle(picked)
    return folder, [q.text for q in picked]


def measure(rounds: int, squad: int, config: Config) -> dict:
    qa = QA.from_folder(ROOT / "seeds", config, progress=False)
    seeds = [q.question for q in load_questions(DEFAULT_QUESTIONS)]
    qa.ask(seeds[0])
    before = bare_forward_ms(qa)
    results = {"reader": qa.config.reader, "stop_score": qa.stop_score,
               "dtype": str(next(qa.reader.model.parameters()).dtype).removeprefix("torch."),
               "seeds": answer_all(qa, seeds, rounds, "seeds questions")}
    results["bare_forward_5x320_ms"] = round((before + bare_forward_ms(qa)) / 2, 2)
    results["ratio"] = round(results["seeds"]["end_to_end_ms"]["p50"] / results["bare_forward_5x320_ms"], 3)
    picked = squad_questions(squad) if squad else None
    if picked:
        folder, questions = picked
        open_qa = QA.from_folder(folder, config, progress=True)
        open_qa.ask(questions[0])
        results["squad2_open"] = answer_all(open_qa, questions, 1, "SQuAD 2.0 TEST questions")
    results["peak_rss_mb"] = round(peak_rss_mb())
    return results


def _spread(seconds: list[float]) -> dict[str, float]:
    return {"p50": ms(statistics.median(seconds)), "p95": ms(percentile(seconds, 95)), "max": ms(max(seconds))}


def targets(results: dict) -> list[list[str]]:
    total, first = results["seeds"]["end_to_end_ms"], results["seeds"]["first_text_ms"]
    return [check("answer end to end, p50", total["p50"], TARGETS_MS["end_to_end_p50"], "ms"),
            check("answer end to end, p95", total["p95"], TARGETS_MS["end_to_end_p95"], "ms"),
            check("answer p50 / one bare 5 × 320 reader pass", results["ratio"], TARGET_RATIO),
            check("first streamed text, p50", first["p50"], TARGETS_MS["first_text_p50"], "ms"),
            check("first streamed text, p95", first["p95"], TARGETS_MS["first_text_p50"], "ms")]


def markdown(results: dict) -> str:
    sets = [name for name in ("seeds", "squad2_open") if name in results]
    rows = [["end to end", *[results[s]["end_to_end_ms"][q] for s in sets for q in ("p50", "p95")]],
            ["first streamed text", *[results[s]["first_text_ms"][q] for s in sets for q in ("p50", "p95")]]]
    rows += [[f"stage: {stage}", *[results[s]["stages_ms"][stage][q] for s in sets for q in ("p50", "p95")]]
             for stage in (*STAGES, "other")]
    rows += [["reader tokens read (mean, p50)", *[results[s]["tokens_read"][q] for s in sets for q in ("mean", "p50")]]]
    headers = ["measure (ms)", *[f"{s} {q}" for s in sets for q in ("p50", "p95")]]
    return (table(headers, rows) + f"\n\nOne bare forward pass of the reader over 5 × 320 tokens: "
            f"{results['bare_forward_5x320_ms']} ms; a seeds question's p50 is {results['ratio']} of it "
            f"(stop score {results['stop_score']}, {results['dtype']}).")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=2, help="times the seeds questions are asked")
    parser.add_argument("--squad", type=int, default=100, help="SQuAD 2.0 TEST questions asked (0: none)")
    parser.add_argument("--stop-score", type=float, default=None,
                        help="Config.stop_score (default: the reader's; inf reads every passage)")
    args = parser.parse_args(argv)
    results = measure(args.rounds, args.squad, Config(stop_score=args.stop_score))
    print(markdown(results))
    save("answering", results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
