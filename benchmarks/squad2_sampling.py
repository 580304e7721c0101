"""SQuAD 2.0 TEST as an open corpus: how far a sample of 100 answerable + 100 unanswerable questions may
stray from the project's 600 + 600 by chance, and whether the corpus's set-up moves the figures. The
engine answers the same 1,200 questions (seed 13, as ``citeqa eval --benchmark squad2``) over the 1,204
paragraphs twice: with each paragraph's article title (``metadata.json``, as the evaluation builds
it) and with the bare paragraph files only; then 2,000 draws of 100 + 100 from each run's outcomes give
95% intervals of F1, answerable and unanswerable declined, and ECE of the answered. ``--part pools``:
the share of unanswerable questions declined in each article group of the dev file (150 drawn from
each), for a sample drawn from other articles than TEST's.

    python -m benchmarks.squad2_sampling               # about 15 minutes on 2 cores; benchmarks/out/squad2_sampling.json
    python -m benchmarks.squad2_sampling --part pools  # about 2 minutes; benchmarks/out/squad2_pools.json
"""
from __future__ import annotations

import argparse
import random
import shutil
import sys
from pathlib import Path

from tqdm.auto import tqdm

from .common import ROOT, save, table

BENCH = ROOT.parent / "shared" / "bench" / "squad" / "dev-v2.0.from-explorer.json"
CACHE = ROOT / ".bench-cache"
DRAWS = 2000
DRAW_SIZE = 100


def outcomes(folder: Path, questions) -> list[dict]:
    """Each question answered by the default engine over ``folder``: declined, SQuAD 2.0 F1, confidence, right."""
    from qa import QA, metrics, reliability
    from qa.evaluation import judged_span

    engine = QA.from_folder(folder)
    rows = []
    for q in tqdm(questions, desc=folder.name, unit="question"):
        answer = engine.ask(q.text)
        predicted = answer.short_answer.text if answer.answerable and answer.short_answer else None
        rows.append({"answerable": bool(q.answers), "declined": predicted is None,
                     "f1": metrics.squad2(predicted, q.answers)[1], "confidence": answer.confidence,
                     "right": reliability.right(judged_span(engine, q.text, answer), q.answers)})
    return rows


def figures(rows: list[dict]) -> dict[str, float]:
    from qa import reliability

    has = [r for r in rows if r["answerable"]]
    no = [r for r in rows if not r["answerable"]]
    answered = [(r["confidence"], r["right"]) for r in rows if not r["declined"] and r["confidence"] is not None]
    return {"f1": 100 * sum(r["f1"] for r in rows) / len(rows),
            "answerable_declined": 100 * sum(r["declined"] for r in has) / len(has),
            "unanswerable_declined": 100 * sum(r["declined"] for r in no) / len(no),
            "ece_answered": reliability.ece(answered, 15) or 0.0}


def intervals(rows: list[dict], seed: int = 7) -> dict[str, list[float]]:
    """2.5th and 97.5th percentiles of each figure over DRAWS samples of DRAW_SIZE + DRAW_SIZE."""
    rng = random.Random(seed)
    has = [r for r in rows if r["answerable"]]
    no = [r for r in rows if not r["answerable"]]
    draws = [figures(rng.sample(has, DRAW_SIZE) + rng.sample(no, DRAW_SIZE)) for _ in range(DRAWS)]
    out = {}
    for name in draws[0]:
        ordered = sorted(d[name] for d in draws)
        out[name] = [ordered[int(0.025 * DRAWS)], ordered[int(0.975 * DRAWS) - 1]]
    return out


def run() -> dict:
    from qa.public_sets import _test_only, squad_corpus

    folder, questions = squad_corpus(BENCH, CACHE, "squad2-corpus")
    pool = _test_only(questions, BENCH, None)
    rng = random.Random(13)  # as qa.public_sets.squad2
    answerable = [q for q in pool if q.answers]
    unanswerable = [q for q in pool if not q.answers]
    picked = rng.sample(answerable, 600) + rng.sample(unanswerable, 600)
    rng.shuffle(picked)
    bare = CACHE / "squad2-corpus-untitled"
    if not (bare / ".complete").exists():
        bare.mkdir(parents=True, exist_ok=True)
        for path in folder.glob("*.txt"):
            shutil.copy(path, bare / path.name)
        (bare / ".complete").write_text("ok")
    results = {}
    for name, corpus in (("titles in metadata.json (the evaluation's set-up)", folder), ("paragraph files only", bare)):
        rows = outcomes(corpus, picked)
        results[name] = {"all": figures(rows), "interval": intervals(rows)}
    return results


def markdown(results: dict) -> str:
    rows = []
    for name, r in results.items():
        a, i = r["all"], r["interval"]
        rows.append([name, *(f"{a[k]:.1f} ({i[k][0]:.1f}–{i[k][1]:.1f})" for k in ("f1", "answerable_declined",
                                                                                    "unanswerable_declined")),
                     f"{a['ece_answered']:.3f} ({i['ece_answered'][0]:.3f}–{i['ece_answered'][1]:.3f})"])
    return table(["corpus", "F1 (95% of 100+100 draws)", "answerable declined %", "unanswerable declined %",
                  "ECE, answered"], rows)


def pools(per_group: int = 150, seed: int = 99) -> dict[str, dict]:
    """Unanswerable questions declined, by article group of qa.training.squad_split (TUNE, TEST)."""
    from qa import QA
    from qa.public_sets import squad_corpus
    from qa.training import squad_split

    folder, questions = squad_corpus(BENCH, CACHE, "squad2-corpus")
    engine = QA.from_folder(folder, progress=False)
    out = {}
    for group, articles in squad_split.article_split(BENCH.parent).items():
        pool = [q for q in questions if q.article in set(articles) and not q.answers]
        picked = random.Random(seed).sample(pool, min(per_group, len(pool)))
        declined = [not engine.ask(q.text).answerable for q in tqdm(picked, desc=group, unit="question")]
        out[group] = {"articles": len(articles), "unanswerable": len(pool), "asked": len(picked),
                      "declined": 100 * sum(declined) / len(declined)}
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--part", choices=("setups", "pools"), default="setups")
    if parser.parse_args(argv).part == "pools":
        groups = pools()
        save("squad2_pools", groups)
        print(table(["articles", "unanswerable questions", "asked", "declined %"],
                    [[f"{name} ({g['articles']})", g["unanswerable"], g["asked"], g["declined"]] for name, g in groups.items()]))
        return 0
    results = run()
    save("squad2_sampling", results)
    print(markdown(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
