import faiss
import numpy as np

from embeddings import dense


def test_kind_follows_corpus_size():
    assert dense.choose_kind("auto", dense.FLAT_LIMIT) == "flat"
    assert dense.choose_kind("auto", dense.FLAT_LIMIT + 1) == "hnsw"
    assert dense.choose_kind("flat", 10**7) == "flat"


def test_hnsw_finds_what_exact_search_finds_and_keeps_its_setting_on_disk(tmp_path):
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(3000, 32)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    queries = vectors[:50] + rng.normal(scale=0.3, size=(50, 32)).astype(np.float32)
    exact, approximate = dense.build(vectors, "flat"), dense.build(vectors, "hnsw")
    recall = np.mean([len(set(dense.search(exact, q, 10)[0]) & set(dense.search(approximate, q, 10)[0])) / 10
                      for q in queries])
    assert recall >= 0.95
    dense.write(approximate, str(tmp_path / "d.faiss"))
    loaded = dense.read(str(tmp_path / "d.faiss"))
    assert isinstance(loaded, faiss.IndexHNSW) and loaded.hnsw.efSearch == dense.HNSW_EF_SEARCH
    assert np.allclose(dense.vectors_of(loaded), vectors)
