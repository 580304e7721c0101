"""One hostile file costs only itself: every document is read in a worker process with limits.

The hostile corpus is made at test time (``benchmarks.hostile.make_corpus``): decompression bombs as
PDF, DOCX, ODT and EPUB, nested entities, external entities naming /etc/passwd, 200,000 nested
<div>s, 100,000 empty pages, a looping cross-reference chain, a ZIP named .pdf, truncated and empty
files of every type."""
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.hostile import TRUNCATED
from embeddings import DocumentError, Index, IndexSettings, ReadLimits, Sandbox
from tests.conftest import ROOT, SEEDS
from tests.embeddings.fakes import HashEncoder

GOOD = "000_bbae39c19cb2c249.txt"
DOCS = ROOT.parent / "shared" / "docs"
PASSWD = "root:x:0:0"
REASONS = {
    "pdf-bomb.pdf": "ran out of memory while reading",
    "docx-bomb.docx": "decompression bomb",
    "odt-bomb.odt": "decompression bomb",
    "epub-bomb.epub": "decompression bomb",
    "docx-laughs.docx": "declares XML entities",
    "epub-xxe.epub": "declares XML entities",
    "xhtml-xxe.html": "declares XML entities",
    "html-deep.html": "no main text found",
    "pdf-100k-pages.pdf": "100,000 pages, over the limit",
    "pdf-xref-loop.pdf": "could not be read",
    "zip-named.pdf": "not a readable PDF",
    **{f"empty{suffix}": "empty document" for suffix in TRUNCATED},
    **{f"truncated{suffix}": "not a readable" for suffix in (".pdf", ".docx", ".odt", ".epub")},
}
READ_AS_IS = [f"truncated{suffix}" for suffix in (".html", ".txt", ".md", ".rtf")]
"""The first half of a text, web page or RTF file is still one: it is indexed for what it holds."""


def corpus_with(hostile: Path, target: Path, names=None) -> Path:
    target.mkdir(parents=True)
    for path in hostile.iterdir():
        if names is None or path.name in names:
            shutil.copy(path, target / path.name)
    shutil.copy(SEEDS / GOOD, target / GOOD)
    shutil.copy(DOCS / "docx" / "handbook-1p.docx", target / "zz-handbook.docx")  # read after every bomb
    return target


def test_the_corpus_holds_every_kind_the_tests_expect(hostile):
    assert {p.name for p in hostile.iterdir()} == set(REASONS) | set(READ_AS_IS)


@pytest.mark.parametrize("name", sorted(REASONS))
def test_each_hostile_file_is_refused_with_its_reason_and_the_worker_survives_it(hostile, name):
    with Sandbox() as sandbox:
        with pytest.raises(DocumentError) as refused:
            sandbox.read(hostile / name, name)
        message = str(refused.value)
        assert message.startswith(f"{name}: ") and REASONS[name] in message and "Traceback" not in message
        assert sandbox.last_peak_mb < 1100
        after = sandbox.read(SEEDS / GOOD, GOOD)  # by a new worker if that one died
        assert after.text == (SEEDS / GOOD).read_text(encoding="utf-8")


def test_a_sync_skips_every_hostile_file_and_indexes_the_rest(hostile, tmp_path):
    folder = corpus_with(hostile, tmp_path / "docs")
    index, report = Index.open(folder, settings=IndexSettings(encoder=HashEncoder.name), encoder=HashEncoder(),
                               progress=False)
    for name, reason in REASONS.items():
        assert reason in report.skipped.get(name, ""), (name, report.skipped.get(name))
    assert sorted(report.added) == sorted([GOOD, "zz-handbook.docx", *READ_AS_IS])
    texts = [index.document(source).text for source in index.documents]
    assert not any(PASSWD in text for text in texts)
    assert not any(PASSWD in p.text for p in index.passages)


def test_the_cli_reports_each_refusal_and_exits_zero(hostile, tmp_path):
    folder = corpus_with(hostile, tmp_path / "docs", names={"pdf-bomb.pdf", "docx-laughs.docx", "epub-xxe.epub"})
    run = subprocess.run([sys.executable, "-m", "qa.cli", "index", str(folder)], capture_output=True, text=True,
                         cwd=ROOT, timeout=600)
    out = run.stdout + run.stderr
    assert run.returncode == 0, out
    assert "2 added" in out and "Traceback" not in out
    for name in ("pdf-bomb.pdf", "docx-laughs.docx", "epub-xxe.epub"):
        assert f"skipped {name}: {REASONS[name]}" in out


def test_the_milvus_store_path_skips_them_too(hostile, tmp_path, milvus_server):
    folder = corpus_with(hostile, tmp_path / "docs", names={"pdf-bomb.pdf", "odt-bomb.odt", "pdf-xref-loop.pdf"})
    index, report = Index.open(folder, settings=IndexSettings(encoder=HashEncoder.name), encoder=HashEncoder(),
                               progress=False, store=f"{milvus_server.uri}?collection=hostile_{id(folder) % 10**6}")
    assert sorted(report.added) == [GOOD, "zz-handbook.docx"]
    assert set(report.skipped) == {"pdf-bomb.pdf", "odt-bomb.odt", "pdf-xref-loop.pdf"}
    assert index.search_sparse("Presidential bid scapegoat", 3)[0].passage.source == GOOD


def test_a_document_past_its_wall_time_is_stopped_and_the_next_is_read(tmp_path):
    big = tmp_path / "big.txt"
    big.write_text("Plain words in a large file. " * 200_000, encoding="utf-8")
    with Sandbox(ReadLimits(wall_seconds=0.001)) as sandbox:
        with pytest.raises(DocumentError, match="took longer than 0.001 s to read and was stopped"):
            sandbox.read(big, "big.txt")
    with Sandbox() as sandbox:
        assert sandbox.read(big, "big.txt").text.startswith("Plain words")


def test_limits_are_checked():
    with pytest.raises(ValueError, match="memory_mb must be at least 256"):
        ReadLimits(memory_mb=10)
    with pytest.raises(ValueError, match="wall_seconds must be above 0"):
        ReadLimits(wall_seconds=0)


def test_the_cpu_cap_stops_a_parser_that_loops():
    """What the worker does before each document, then a parser stuck in a loop: the kernel stops it."""
    loop = "from embeddings.worker import _cap_cpu\n_cap_cpu(0.5)\nwhile True:\n    pass\n"
    run = subprocess.run([sys.executable, "-c", loop], cwd=ROOT, timeout=120)
    assert run.returncode == -signal.SIGXCPU


def test_the_cpu_cap_is_armed_anew_for_document_after_document():
    """A worker reads thousands of documents: each gets its own allowance however much CPU came before
    (a hard limit lowered once could not be raised again, and SciFact's 5,183 abstracts failed from
    the 1,800th on)."""
    many = ("import time\nfrom embeddings.worker import _cap_cpu\nfor _ in range(4):\n    _cap_cpu(3.0)\n"
            "    start = time.process_time()\n    while time.process_time() - start < 1.0:\n        pass\nprint('read')\n")
    run = subprocess.run([sys.executable, "-c", many], cwd=ROOT, timeout=120, capture_output=True, text=True)
    assert run.returncode == 0 and run.stdout.strip() == "read", run.stderr[-500:]
