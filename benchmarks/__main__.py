"""``make bench``: run every benchmark (each in its own process), then write benchmarks/RESULTS.md
from the JSON they saved in benchmarks/out/.

    python -m benchmarks [--only indexing retrieval answering startup] [--report-only]
"""
from __future__ import annotations

import argparse
import importlib
import json
import subprocess
import sys

from .common import OUT, ROOT, table

BENCHMARKS = ("indexing", "ingestion", "retrieval", "milvus", "answering", "startup", "load")
TITLES = {
    "indexing": "Indexing throughput and memory",
    "ingestion": "Reading PDF, Word and web pages",
    "retrieval": "Retrieval at 10k, 100k and 1M passages",
    "milvus": "The Milvus store next to the local store",
    "answering": "Answering the seeds question set",
    "startup": "Start-up and memory of the app",
    "load": "Many users at once",
}
RESULTS = ROOT / "benchmarks" / "RESULTS.md"


def render() -> str:
    saved = {name: json.loads((OUT / f"{name}.json").read_text()) for name in BENCHMARKS if (OUT / f"{name}.json").exists()}
    if not saved:
        raise SystemExit(f"no results in {OUT}; run `make bench` first")
    modules = {name: importlib.import_module(f"benchmarks.{name}") for name in saved}
    machine = next(iter(saved.values()))["machine"]
    rows = [row for name in saved for row in modules[name].targets(saved[name]["results"])]
    lines = ["# Benchmark results", "",
             "Written by `make bench` (`python -m benchmarks`) from the JSON in `benchmarks/out/`; do not edit by hand.", "",
             f"Machine: {machine['cpu']}, {machine['cores']} cores, {machine['memory_gib']} GiB, Python {machine['python']}, "
             + ", ".join(f"{k} {v}" for k, v in machine["packages"].items()) + f". Commit {machine['commit']}.", "",
             "## Targets", "", table(["figure", "measured", "target", "status"], rows), ""]
    for name, data in saved.items():
        module = modules[name]
        lines += [f"## {TITLES[name]}", "", f"Measured {data['machine']['date']} at commit {data['machine']['commit']}. "
                  + " ".join(module.__doc__.split("\n\n")[0].split()), "", module.markdown(data["results"]), ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="run the benchmarks and write benchmarks/RESULTS.md")
    parser.add_argument("--only", nargs="+", choices=BENCHMARKS, default=list(BENCHMARKS))
    parser.add_argument("--report-only", action="store_true", help="only rewrite RESULTS.md from saved JSON")
    args = parser.parse_args(argv)
    if not args.report_only:
        for name in args.only:
            print(f"\n== {TITLES[name]} ==", flush=True)
            subprocess.run([sys.executable, "-m", f"benchmarks.{name}"], cwd=ROOT, check=True)
    RESULTS.write_text(render(), encoding="utf-8")
    print(f"wrote {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
