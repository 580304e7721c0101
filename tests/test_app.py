"""The UI as a user and an API client meet it: a real app process, headless Chromium, gradio_client."""
import os
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.conftest import ROOT

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = ROOT / "reports" / "screenshots"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory, seeds_copy):
    corpus = tmp_path_factory.mktemp("ui") / "corpus"
    import shutil

    shutil.copytree(seeds_copy, corpus, ignore=shutil.ignore_patterns(".citeqa"))
    port = free_port()
    env = {**os.environ, "CITEQA_PORT": str(port), "HF_HUB_OFFLINE": "1"}
    process = subprocess.Popen([sys.executable, "app.py", "--corpus", str(corpus)], cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.time() + 600
    for line in process.stdout:
        if "citeqa: ready" in line:
            break
        if time.time() > deadline:
            break
    else:
        pytest.fail("app exited before it was ready")
    url = f"http://127.0.0.1:{port}/"
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.2)
    yield url, corpus
    process.terminate()
    process.wait(timeout=30)


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} missing: run `make browser` (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"])
        yield instance
        instance.close()


def test_question_in_browser_shows_highlighted_quote_with_title(server, browser):
    url, _ = server
    page = browser.new_page(viewport={"width": 1200, "height": 1400})
    page.goto(url)
    box = page.locator("#citeqa-question textarea")
    box.fill("How much did China agree to pay in fines to save ZTE?")
    box.press("Enter")
    page.wait_for_selector("#citeqa-sources .citeqa-card mark", timeout=180_000)
    assert "$1 billion" in page.locator("#citeqa-answer").inner_text()
    card = page.locator("#citeqa-sources .citeqa-card").first
    assert card.locator(".title").inner_text() == "Not to Disappear One by One"
    assert "To save ZTE, China agreed to pay over $1 billion in fines" in card.locator(".context mark").inner_text()
    short = page.locator("#citeqa-answer .short").inner_text()
    assert "$1 billion" in short and "[1]" in short, "the short answer leads, in bold, with its marker"
    assert "$1 billion" in card.locator(".context mark .short").inner_text(), "and is marked inside the quote"
    card.locator("details.citeqa-whole summary").click()
    page.wait_for_function("document.querySelector('#citeqa-sources .article').scrollTop > 0", timeout=10_000)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "answerable.png"), full_page=True)
    page.close()


def test_unanswerable_looks_different_and_cites_nothing(server, browser):
    url, _ = server
    page = browser.new_page(viewport={"width": 1200, "height": 1400})
    page.goto(url)
    page.locator("#citeqa-question textarea").fill("What is the population of Brazil?")
    page.locator("#citeqa-ask").click()
    page.wait_for_selector("#citeqa-answer .unanswerable", timeout=180_000)
    page.wait_for_selector("#citeqa-passages .closest", timeout=60_000)
    assert page.locator("#citeqa-sources .citeqa-card").count() == 0
    assert "not as support" in page.locator("#citeqa-passages").inner_text()
    page.screenshot(path=str(SCREENSHOTS / "unanswerable.png"), full_page=True)
    page.close()


def test_upload_adds_document_and_rejects_bad_file(server, browser, tmp_path):
    url, corpus = server
    good = tmp_path / "kazan notes.md"
    good.write_text("# Kazan summit\n\nThe BRICS summit of 2024 was held in Kazan.\n", encoding="utf-8")
    bad = tmp_path / "broken.txt"
    bad.write_bytes(b"\x00\x01binary" * 20)
    page = browser.new_page(viewport={"width": 1200, "height": 1400})
    page.goto(url)
    page.get_by_text("Documents", exact=True).click()
    page.locator("#citeqa-upload input[type=file]").set_input_files([str(good), str(bad)])
    page.wait_for_timeout(1500)
    page.locator("#citeqa-add").click()
    page.wait_for_function("document.querySelector('#citeqa-upload-status').innerText.includes('Index:')", timeout=180_000)
    status = page.locator("#citeqa-upload-status").inner_text()
    assert "kazan_notes.md" in status and "broken.txt" in status and "binary" in status
    assert (corpus / "kazan_notes.md").exists() and not (corpus / "broken.txt").exists()
    page.locator("#citeqa-question textarea").fill("Where was the BRICS summit of 2024 held?")
    page.locator("#citeqa-ask").click()
    page.wait_for_selector("#citeqa-sources .citeqa-card mark", timeout=180_000)
    assert "Kazan" in page.locator("#citeqa-answer").inner_text()
    page.close()


def test_gradio_client_gets_the_answer_contract(server, qa):
    from gradio_client import Client

    url, _ = server
    client = Client(url, verbose=False)
    question = "Who is the Russian Industry and Trade Minister?"
    data = client.predict(question, api_name="/answer")
    expected = qa.ask(question).to_dict()
    data.pop("timings_ms"), expected.pop("timings_ms")
    assert data == expected


def test_twenty_concurrent_clients_each_get_their_own_answer(server):
    from gradio_client import Client

    url, _ = server
    questions = {"By how much did Russia-China trade grow in 2017?": "31.5%",
                 "How many meetings had Putin and Xi Jinping held since 2013?": "37th",
                 "When were the first Russian and Chinese joint military exercises held?": "2005",
                 "Who is the Russian Industry and Trade Minister?": "Manturov",
                 "What is the population of Brazil?": None}

    def ask(question):
        return question, Client(url, verbose=False).predict(question, api_name="/answer")

    with ThreadPoolExecutor(20) as pool:
        results = list(pool.map(ask, list(questions) * 4))
    assert len(results) == 20
    for question, data in results:
        assert data["question"] == question
        expected = questions[question]
        assert data["answerable"] is (expected is not None)
        if expected:
            assert expected in data["answer"]


def test_failed_request_gets_a_message_and_does_not_disturb_the_next(server):
    from gradio_client import Client
    from gradio_client.exceptions import AppError

    url, _ = server
    client = Client(url, verbose=False)
    for bad in ["", "?!", "x" * 100_000]:
        with pytest.raises(AppError, match="question"):
            client.predict(bad, api_name="/answer")
    with pytest.raises(AppError, match="k must be"):
        client.predict("Who is Denis Manturov?", 10_000, api_name="/answer")
    assert "31.5%" in client.predict("By how much did Russia-China trade grow in 2017?", api_name="/answer")["answer"]


def test_server_binds_loopback_by_default_and_never_unpickles_or_evaluates():
    import re

    source = (ROOT / "app.py").read_text(encoding="utf-8")
    assert 'os.environ.get("CITEQA_HOST", "127.0.0.1")' in source and "share=False" in source
    forbidden = re.compile(r"import pickle|pickle\.loads?\(|allow_pickle=True|torch\.load\(|import marshal"
                           r"|(?<![\w.])(?:eval|exec)\(")
    for path in [ROOT / "app.py", *(ROOT / "qa").rglob("*.py"), *(ROOT / "embeddings").rglob("*.py")]:
        assert not forbidden.findall(path.read_text(encoding="utf-8")), path
