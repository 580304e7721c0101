"""``make bench``: run every benchmark (each in its own process), then write benchmarks/RESULTS.md
from the JSON they saved in benchmarks/out/.

    python -m benchmarks [--only indexing retrieval answering startup] [--report-only]

A benchmark that was not run keeps its section of the RESULTS.md being replaced (its JSON is not kept
in git), so running one benchmark does not drop the others' figures.
"""
from __future__ import annotations

import argparse
import importlib
import json
import subprocess
import sys

from .common import OUT, ROOT, table

BENCHMARKS = ("indexing", "passages", "ingestion", "hostile", "retrieval", "milvus", "answering", "startup", "load")
TITLES = {
    "indexing": "Indexing throughput and memory",
    "ingestion": "Reading PDF, Word and web pages",
    "hostile": "Hostile documents",
    "passages": "Passage lengths and text without sentence ends",
    "retrieval": "Retrieval at 10k, 100k and 1M passages",
    "milvus": "The Milvus store next to the local store",
    "answering": "Answering one question at a time",
    "startup": "Start-up and memory of the app",
    "load": "Many users at once",
}
RESULTS = ROOT / "benchmarks" / "RESULTS.md"


def render(previous: str = "") -> str:
    """RESULTS.md from the JSON in benchmarks/out/; a benchmark with no JSON there keeps its section and
    target rows from ``previous`` (the RESULTS.md being replaced), so one benchmark can be re-run alone."""
    saved = {name: json.loads((OUT / f"{name}.json").read_text()) for name in BENCHMARKS if (OUT / f"{name}.json").exists()}
    if not saved:
        raise SystemExit(f"no results in {OUT}; run `make bench` first")
    kept_sections, kept_rows = _previous(previous)
    modules = {name: importlib.import_module(f"benchmarks.{name}") for name in saved}
    rows = [[TITLES[name], *row] for name in BENCHMARKS
            for row in (modules[name].targets(saved[name]["results"]) if name in saved else kept_rows.get(name, []))]
    lines = ["# Benchmark results", "",
             "Written by `make bench` (`python -m benchmarks`) from the JSON in `benchmarks/out/`; do not edit by hand. "
             "Each section says when and at which commit it was measured; a benchmark run alone "
             "(`python -m benchmarks --only NAME`) replaces its own section and target rows only.", "",
             "## Targets", "", table(["benchmark", "figure", "measured", "target", "status"], rows), ""]
    for name in BENCHMARKS:
        if name in saved:
            data, module = saved[name], modules[name]
            lines += [f"## {TITLES[name]}", "", _measured(data["machine"]) + " "
                      + " ".join(module.__doc__.split("\n\n")[0].split()), "", module.markdown(data["results"]), ""]
        elif name in kept_sections:
            lines += [kept_sections[name], ""]
    return "\n".join(lines)


def _measured(machine: dict) -> str:
    return (f"Measured {machine['date']} at commit {machine['commit']} on {machine['cpu']}, {machine['cores']} cores, "
            f"{machine['memory_gib']} GiB, Python {machine['python']}, "
            + ", ".join(f"{k} {v}" for k, v in machine["packages"].items()) + ".")


def _previous(text: str) -> tuple[dict[str, str], dict[str, list[list[str]]]]:
    """Sections (by benchmark) and target rows (by benchmark) of an earlier RESULTS.md."""
    names = {title: name for name, title in TITLES.items()}
    sections: dict[str, str] = {}
    for chunk in text.split("\n## ")[1:]:
        title = chunk.split("\n", 1)[0].strip()
        if title in names:
            sections[names[title]] = ("## " + chunk).rstrip()
    rows: dict[str, list[list[str]]] = {}
    targets = text.partition("\n## Targets")[2].split("\n## ", 1)[0]
    for line in targets.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 5 and cells[0] in names:
            rows.setdefault(names[cells[0]], []).append(cells[1:])
    return sections, rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="run the benchmarks and write benchmarks/RESULTS.md")
    parser.add_argument("--only", nargs="+", choices=BENCHMARKS, default=list(BENCHMARKS))
    parser.add_argument("--report-only", action="store_true", help="only rewrite RESULTS.md from saved JSON")
    args = parser.parse_args(argv)
    if not args.report_only:
        for name in args.only:
            print(f"\n== {TITLES[name]} ==", flush=True)
            subprocess.run([sys.executable, "-m", f"benchmarks.{name}"], cwd=ROOT, check=True)
    RESULTS.write_text(render(RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else ""), encoding="utf-8")
    print(f"wrote {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
