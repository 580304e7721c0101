"""The whole engine over a Milvus server process: same answers, same guarantees, clear failures."""
import json
import shutil
import subprocess
import sys

import pytest

from qa import QA, Config, StoreUnavailable
from tests.conftest import ROOT, SEEDS, load_questions
from embeddings.stores.lite_server import MilvusServer
from embeddings.stores.milvus import MilvusStore


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """Its own server: these tests stop and restart it."""
    server = MilvusServer(tmp_path_factory.mktemp("milvus-engine") / "data").start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def remote(server, tmp_path_factory):
    folder = tmp_path_factory.mktemp("remote") / "seeds"
    shutil.copytree(SEEDS, folder, ignore=shutil.ignore_patterns(".citeqa"))
    return QA.from_folder(folder, Config(store=f"{server.uri}?collection=engine_seeds"), progress=False)


def test_answers_from_milvus_quote_the_documents_exactly(remote, qa):
    """The invariant holds through the database: every quote is the stored text's exact span, and
    an answer the local store gives with the same evidence is given the same way."""
    answered = same = 0
    for case in load_questions()[:12]:
        answer, local = remote.ask(case["question"]), qa.ask(case["question"])
        for quote in answer.quotes:
            assert remote.index.document(quote.source).text[quote.start:quote.end] == quote.text
        answered += answer.answerable
        same += answer.answerable and local.answerable and answer.short_answer == local.short_answer
    assert answered >= 8 and same >= answered - 2


def test_a_server_down_mid_session_gives_a_clear_error_and_the_next_question_after_it_is_back_works(remote, server):
    question = "Who is the Russian Industry and Trade Minister?"
    before = remote.ask(question)
    server.stop()
    try:
        with pytest.raises(StoreUnavailable, match="check that the Milvus server is running"):
            remote.ask(question)
    finally:
        server.start()
    after = remote.ask(question)
    assert after.to_dict() | {"timings_ms": {}} == before.to_dict() | {"timings_ms": {}}
    assert remote.sync(progress=False).encoded_passages == 0, "nothing was lost: no document needs indexing again"


@pytest.mark.parametrize("stage", ["search_hybrid", "_query_text"])
def test_a_server_killed_mid_question_gives_a_clear_error_and_after_its_restart_nothing_is_lost(remote, server,
                                                                                                 monkeypatch, stage):
    """The server crashes (SIGKILL) inside a question: after retrieval's request is sent, or after
    retrieval and before the quoted text is read."""
    question = "How much did China agree to pay in fines to save ZTE?"
    before = remote.ask(question)
    original = getattr(MilvusStore, stage)

    def crash_first(self, *args, **kwargs):
        server.kill()
        monkeypatch.setattr(MilvusStore, stage, original)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(MilvusStore, stage, crash_first)
    monkeypatch.setattr(remote.index.store._connection, "_texts", type(remote.index.store._connection._texts)())
    try:
        with pytest.raises(StoreUnavailable, match="check that the Milvus server is running"):
            remote.ask(question)
    finally:
        server.start()
    assert remote.ask(question).to_dict() | {"timings_ms": {}} == before.to_dict() | {"timings_ms": {}}
    assert remote.sync(progress=False).encoded_passages == 0, "the crash lost no document"


def test_the_store_comes_from_citeqa_store_when_none_is_given(server, remote, monkeypatch, tmp_path):
    monkeypatch.setenv("CITEQA_STORE", f"{server.uri}?collection=engine_seeds")
    empty = tmp_path / "empty"
    empty.mkdir()
    reader = QA.from_folder(empty, progress=False)  # no documents of its own: answers from the collection
    assert reader.index.store.uri.startswith(server.uri)
    assert sorted(reader.index.documents) == sorted(remote.index.documents)
    assert reader.ask("Who is the Russian Industry and Trade Minister?").answerable


def test_cli_indexes_into_and_answers_from_milvus(server, tmp_path):
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "memo.md").write_text("# Memo\n\nThe annual meeting of the Nordic Rowing Society was held in Tampere, "
                                    "Finland, in June 2019. About 300 members attended.\n", encoding="utf-8")
    store = f"{server.uri}?collection=cli_notes"
    indexed = subprocess.run([sys.executable, "-m", "qa.cli", "index", str(folder), "--store", store],
                             capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert indexed.returncode == 0 and "1 added" in indexed.stdout, indexed.stderr
    asked = subprocess.run([sys.executable, "-m", "qa.cli", "ask", "In which city was the annual meeting of the Nordic Rowing Society held?", "--json",
                            "--corpus", str(folder), "--store", store], capture_output=True, text=True, cwd=ROOT,
                           timeout=600)
    assert asked.returncode == 0, asked.stderr
    answer = json.loads(asked.stdout)
    assert answer["answerable"] and "Tampere" in answer["quotes"][0]["text"]
    down = subprocess.run([sys.executable, "-m", "qa.cli", "ask", "Where?", "--corpus", str(folder), "--store",
                           "milvus://127.0.0.1:1"], capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert down.returncode == 2 and "milvus://127.0.0.1:1" in down.stderr and "Traceback" not in down.stderr
