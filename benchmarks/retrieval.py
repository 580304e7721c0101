"""Retrieval at 10k, 100k and 1M passages: recall of the dense index against exact search, latency of a
whole retrieval (embed the question, dense search, BM25, fusion), bytes per passage on disk and in memory.

Encoding a million passages takes days on 2 cores, so only the real passages are encoded: the SQuAD dev
paragraphs and the SciFact abstracts (19,596 passages). Larger corpora add derived passages: each mixes
two real passages, vector ``w·a + (1-w)·b`` plus Gaussian noise (sigma 0.01 per dimension) with w drawn
from [0.6, 0.9], text the first w of a's words followed by the last 1-w of b's. Vectors so stay on the
real embedding manifold and texts keep real vocabulary and term statistics. Questions are real (SQuAD
questions and SciFact claims, encoded at query time). Built indexes are cached in .bench-cache/scale.

    python -m benchmarks.retrieval [--sizes 10000 100000 1000000] [--queries 200]
"""
from __future__ import annotations

import argparse
import hashlib
import json
import random
import statistics
import sys
import time
from pathlib import Path

import faiss
import numpy as np
from tqdm.auto import tqdm

from embeddings import Encoder, Index, IndexSettings, Passage, Span
from embeddings import dense, store
from embeddings.sparse import SparseIndex
from embeddings.index import search_stamp, split_stamp
from embeddings.store import Contents, DocumentEntry, Manifest
from qa.metrics import percentile
from qa.public_sets import scifact_corpus, squad_corpus
from embeddings.stores import LocalStore
from embeddings.stores.base import fuse
from qa.retrieval import retrieve

from .common import BENCH_DATA, CACHE, check, ms, peak_rss_mb, rss_mb, run_json, save, settled_rss_mb, table

SCALE = CACHE / "scale"
PASSAGES_PER_DOCUMENT = 10
NOISE = 0.01
DEPTH = 50
TARGET_P50_MS = {100_000: 30.0, 1_000_000: 50.0}
TARGET_RECALL = 0.95


def real_corpora() -> list[Path]:
    """The SQuAD and SciFact corpus folders, indexed with the default settings (built once, cached;
    rebuilt when the index format or settings changed)."""
    squad, _ = squad_corpus(BENCH_DATA / "squad" / "dev-v1.1.json", CACHE)
    scifact, _, _ = scifact_corpus(BENCH_DATA / "scifact", CACHE)
    encoder = Encoder()
    for folder in (squad, scifact):
        Index.open(folder, encoder=encoder)
    return [squad, scifact]


def real_passages() -> tuple[list[str], np.ndarray]:
    texts, blocks = [], []
    for folder in real_corpora():
        contents = store.read(folder / ".citeqa")
        texts += [p.text for p in contents.passages]
        blocks.append(dense.vectors_of(contents.dense))
    return texts, np.concatenate(blocks)


def derive(texts: list[str], vectors: np.ndarray, count: int, seed: int) -> tuple[list[str], np.ndarray]:
    rng = np.random.default_rng(seed)
    a, b = rng.integers(len(texts), size=count), rng.integers(len(texts), size=count)
    w = rng.uniform(0.6, 0.9, size=(count, 1)).astype(np.float32)
    mixed = w * vectors[a] + (1 - w) * vectors[b] + rng.normal(0, NOISE, (count, vectors.shape[1])).astype(np.float32)
    mixed /= np.linalg.norm(mixed, axis=1, keepdims=True)
    out = []
    for i, j, share in zip(a.tolist(), b.tolist(), w[:, 0].tolist()):
        first, second = texts[i].split(), texts[j].split()
        out.append(" ".join(first[:round(share * len(first))] + second[round(share * len(second)):]))
    return out, mixed


def corpus(size: int, texts: list[str], vectors: np.ndarray) -> tuple[list[str], np.ndarray]:
    if size <= len(texts):
        rows = sorted(random.Random(size).sample(range(len(texts)), size))
        return [texts[r] for r in rows], vectors[rows]
    extra_texts, extra_vectors = [], []
    for start in tqdm(range(0, size - len(texts), 100_000), desc="deriving passages", unit="100k"):
        block = min(100_000, size - len(texts) - start)
        t, v = derive(texts, vectors, block, seed=start)
        extra_texts += t
        extra_vectors.append(v)
    return texts + extra_texts, np.concatenate([vectors, *extra_vectors])


def as_passages(texts: list[str]) -> tuple[list[Passage], dict[str, DocumentEntry], dict[str, str]]:
    """Passages grouped into documents of ten, with offsets as if the document were their concatenation
    (which is stored as its text)."""
    passages, documents, stored = [], {}, {}
    for first in range(0, len(texts), PASSAGES_PER_DOCUMENT):
        source, offset, group = f"derived/{first // PASSAGES_PER_DOCUMENT:06d}.txt", 0, texts[first:first + PASSAGES_PER_DOCUMENT]
        for text in group:
            passages.append(Passage(source, offset, offset + len(text), text, (Span(offset, offset + len(text)),)))
            offset += len(text) + 1
        text = "\n".join(group)
        digest = hashlib.sha256(text.encode()).hexdigest()
        documents[source] = DocumentEntry(digest, first, len(group), text_sha256=digest)
        stored[digest] = text
    return passages, documents, stored


def build(size: int) -> None:
    """Write a complete index generation of ``size`` passages, as the indexer would."""
    index_dir = SCALE / str(size)
    if store.exists(index_dir):
        return
    texts, vectors = corpus(size, *real_passages())
    passages, documents, stored = as_passages(texts)
    settings = IndexSettings()
    kind = dense.choose_kind(settings.dense_kind, size)
    started = time.perf_counter()
    dense_index = dense.build(vectors, kind, progress=True)
    dense_s = time.perf_counter() - started
    sparse = SparseIndex.build(texts, settings.bm25_k1, settings.bm25_b, progress=True)
    sparse_s = time.perf_counter() - started - dense_s
    manifest = Manifest(encoder=settings.encoder, dimension=vectors.shape[1], dense_kind=kind,
                        split=split_stamp(settings), documents=documents,
                        passages=len(passages), search=search_stamp(settings))
    store.write(index_dir, Contents(manifest, passages, dense_index, sparse, stored))
    (index_dir / "build.json").write_text(json.dumps({"dense_build_s": dense_s, "bm25_build_s": sparse_s}))


def questions(count: int) -> list[str]:
    _, squad = squad_corpus(BENCH_DATA / "squad" / "dev-v1.1.json", CACHE)
    _, claims, gold = scifact_corpus(BENCH_DATA / "scifact", CACHE)
    picked = [q.text for q in random.Random(7).sample(squad, count // 2)]
    return picked + [claims[qid] for qid in sorted(gold, key=int)[:count - len(picked)]]


def measure(size: int, count: int) -> dict:
    """Open the cached index in this (fresh) process and time retrievals; memory read around the open."""
    index_dir = SCALE / str(size)
    encoder = Encoder()
    asked = questions(count)
    vectors = encoder.encode(asked)
    before = settled_rss_mb()
    started = time.perf_counter()
    contents = store.read(index_dir)
    open_s = time.perf_counter() - started
    index = Index(index_dir, LocalStore(index_dir, contents), encoder)
    after_open = rss_mb()
    exact = faiss.IndexFlatIP(vectors.shape[1])
    exact.add(dense.vectors_of(contents.dense))
    _, truth = exact.search(vectors, 10)
    del exact
    recall = statistics.fmean(len(set(dense.search(contents.dense, v, 10)[0].tolist()) & set(t.tolist())) / 10
                              for v, t in zip(vectors, truth))
    stages: dict[str, list[float]] = {"embed": [], "dense": [], "bm25": [], "fusion": [], "whole": []}
    for question in asked[:5]:
        retrieve(index, question, encoder.encode([question])[0], 5, depth=DEPTH)
    for question in tqdm(asked, desc=f"retrieval at {size:,}", unit="question", file=sys.stderr):
        t0 = time.perf_counter()
        vector = encoder.encode([question])[0]
        t1 = time.perf_counter()
        dense_hits = index.search_dense(vector, DEPTH)
        t2 = time.perf_counter()
        bm25_hits = index.search_sparse(question, DEPTH)
        t3 = time.perf_counter()
        fuse([dense_hits, bm25_hits], 5)
        t4 = time.perf_counter()
        retrieve(index, question, encoder.encode([question])[0], 5, depth=DEPTH)
        t5 = time.perf_counter()
        for name, seconds in zip(stages, (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4)):
            stages[name].append(seconds)
    generation = index_dir / (index_dir / store.CURRENT).read_text().strip()
    disk = {f.relative_to(generation).as_posix(): f.stat().st_size for f in generation.rglob("*") if f.is_file()}
    build_times = json.loads((index_dir / "build.json").read_text())
    return {
        "passages": size, "dense_kind": contents.manifest.dense_kind, "recall@10_vs_exact": round(recall, 4),
        "p50_ms": {k: ms(statistics.median(v)) for k, v in stages.items()},
        "p95_ms": {k: ms(percentile(v, 95)) for k, v in stages.items()},
        "open_s": round(open_s, 2), "memory_bytes_per_passage_open": round((after_open - before) * 2**20 / size),
        "memory_bytes_per_passage_after_queries": round((rss_mb() - before) * 2**20 / size),
        "peak_rss_mb": round(peak_rss_mb()), "disk_bytes_per_passage": round(sum(disk.values()) / size),
        "disk_bytes": disk, "questions": len(asked), **{k: round(v, 1) for k, v in build_times.items()},
    }


def targets(results: dict) -> list[list[str]]:
    out = []
    for row in results["rows"]:
        size = row["passages"]
        out.append(check(f"dense recall@10 vs exact at {size:,} ({row['dense_kind']})", row["recall@10_vs_exact"],
                         TARGET_RECALL, "", higher_is_better=True))
        if size in TARGET_P50_MS:
            out.append(check(f"whole retrieval p50 at {size:,}", row["p50_ms"]["whole"], TARGET_P50_MS[size], "ms"))
    return out


def markdown(results: dict) -> str:
    return report(results["rows"])


def report(rows: list[dict]) -> str:
    return table(
        ["passages", "dense index", "recall@10 vs exact", "embed p50", "dense p50", "BM25 p50", "fusion p50",
         "whole p50 (target)", "whole p95", "disk B/passage", "memory B/passage (open / after queries)", "open s"],
        [[r["passages"], r["dense_kind"], r["recall@10_vs_exact"], r["p50_ms"]["embed"], r["p50_ms"]["dense"],
          r["p50_ms"]["bm25"], r["p50_ms"]["fusion"],
          f"{r['p50_ms']['whole']:.1f} ms" + (f" (≤ {TARGET_P50_MS[r['passages']]:.0f})" if r["passages"] in TARGET_P50_MS else ""),
          f"{r['p95_ms']['whole']:.1f} ms", r["disk_bytes_per_passage"],
          f"{r['memory_bytes_per_passage_open']:,} / {r['memory_bytes_per_passage_after_queries']:,}",
          r["open_s"]] for r in rows])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--build", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--measure", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.build:
        build(args.build)
        print("{}")
        return 0
    if args.measure:
        print(json.dumps(measure(args.measure, args.queries)))
        return 0
    rows = []
    for size in args.sizes:
        run_json("benchmarks.retrieval", "--build", str(size))
        rows.append(run_json("benchmarks.retrieval", "--measure", str(size), "--queries", str(args.queries)))
        print(report(rows[-1:]), flush=True)
    print(report(rows))
    save("retrieval", {"rows": rows, "derivation": {"noise_sigma": NOISE, "mix_weight": [0.6, 0.9]}})
    return 0


if __name__ == "__main__":
    sys.exit(main())
