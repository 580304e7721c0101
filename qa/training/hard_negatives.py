"""No-answer passages the engine itself would show the reader: for a question of the training set, the
passages its own hybrid retrieval ranks highest from the question's article that do not hold the answer.

The whole training set is indexed once as a corpus folder (one file a paragraph, titled by article) in
the cache; the ranking is ``QA.retrieve`` without the reader (the fused list the reader is given), so a
negative is exactly what the deployed engine would hand it. Results are cached as JSON by question id.

    python -m qa.training.hard_negatives --train ../shared/bench/squad/train-v2.0.rebuilt.json
"""
from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

from tqdm.auto import tqdm

from ..config import Config
from ..public_sets import write_corpus

DEFAULT_TRAIN = Path("../shared/bench/squad/train-v2.0.rebuilt.json")
SHARE = 0.2
"""Share of answerable training questions that get a retrieved negative (the others keep a random one)."""
DEPTH = 10


def corpus(articles: list[dict], cache: Path, limit: int = 0) -> Path:
    """The paragraphs of ``articles`` (the first ``limit`` of the training set's) as files ``AAA_PPP.txt``
    (article, paragraph), written once."""
    folder = Path(cache) / f"squad2-train-corpus{f'-{limit}' if limit else ''}"
    write_corpus(folder, [(f"{a:03d}_{p:03d}", article["title"].replace("_", " "), para["context"])
                          for a, article in enumerate(articles) for p, para in enumerate(article["paragraphs"])])
    return folder


def mine(train: Path, cache: Path, share: float = SHARE, seed: int = 13, limit: int = 0) -> dict[str, list[str]]:
    """Question id -> texts of the retrieved passages of its article that do not hold its answer (best first).
    ``limit``: only the first ``limit`` articles (smoke runs), unless the whole set's are cached: the
    questions are drawn in file order, so those of the first articles are the same either way."""
    from ..engine import QA

    whole = Path(cache) / f"hard-negatives-{share}-{seed}.json"
    out_path = Path(cache) / f"hard-negatives-{share}-{seed}-{limit}.json" if limit else whole
    for cached in (whole, out_path):
        if cached.exists():
            return json.loads(cached.read_text(encoding="utf-8"))
    articles = json.loads(Path(train).read_text(encoding="utf-8"))["data"][:limit or None]
    engine = QA.from_folder(corpus(articles, cache, limit), Config(passage_rerank=False))
    rng, chosen = random.Random(seed), []
    for a, article in enumerate(articles):
        for para in article["paragraphs"]:
            chosen += [(a, q) for q in para["qas"] if q["answers"] and rng.random() < share]
    found: dict[str, list[str]] = {}
    for a, q in tqdm(chosen, desc="mining hard negatives", unit="question", mininterval=5):
        hits = engine.retrieve(q["question"], DEPTH)
        texts = [h.passage.text for h in hits if h.passage.source.startswith(f"{a:03d}_")
                 and not any(ans["text"] in h.passage.text for ans in q["answers"])]
        if texts:
            found[q["id"]] = texts[:3]
    out_path.write_text(json.dumps(found, ensure_ascii=False), encoding="utf-8")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m qa.training.hard_negatives", description=__doc__)
    parser.add_argument("--train", default=str(DEFAULT_TRAIN))
    parser.add_argument("--cache", default=".bench-cache")
    parser.add_argument("--share", type=float, default=SHARE)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--limit", type=int, default=0)
    args = parser.parse_args(argv)
    found = mine(Path(args.train), Path(args.cache), args.share, args.seed, args.limit)
    print(f"{len(found)} questions with a retrieved no-answer passage")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
