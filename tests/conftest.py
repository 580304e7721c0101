import json
import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
QUESTIONS = ROOT / "qa" / "eval_sets" / "seeds.jsonl"


def load_questions() -> list[dict]:
    return [json.loads(line) for line in QUESTIONS.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="session")
def encoder():
    from embeddings import Encoder

    return Encoder()


@pytest.fixture(scope="session")
def seeds_copy(tmp_path_factory) -> Path:
    """The seeds, copied so that tests never write an index into the repository."""
    target = tmp_path_factory.mktemp("corpus") / "seeds"
    shutil.copytree(SEEDS, target, ignore=shutil.ignore_patterns(".citeqa"))
    return target


@pytest.fixture(scope="session")
def qa(seeds_copy):
    from qa import QA

    return QA.from_folder(seeds_copy, progress=False)


@pytest.fixture
def corpus(tmp_path) -> Path:
    """A fresh copy of the seeds for tests that change files."""
    target = tmp_path / "corpus"
    shutil.copytree(SEEDS, target, ignore=shutil.ignore_patterns(".citeqa"))
    return target


@pytest.fixture(scope="session")
def milvus_server(tmp_path_factory):
    """One ``milvus-lite server`` process for the session; tests use their own collections in it."""
    from embeddings.stores.lite_server import MilvusServer

    server = MilvusServer(tmp_path_factory.mktemp("milvus") / "data").start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def hostile(tmp_path_factory) -> Path:
    """The hostile corpus of ``benchmarks.hostile``, made once (the three 1.5 GB bombs take ~20 s to pack)."""
    from benchmarks.hostile import make_corpus

    docs = ROOT.parent / "shared" / "docs"
    assert docs.is_dir(), f"{docs} missing: the hostile corpus truncates fixtures of ../shared/docs"
    folder = tmp_path_factory.mktemp("hostile") / "made"
    make_corpus(folder)
    assert sum(p.stat().st_size for p in folder.iterdir()) < 20 * 2**20, "small on disk"
    return folder
