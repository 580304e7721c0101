"""Passage lengths and the cost of bounding them: the length distribution over ../shared/docs and the
seeds, and indexing a 5 MB document of normal prose (SQuAD training paragraphs) against the same words
as one line without punctuation, split and encoded by the real pipeline.

    python -m benchmarks.passages [--megabytes 5]
"""
from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

from embeddings import DocumentError, Encoder, Index, read_document, split_document

from .common import BENCH_DATA, ROOT, save, table

DOCS = ROOT.parent / "shared" / "docs"
SEEDS = ROOT / "seeds"
TARGET_EXTRA_S = 5.0


def distribution(encoder: Encoder) -> list[dict]:
    rows = []
    for label, folder in (("../shared/docs", DOCS), ("seeds", SEEDS)):
        chars, tokens = [], []
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            try:
                document = read_document(path, path.name)
            except DocumentError:
                continue
            passages = split_document(document, tokens=encoder.tokens)
            chars += [len(p.text) for p in passages]
            tokens += encoder.tokens.count([p.text for p in passages])
        rows.append({"corpus": label, "passages": len(chars), "median_chars": statistics.median(chars),
                     "max_chars": max(chars), "median_tokens": statistics.median(tokens), "max_tokens": max(tokens)})
    return rows


def texts(megabytes: float) -> dict[str, str]:
    """Distinct prose (SQuAD 2.0 training paragraphs, one a paragraph: repeated text would be dropped as page
    furniture by the cleaning), and the same words as one line without punctuation."""
    data = json.loads((BENCH_DATA / "squad" / "train-v2.0.rebuilt.json").read_text(encoding="utf-8"))["data"]
    size, paragraphs, total = int(megabytes * 10**6), [], 0
    for paragraph in (p["context"] for article in data for p in article["paragraphs"]):
        if total >= size:
            break
        paragraphs.append(paragraph)
        total += len(paragraph) + 2
    normal = "\n\n".join(paragraphs)[:size]
    return {"normal prose": normal, "one line, no punctuation": " ".join(re.sub(r"[^\w\s]", "", normal).split())}


def index_one(name: str, text: str, encoder: Encoder) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        corpus.mkdir()
        (corpus / "doc.txt").write_text(text, encoding="utf-8")
        started = time.perf_counter()
        split = split_document(read_document(corpus / "doc.txt", "doc.txt"), tokens=encoder.tokens)
        split_s = time.perf_counter() - started
        started = time.perf_counter()
        index, report = Index.open(corpus, Path(tmp) / "index", encoder=encoder, progress=True)
        seconds = time.perf_counter() - started
        tokens = sum(encoder.tokens.count([p.text for p in index.passages]))
    print(f"{name}: {seconds:.1f} s, {report.encoded_passages:,} passages", flush=True)
    return {"text": name, "chars": len(text), "passages": report.encoded_passages, "tokens_encoded": tokens,
            "split_seconds": split_s, "index_seconds": seconds}


def run(megabytes: float) -> dict:
    encoder = Encoder()
    encoder.encode(["warm up the kernels"] * 32)
    return {"distribution": distribution(encoder),
            "indexing": [index_one(name, text, encoder) for name, text in texts(megabytes).items()]}


def markdown(results: dict) -> str:
    d = [[r["corpus"], r["passages"], r["median_chars"], r["max_chars"], r["median_tokens"], r["max_tokens"]]
         for r in results["distribution"]]
    i = [[r["text"], r["chars"], r["passages"], r["tokens_encoded"], r["split_seconds"], r["index_seconds"]]
         for r in results["indexing"]]
    return "\n\n".join([
        table(["corpus", "passages", "median chars", "longest chars", "median tokens", "longest tokens"], d),
        table(["5 MB document", "characters", "passages", "tokens encoded", "split s", "whole sync s"], i)])


def targets(results: dict) -> list[list]:
    normal, flat = results["indexing"]
    extra = flat["index_seconds"] - normal["index_seconds"]
    longest = max(r["max_tokens"] for r in results["distribution"])
    return [["longest passage of ../shared/docs and seeds", f"{longest} tokens", "≤ 224", "met" if longest <= 224 else "**missed**"],
            ["a 5 MB line against 5 MB of prose, extra sync time", f"{extra:+.1f} s", f"≤ {TARGET_EXTRA_S:g} s",
             "met" if extra <= TARGET_EXTRA_S else "**missed** (see the passages section)"]]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--megabytes", type=float, default=5.0)
    results = run(parser.parse_args().megabytes)
    save("passages", results)
    print(markdown(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
