"""RESULTS.md: a benchmark run alone replaces its own section and target rows and keeps the others'."""
import json
import sys
import types

import benchmarks.__main__ as report

MACHINE = {"cpu": "cpu", "cores": 2, "memory_gib": 23.5, "python": "3.11", "packages": {}, "date": "2026-12-02 10:00",
           "commit": "abc1234"}


def _fake_ingestion(monkeypatch, tmp_path, value: float) -> None:
    module = types.ModuleType("benchmarks.ingestion")
    module.__doc__ = "Reading documents."
    module.targets = lambda results: [["extraction share", results["share"], "≤ 0.25", "met"]]
    module.markdown = lambda results: f"share is {results['share']}"
    monkeypatch.setitem(sys.modules, "benchmarks.ingestion", module)
    monkeypatch.setattr(report, "OUT", tmp_path)
    (tmp_path / "ingestion.json").write_text(json.dumps({"machine": MACHINE, "results": {"share": value}}))


PREVIOUS = """# Benchmark results

## Targets

| benchmark | figure | measured | target | status |
|---|---|---|---|---|
| Indexing throughput and memory | indexing / raw encode | 1.04 | ≥ 0.9 | met |
| Reading PDF, Word and web pages | extraction share | 0.5 | ≤ 0.25 | missed |

## Indexing throughput and memory

Measured long ago.

| files | passages |
|---|---|
| 12 | 920 |

## Reading PDF, Word and web pages

Old ingestion text.
"""


def test_one_benchmark_run_alone_replaces_its_section_and_rows_and_keeps_the_rest(monkeypatch, tmp_path):
    _fake_ingestion(monkeypatch, tmp_path, 0.043)
    text = report.render(PREVIOUS)
    assert "| Indexing throughput and memory | indexing / raw encode | 1.04 | ≥ 0.9 | met |" in text
    assert "| Reading PDF, Word and web pages | extraction share | 0.043 | ≤ 0.25 | met |" in text
    assert "missed" not in text and "Old ingestion text." not in text
    assert "Measured long ago.\n\n| files | passages |\n|---|---|\n| 12 | 920 |" in text
    assert text.index("## Indexing throughput") < text.index("## Reading PDF") < text.index("share is 0.043")


def test_with_no_previous_report_only_the_saved_benchmarks_are_written(monkeypatch, tmp_path):
    _fake_ingestion(monkeypatch, tmp_path, 0.043)
    text = report.render("")
    assert "## Reading PDF, Word and web pages" in text and "## Indexing" not in text
    assert report.render(text) == text
