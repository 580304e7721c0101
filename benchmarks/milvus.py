"""The Milvus store next to the local store at 10k, 100k and 300k passages: per-retrieval latency
through a ``milvus-lite server`` process over localhost gRPC (dense, BM25 computed by the server,
hybrid RRF in one request), dense recall@10 against exact search, write rate, what the server holds in
memory and on disk, and how long the first search after writing and opening the store on a restarted
server take. Passages and vectors are the retrieval benchmark's (real SQuAD and SciFact passages,
derived ones beyond 19,596); questions are real and encoded once, so only the store is timed. Then the
questions of the three seeds sets through both stores: how many answers are the same.

    python -m benchmarks.milvus [--sizes 10000 100000 300000] [--queries 200] [--fresh]

And SciFact (nDCG@10, 300 test claims) and SQuAD (R@1/R@5, 1,000 TEST-article questions) retrieval
through each store, as ``citeqa eval --benchmark scifact|squad --store …`` measures them (the Milvus
Lite files are kept in .bench-cache/milvus, so only the first run encodes).
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import time
from dataclasses import replace

import faiss
import numpy as np
import psutil

from embeddings import Encoder, Index, IndexSettings, open_store
from embeddings import dense, store
from embeddings.index import search_stamp, split_stamp
from embeddings.stores import LocalStore, NewDocument
from embeddings.stores.lite_server import MilvusServer
from embeddings.store import Manifest
from qa.metrics import percentile

from .common import CACHE, ROOT, check, ms, save, table
from .retrieval import SCALE, as_passages, build, corpus, questions, real_passages

DEPTH = 50
DATA = CACHE / "milvus-scale"


def _documents(texts: list[str]) -> tuple[Manifest, list[NewDocument]]:
    passages, documents, stored = as_passages(texts)
    settings = IndexSettings()
    manifest = Manifest(encoder=settings.encoder, dimension=0, dense_kind="milvus", split=split_stamp(settings),
                        documents={}, passages=len(passages), search=search_stamp(settings))
    fresh = []
    for source, entry in documents.items():
        rows = slice(entry.first, entry.first + entry.count)
        fresh.append(NewDocument(source, replace(entry, first=0), passages[rows], texts[rows], np.zeros(0),
                                 stored[entry.sha256]))
    return manifest, fresh


def load(size: int, server: MilvusServer) -> tuple[object, float | None]:
    """The collection of ``size`` passages (written once, kept in .bench-cache); seconds taken to write it."""
    target = open_store(f"{server.uri}?collection=scale_{size}", DATA, DATA)
    found = target.manifest()
    if found is not None and found.passages == size:
        return target, None
    texts, vectors = corpus(size, *real_passages())
    manifest, fresh = _documents(texts)
    first = 0
    for i, doc in enumerate(fresh):
        fresh[i] = replace(doc, vectors=vectors[first:first + len(doc.passages)])
        first += len(doc.passages)
    manifest = replace(manifest, dimension=vectors.shape[1],
                       documents={doc.source: doc.entry for doc in fresh})
    started = time.perf_counter()
    written = target.update(manifest, fresh, [], progress=True)
    return written, time.perf_counter() - started


def indexed(target, timeout_s: float = 1800) -> None:
    """Wait until Milvus has built its indexes over every row (it searches the rest by brute force)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        pending = [target.client.describe_index(target.collection, field)["pending_index_rows"]
                   for field in ("dense", "sparse")]
        if not any(pending):
            return
        time.sleep(2)
    raise RuntimeError(f"{target.collection}: indexes still pending after {timeout_s:.0f} s")


def _reopened(server: MilvusServer, size: int) -> tuple[object, float]:
    """The server restarted (every collection released) and the store opened afresh, as an app starting
    on it would: seconds to load the collections and read their indexes and the documents table."""
    server.stop()
    server.start()
    started = time.perf_counter()
    target = open_store(f"{server.uri}?collection=scale_{size}", DATA, DATA)
    target.manifest()
    return target, time.perf_counter() - started


def _timed(action, asked) -> tuple[list[float], list]:
    times, results = [], []
    for item in asked:
        started = time.perf_counter()
        results.append(action(item))
        times.append(time.perf_counter() - started)
    return times, results


def measure(size: int, count: int) -> dict:
    build(size)  # the local index of the retrieval benchmark, same passages
    local = Index(SCALE / str(size), LocalStore(SCALE / str(size)), encoder=None)
    server = MilvusServer(DATA / str(size)).start()
    try:
        remote_store, write_s = load(size, server)
        indexed(remote_store)
        started = time.perf_counter()
        remote_store._warm()  # what a reading app does before it sees a changed documents table
        warm_after_write_s = time.perf_counter() - started
        remote_store, open_s = _reopened(server, size)
        remote = Index(DATA, remote_store, encoder=None)
        asked = questions(count)
        vectors = Encoder().encode(asked)
        pairs = list(zip(asked, vectors))
        exact = faiss.IndexFlatIP(vectors.shape[1])
        exact.add(dense.vectors_of(local.store.contents.dense))
        _, truth = exact.search(vectors, 10)
        passages = local.store.contents.passages
        truth_keys = [{(passages[r].source, passages[r].start) for r in row} for row in truth]
        row: dict = {"passages": size, "questions": len(asked),
                     "write_s": round(write_s, 1) if write_s else None,
                     "write_passages_per_s": round(size / write_s) if write_s else None,
                     "first_read_after_write_s": round(warm_after_write_s, 2) if write_s else None,
                     "open_after_restart_s": round(open_s, 2)}
        for name, index in (("local", local), ("milvus", remote)):
            for q, v in pairs[:5]:
                index.search_hybrid(q, v, 5, DEPTH)
            dense_t, found = _timed(lambda p: index.search_dense(p[1], 10), pairs)
            bm25_t, _ = _timed(lambda p: index.search_sparse(p[0], DEPTH), pairs)
            hybrid_t, _ = _timed(lambda p: index.search_hybrid(p[0], p[1], 5, DEPTH), pairs)
            recall = statistics.fmean(len({(h.passage.source, h.passage.start) for h in hits} & t) / 10
                                      for hits, t in zip(found, truth_keys))
            row[name] = {"recall@10_vs_exact": round(recall, 4),
                         **{f"{stage}_p50_ms": ms(statistics.median(t)) for stage, t in
                            (("dense", dense_t), ("bm25", bm25_t), ("hybrid", hybrid_t))},
                         "hybrid_p95_ms": ms(percentile(hybrid_t, 95))}
        started = time.perf_counter()
        remote_store._read_manifest()  # what an app does every REFRESH_SECONDS to see other indexers' documents
        row["milvus"]["documents_read_ms"] = ms(time.perf_counter() - started)
        row["milvus"]["documents"] = len(remote.documents)
        process = psutil.Process(server.process.pid)
        row["milvus"]["server_rss_mb"] = round(sum(p.memory_info().rss for p in [process, *process.children(True)]) / 2**20)
        row["milvus"]["disk_bytes_per_passage"] = round(sum(f.stat().st_size for f in server.data_dir.rglob("*")
                                                            if f.is_file()) / size)
        generation = SCALE / str(size) / (SCALE / str(size) / store.CURRENT).read_text().strip()
        row["local"]["disk_bytes_per_passage"] = round(sum(f.stat().st_size for f in generation.rglob("*")
                                                           if f.is_file()) / size)
        return row
    finally:
        server.stop()


PUBLIC = {"scifact": ("ndcg@10",), "squad": ("recall@1", "recall@5")}


def public_parity() -> dict:
    """The public retrieval sets through the local store and through Milvus Lite (a file)."""
    from qa import Config, public_sets

    from .common import BENCH_DATA

    out = {}
    for name in PUBLIC:
        out[name] = {}
        for store_name, uri in (("local", "local"), ("milvus", f"milvus:{CACHE / 'milvus' / f'{name}.db'}")):
            config = Config(store=uri)
            if name == "scifact":
                report = public_sets.scifact(BENCH_DATA / "scifact", CACHE, config=config)
            else:
                report = public_sets.squad(BENCH_DATA / "squad" / "dev-v1.1.json", CACHE, 1000, config=config)
            out[name][store_name] = report["retrieval"]
    return out


def public_report(public: dict) -> str:
    body = []
    for name, metrics in PUBLIC.items():
        for row in public[name]["local"]:
            for metric in metrics:
                a, b = public[name]["local"][row][metric], public[name]["milvus"][row][metric]
                body.append([name, row, metric, f"{a:.4f}", f"{b:.4f}", f"{(b - a) * 100:+.2f}"])
    return table(["set", "ranking", "metric", "local", "milvus", "difference (points)"], body)


def seeds_parity() -> dict:
    """Each seeds-set question answered over the local store and over a Milvus server: what differs."""
    from qa import QA, Config
    from qa.evaluation import load_questions

    work = DATA / "seeds"
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(ROOT / "seeds", work / "corpus", ignore=shutil.ignore_patterns(".citeqa"))
    server = MilvusServer(work / "data").start()
    try:
        local = QA.from_folder(work / "corpus", progress=False)
        remote = QA.from_folder(work / "corpus", Config(store=f"{server.uri}?collection=seeds_parity"), progress=False)
        counts = {"questions": 0, "same_decision": 0, "same_short_answer": 0, "same_quotes": 0, "same_answer": 0}
        differ = []
        for name in ("seeds.jsonl", "seeds_heldout.jsonl", "seeds_heldout2.jsonl"):
            for q in load_questions(ROOT / "qa" / "eval_sets" / name):
                a, b = local.ask(q.question).to_dict(), remote.ask(q.question).to_dict()
                counts["questions"] += 1
                counts["same_decision"] += a["answerable"] == b["answerable"]
                counts["same_short_answer"] += a["short_answer"] == b["short_answer"]
                counts["same_quotes"] += a["quotes"] == b["quotes"]
                counts["same_answer"] += a["answer"] == b["answer"]
                if a["answer"] != b["answer"]:
                    differ.append({"set": name, "question": q.question, "local": a["answer"][:160],
                                   "milvus": b["answer"][:160]})
        return {**counts, "differ": differ}
    finally:
        server.stop()


def report(rows: list[dict]) -> str:
    body = []
    for r in rows:
        for name in ("local", "milvus"):
            s = r[name]
            body.append([r["passages"], name, s["recall@10_vs_exact"], s["dense_p50_ms"], s["bm25_p50_ms"],
                         s["hybrid_p50_ms"], s["hybrid_p95_ms"], s["disk_bytes_per_passage"],
                         s.get("server_rss_mb", "–"),
                         f"{s['documents_read_ms']:,.0f} ms ({s['documents']:,})" if "documents_read_ms" in s else "–",
                         (f"{r['write_passages_per_s']:,}/s" if r.get("write_passages_per_s") and name == "milvus" else "–"),
                         (f"{r['first_read_after_write_s']:.1f} s" if r.get("first_read_after_write_s") is not None
                          and name == "milvus" else "–"),
                         f"{r['open_after_restart_s']:.1f} s" if name == "milvus" and "open_after_restart_s" in r else "–"])
    return table(["passages", "store", "dense recall@10 vs exact", "dense p50 ms", "BM25 p50 ms", "hybrid p50 ms",
                  "hybrid p95 ms", "disk B/passage", "server RSS MB", "documents table read (documents)", "write rate",
                  "first search after writing", "open after a restart"], body)


def seeds_report(parity: dict) -> str:
    n = parity["questions"]
    return table(["seeds-set questions", "same answer/decline", "same short answer", "same quotes", "same answer text"],
                 [[n, f"{parity['same_decision']}/{n}", f"{parity['same_short_answer']}/{n}",
                   f"{parity['same_quotes']}/{n}", f"{parity['same_answer']}/{n}"]])


def markdown(results: dict) -> str:
    parts = [report(results["rows"])]
    if "public" in results:
        parts += ["", public_report(results["public"])]
    if "seeds" in results:
        parts += ["", seeds_report(results["seeds"])]
    return "\n".join(parts)


def targets(results: dict) -> list[list[str]]:
    """Parity: within 1 point of the local store on the engine's ranking (hybrid, reader-reordered)."""
    out = []
    for name, metrics in PUBLIC.items():
        if name not in results.get("public", {}):
            continue
        for metric in metrics:
            local, milvus = (results["public"][name][s]["hybrid+reader"][metric] for s in ("local", "milvus"))
            out.append(check(f"{name} {metric}: Milvus minus local store (points)", round((milvus - local) * 100, 2),
                             -1.0, "", higher_is_better=True))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 300_000])
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--fresh", action="store_true", help="write the collections again (measures the write rate)")
    parser.add_argument("--skip-public", action="store_true", help="leave out SciFact and SQuAD (the first run encodes ~20k passages)")
    args = parser.parse_args(argv)
    if args.fresh:
        shutil.rmtree(DATA, ignore_errors=True)
    rows = []
    for size in args.sizes:
        rows.append(measure(size, args.queries))
        print(report(rows[-1:]), flush=True)
    print(report(rows))
    public = {} if args.skip_public else public_parity()
    if public:
        print(public_report(public))
    parity = seeds_parity()
    print(seeds_report(parity))
    for d in parity["differ"]:
        print(f"- {d['question']}\n    local:  {d['local']}\n    milvus: {d['milvus']}")
    save("milvus", {"rows": rows, "seeds": parity, **({"public": public} if public else {})})
    return 0


if __name__ == "__main__":
    sys.exit(main())
