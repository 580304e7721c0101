"""Faults while indexing: killed processes, concurrent indexers, files changing underneath."""
import os
import random
import signal
import subprocess
import sys
import time

import numpy as np

from embeddings import Index, IndexSettings, store
from embeddings.loading import file_sha256
from embeddings.index import searchable
from tests.conftest import ROOT
from tests.embeddings.fakes import HashEncoder, hash_vector

SETTINGS = IndexSettings(encoder=HashEncoder.name)


def worker(corpus, delay=0.0):
    return subprocess.Popen([sys.executable, "-m", "tests.embeddings.index_worker", str(corpus), str(delay)],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def assert_consistent(index_dir):
    """Every stored vector belongs to the passage stored beside it, and every passage to its document version."""
    contents = store.read(index_dir)
    manifest, passages, vectors = contents.manifest, contents.passages, contents.dense
    assert contents.sparse.size == len(passages)
    rows, _ = contents.sparse.search(passages[0].text, len(passages)) if passages else ([], [])
    assert all(0 <= row < len(passages) for row in rows)
    stored = vectors.reconstruct_n(0, vectors.ntotal) if vectors.ntotal else np.zeros((0, 16))
    for row, passage in enumerate(passages):
        text = searchable(passage, manifest.documents[passage.source].meta.title, IndexSettings())
        assert np.allclose(stored[row], hash_vector(text), atol=1e-6), f"row {row} has another passage's vector"
    for source, entry in manifest.documents.items():
        rows = passages[entry.first:entry.first + entry.count]
        assert all(p.source == source for p in rows)
    return manifest


def mutate(corpus, rng, trial):
    files = sorted(corpus.glob("*.txt"))
    action = trial % 3
    if action == 0:
        target = rng.choice(files)
        target.write_text(target.read_text(encoding="utf-8") + f"\n\nTrial {trial} adds a sentence here.\n", encoding="utf-8")
    elif action == 1:
        (corpus / f"extra-{trial}.txt").write_text(f"Extra document {trial}. It has two sentences.", encoding="utf-8")
    elif len(files) > 3:
        rng.choice(files).unlink()


def test_sigkill_at_random_moments_never_mixes_vectors_and_passages(corpus):
    rng = random.Random(1234)
    index_dir = corpus / ".citeqa"
    worker(corpus, delay=0.01).communicate(timeout=300)
    mutate(corpus, rng, 0)
    started = time.perf_counter()
    worker(corpus, delay=0.01).communicate(timeout=300)
    estimate = time.perf_counter() - started  # one incremental run here; kill moments spread over it
    killed = trials = 0
    while killed < 20 and trials < 80:
        trials += 1
        mutate(corpus, rng, trials)
        process = worker(corpus, delay=0.01)
        time.sleep(rng.uniform(0.2, 0.9) * estimate)
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            killed += 1
        else:
            estimate *= 0.8  # this run was quicker than the estimate: aim earlier
        process.wait(timeout=60)
        if store.exists(index_dir):
            assert_consistent(index_dir)
    assert killed >= 20, f"only {killed} of {trials} runs were killed before they finished"
    finished = worker(corpus)
    out, err = finished.communicate(timeout=300)
    assert finished.returncode == 0, err
    manifest = assert_consistent(index_dir)
    on_disk = {p.name: file_sha256(p) for p in corpus.glob("*.txt")}
    assert {s: e.sha256 for s, e in manifest.documents.items()} == on_disk
    assert [p.name for p in index_dir.iterdir() if p.name.startswith("gen-")] == [(index_dir / "CURRENT").read_text()]


def test_two_processes_indexing_one_folder_are_serialised(corpus):
    first, second = worker(corpus, delay=0.005), worker(corpus, delay=0.005)
    results = [p.communicate(timeout=300) for p in (first, second)]
    assert first.returncode == second.returncode == 0, [r[1] for r in results]
    encoded = sorted(int(out.strip().split("=")[1]) for out, _ in results)
    assert encoded[0] == 0 and encoded[1] > 0, "the second indexer waited and then found nothing to do"
    assert_consistent(corpus / ".citeqa")


def test_file_changed_while_indexing_is_caught_next_time(corpus):
    target = corpus / "002_87f3cffaa3c6d45a.txt"
    original = target.read_text(encoding="utf-8")

    def change(call):
        if call == 1:
            target.write_text(original + "\n\nWritten while the index was being built.\n", encoding="utf-8")

    index, _ = Index.open(corpus, settings=SETTINGS, encoder=HashEncoder(on_encode=change), progress=False)
    entry = index.documents["002_87f3cffaa3c6d45a.txt"]
    rows = index.passages[entry.first:entry.first + entry.count]
    assert all(original[p.start:p.end] == p.text for p in rows), "passages come from the version that was read"
    _, report = Index.open(corpus, settings=SETTINGS, encoder=HashEncoder(), progress=False)
    assert report.changed == ["002_87f3cffaa3c6d45a.txt"]


def test_same_content_under_two_names_is_indexed_once(corpus):
    (corpus / "copy.txt").write_bytes((corpus / "003_6ba5e47a9a36dbb0.txt").read_bytes())
    index, report = Index.open(corpus, settings=SETTINGS, encoder=HashEncoder(), progress=False)
    assert "copy.txt" not in index.documents
    assert report.skipped["copy.txt"] == "copy.txt: same content as 003_6ba5e47a9a36dbb0.txt, which is indexed"


def test_fifty_megabyte_file_is_skipped_by_name_and_the_rest_indexed(corpus):
    with open(corpus / "huge.txt", "w", encoding="utf-8") as handle:
        line = "This sentence repeats to make a very large file. " * 20 + "\n"
        while handle.tell() < 50 * 1024 * 1024:
            handle.write(line)
    index, report = Index.open(corpus, settings=SETTINGS, encoder=HashEncoder(), progress=False)
    assert "huge.txt" in report.skipped and "over the limit" in report.skipped["huge.txt"]
    assert len(index.documents) == 5


def test_latin1_and_cp1251_files_are_indexed(corpus):
    (corpus / "fr.txt").write_bytes("Le président a visité Genève en été. Très intéressant.".encode("latin-1"))
    (corpus / "ru.txt").write_bytes(("Президент посетил Пекин в декабре. Торговля выросла на треть. " * 3).encode("cp1251"))
    index, report = Index.open(corpus, settings=SETTINGS, encoder=HashEncoder(), progress=False)
    assert {"fr.txt", "ru.txt"} <= set(index.documents), report.skipped
    assert any("Genève" in p.text for p in index.passages) and any("Пекин" in p.text for p in index.passages)
    assert index.document("fr.txt").text.startswith("Le président")


def test_file_removed_between_runs_leaves_the_index(corpus):
    Index.open(corpus, settings=SETTINGS, encoder=HashEncoder(), progress=False)
    os.remove(corpus / "000_bbae39c19cb2c249.txt")
    index, report = Index.open(corpus, settings=SETTINGS, encoder=HashEncoder(), progress=False)
    assert report.removed == ["000_bbae39c19cb2c249.txt"] and "000_bbae39c19cb2c249.txt" not in index.documents


def test_death_between_writing_a_generation_and_switching_to_it_keeps_the_old_index(corpus, monkeypatch):
    """The narrow window random kills rarely hit: a complete new generation, pointer not yet switched."""
    Index.open(corpus, settings=SETTINGS, encoder=HashEncoder(), progress=False)
    before = store.read(corpus / ".citeqa").manifest
    (corpus / "new.txt").write_text("A new document. It arrives late.", encoding="utf-8")

    def die(path):
        raise KeyboardInterrupt("simulated death before CURRENT is switched")

    monkeypatch.setattr(store, "_fsync_dir", die)
    try:
        Index.open(corpus, settings=SETTINGS, encoder=HashEncoder(), progress=False)
    except KeyboardInterrupt:
        pass
    monkeypatch.undo()
    assert store.read(corpus / ".citeqa").manifest.documents == before.documents
    index, report = Index.open(corpus, settings=SETTINGS, encoder=HashEncoder(), progress=False)
    assert report.added == ["new.txt"] and "new.txt" in index.documents
    generations = [p.name for p in (corpus / ".citeqa").iterdir() if p.name.startswith("gen-")]
    assert generations == [(corpus / ".citeqa" / "CURRENT").read_text()]
