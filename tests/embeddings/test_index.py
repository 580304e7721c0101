import json
import os

import numpy as np
import pytest

from embeddings import DocumentError, Index, IndexSettings, SplitSettings
from embeddings.index import searchable
from embeddings.store import CURRENT, FORMAT_VERSION, MANIFEST, PASSAGES, SPARSE, VECTORS
from tests.conftest import ROOT


def current_generation(corpus):
    index_dir = corpus / ".citeqa"
    return index_dir / (index_dir / CURRENT).read_text().strip()


def test_reopening_unchanged_folder_encodes_nothing(corpus, encoder):
    index, first = Index.open(corpus, encoder=encoder, progress=False)
    assert sorted(first.added) == sorted(p.name for p in corpus.glob("*.txt"))
    assert first.encoded_passages == len(index.passages) > 0
    _, again = Index.open(corpus, encoder=encoder, progress=False)
    assert again.encoded_passages == 0 and not again.wrote
    assert len(again.unchanged) == 5


@pytest.mark.parametrize("store", ["local", "milvus:{tmp}/citeqa.db"])
def test_a_folder_that_does_not_exist_is_refused_and_not_created(tmp_path, encoder, store):
    missing = tmp_path / "team-b"
    with pytest.raises(DocumentError, match="team-b: no such folder of documents"):
        Index.open(missing, encoder=encoder, progress=False, store=store.format(tmp=tmp_path))
    assert not missing.exists()


def test_changing_adding_removing_one_file_reencodes_only_it(corpus, encoder):
    before, _ = Index.open(corpus, encoder=encoder, progress=False)
    changed = corpus / "004_5705d9e583be20f9.txt"
    changed.write_text(changed.read_text(encoding="utf-8") + "\n\nA new closing paragraph about trade.\n", encoding="utf-8")
    after, report = Index.open(corpus, encoder=encoder, progress=False)
    assert report.changed == ["004_5705d9e583be20f9.txt"]
    assert report.encoded_passages == after.documents["004_5705d9e583be20f9.txt"].count
    assert len(report.unchanged) == 4
    # Unchanged documents keep their vectors, and rows still line up with their passages.
    query = encoder.encode(["By how much did trade grow in 2017?"])[0]
    assert after.search_dense(query, 3)[0].passage.source == "004_5705d9e583be20f9.txt"
    # bfloat16 encoding depends slightly on batch shape, so "same vector" means a cosine above 0.99.
    fresh = encoder.encode([searchable(p, after.documents[p.source].meta.title, IndexSettings()) for p in after.passages])
    stored = after.store.contents.dense.reconstruct_n(0, len(after.passages))
    assert (np.sum(fresh * stored, axis=1) > 0.99).all()
    assert (np.argmax(stored @ fresh.T, axis=1) == np.arange(len(fresh))).all()

    (corpus / "new.md").write_text("# Notes\n\nThe summit was held in Kazan.\n", encoding="utf-8")
    (corpus / "001_f67de57da5ac7719.txt").unlink()
    latest, report = Index.open(corpus, encoder=encoder, progress=False)
    assert report.added == ["new.md"] and report.removed == ["001_f67de57da5ac7719.txt"]
    assert report.encoded_passages == 1
    assert "001_f67de57da5ac7719.txt" not in {p.source for p in latest.passages}


@pytest.mark.parametrize("damage", ["truncate", "garbage", "pointer", "manifest"])
def test_corrupted_index_is_detected_and_rebuilt(corpus, encoder, damage):
    index, _ = Index.open(corpus, encoder=encoder, progress=False)
    generation = current_generation(corpus)
    if damage == "truncate":
        data = (generation / VECTORS).read_bytes()
        (generation / VECTORS).write_bytes(data[: len(data) // 2])
    elif damage == "garbage":
        (generation / PASSAGES).write_bytes(os.urandom(4096))
    elif damage == "pointer":
        (corpus / ".citeqa" / CURRENT).write_text("gen-does-not-exist")
    else:
        (generation / MANIFEST).write_text("{not json")
    rebuilt, report = Index.open(corpus, encoder=encoder, progress=False)
    assert report.rebuilt_because
    assert report.encoded_passages == len(rebuilt.passages) == len(index.passages)


def test_index_built_with_other_settings_is_rebuilt(corpus, encoder):
    Index.open(corpus, encoder=encoder, progress=False)
    other = IndexSettings(split=SplitSettings(max_sentences=2, overlap=0))
    _, report = Index.open(corpus, settings=other, encoder=encoder, progress=False)
    assert "split" in report.rebuilt_because
    manifest = json.loads((current_generation(corpus) / MANIFEST).read_text())
    assert manifest["split"]["max_sentences"] == 2
    assert manifest["encoder"] == "sentence-transformers/all-MiniLM-L6-v2" and manifest["dimension"] == 384


def test_manifest_stamps_what_it_was_built_with(corpus, encoder):
    index, _ = Index.open(corpus, encoder=encoder, progress=False)
    manifest = json.loads((current_generation(corpus) / MANIFEST).read_text())
    assert manifest["format"] == FORMAT_VERSION and manifest["dense_kind"] == "flat"
    assert {PASSAGES, VECTORS} < set(manifest["files"])
    assert {name.split("/")[0] for name in manifest["files"]} == {PASSAGES, VECTORS, SPARSE}
    assert manifest["documents"]["001_f67de57da5ac7719.txt"]["meta"]["author"] == "Vladimir Danilov"
    assert len(manifest["documents"]["000_bbae39c19cb2c249.txt"]["sha256"]) == 64


def test_bad_file_is_skipped_with_a_message_and_the_rest_indexed(corpus, encoder):
    (corpus / "broken.txt").write_bytes(b"\x00binary\x00" * 50)
    index, report = Index.open(corpus, encoder=encoder, progress=False)
    assert "broken.txt" in report.skipped and "binary" in report.skipped["broken.txt"]
    assert len(index.documents) == 5


def test_passages_are_exact_spans_of_their_documents(corpus, encoder):
    index, _ = Index.open(corpus, encoder=encoder, progress=False)
    for passage in index.passages:
        assert index.document(passage.source).text[passage.start:passage.end] == passage.text


def test_bm25_saved_with_the_index_ranks_as_when_built(corpus, encoder):
    built, _ = Index.open(corpus, encoder=encoder, progress=False)
    loaded, report = Index.open(corpus, encoder=encoder, progress=False)
    assert report.encoded_passages == 0
    for query in ("Sanctions against Russia", "nuclear submarines AUKUS", "ZTE fines"):
        hits_built, hits_loaded = built.search_sparse(query, 10), loaded.search_sparse(query, 10)
        assert len(hits_built) >= 3 and [h.key for h in hits_built] == [h.key for h in hits_loaded]
        assert np.allclose([h.score for h in hits_built], [h.score for h in hits_loaded])


def test_index_missing_its_bm25_files_is_rebuilt_with_a_reason(corpus, encoder):
    import shutil

    Index.open(corpus, encoder=encoder, progress=False)
    shutil.rmtree(current_generation(corpus) / SPARSE)
    reopened, report = Index.open(corpus, encoder=encoder, progress=False)
    assert report.rebuilt_because and SPARSE in report.rebuilt_because
    assert len(reopened.search_sparse("AUKUS submarines", 5)) > 0


def test_title_is_searchable_but_not_part_of_the_passage(corpus, encoder):
    index, _ = Index.open(corpus, encoder=encoder, progress=False)
    title = index.documents["001_f67de57da5ac7719.txt"].meta.title
    passages = index.passages_of("001_f67de57da5ac7719.txt")
    assert all(not p.text.startswith(title) for p in passages[1:])
    found = {h.passage for h in index.search_sparse(title, len(index.passages))}
    assert set(passages) <= found, "every passage of the article matches its title"


def test_changing_a_title_in_metadata_reencodes_that_document(corpus, encoder):
    Index.open(corpus, encoder=encoder, progress=False)
    metadata = json.loads((corpus / "metadata.json").read_text())
    metadata["003_6ba5e47a9a36dbb0.txt"]["title"] = "A different title"
    (corpus / "metadata.json").write_text(json.dumps(metadata))
    index, report = Index.open(corpus, encoder=encoder, progress=False)
    assert report.changed == ["003_6ba5e47a9a36dbb0.txt"] and report.encoded_passages == index.documents["003_6ba5e47a9a36dbb0.txt"].count
    assert index.documents["003_6ba5e47a9a36dbb0.txt"].meta.title == "A different title"


def test_the_extracted_text_is_stored_with_the_index_and_checked_when_read(tmp_path):
    import shutil

    folder = tmp_path / "docs"
    folder.mkdir()
    shutil.copy(ROOT.parent / "shared" / "docs" / "pdf" / "fake-memo.pdf", folder / "memo.pdf")
    (folder / "note.txt").write_text("A short note about the delivery of water.", encoding="utf-8")
    index, _ = Index.open(folder, progress=False)
    generation = current_generation(folder)
    stored = {p.name for p in (generation / "texts").iterdir()}
    assert stored == {f"{e.sha256}.txt" for e in index.documents.values()}
    memo = index.document("memo.pdf")
    assert memo.text.startswith("May 5, 2023") and memo.pages == (0,) and memo.loader.startswith("pdf")
    (folder / "other.txt").write_text("Another note.", encoding="utf-8")
    index, report = Index.open(folder, progress=False)
    assert report.added == ["other.txt"] and index.document("memo.pdf").text == memo.text, "kept texts carried over"
    generation = current_generation(folder)
    (generation / "texts" / f"{index.documents['memo.pdf'].sha256}.txt").write_text("tampered", encoding="utf-8")
    with pytest.raises(DocumentError, match="stored text of a document is missing or changed"):
        index.document("memo.pdf")
