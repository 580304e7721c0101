"""Answers over PDF, Word and web pages: quotes exact to the extracted text, and PDF quotes know their page."""
import json
import shutil
from dataclasses import replace

import pytest

from embeddings import Index
from qa import QA
from qa.verify import quote_problems
from tests.conftest import ROOT

DOCS = ROOT.parent / "shared" / "docs"
FILES = ["pdf/multi-column-2p.pdf", "pdf/fake-memo.pdf", "docx/handbook-1p.docx", "html/example-10k-1p.html",
         "other/fake.odt", "other/eng_spa_mult.epub"]


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    folder = tmp_path_factory.mktemp("library") / "docs"
    for name in FILES:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(DOCS / name, folder / name)
    (folder / "other" / "scan.png").write_bytes(b"\x89PNG\r\n")
    return QA.from_folder(folder, progress=False)


def test_every_readable_format_is_indexed_and_other_types_are_reported(library):
    assert sorted(library.index.documents) == sorted(FILES)
    assert "citeqa does not read .png" in library.last_sync.skipped["other/scan.png"]
    paper = library.index.documents["pdf/multi-column-2p.pdf"]
    assert paper.loader.startswith("pdf (pypdfium2") and len(paper.pages) == 2


def test_a_pdf_answer_quotes_the_extracted_text_and_names_its_page(library):
    answer = library.ask("What end-to-end QA accuracy does the model reach, compared to ORQA?")
    # "41.5% vs. 33.3%" answers the comparison too; the point here is the quote's page
    assert answer.answerable and answer.short_answer.text.startswith("41.5%")
    quote = answer.quotes[0]
    document = library.index.document(quote.source)
    assert quote.source == "pdf/multi-column-2p.pdf" and document.text[quote.start:quote.end] == quote.text
    assert "exceptionally strong" in document.text[quote.start - 80:quote.start]  # the introduction, page 2
    assert quote.pages == (2,) and quote.to_dict()["page"] == 2
    assert not quote_problems(answer.quotes, library.index.document)
    wrong = replace(quote, pages=(1,))
    assert "names pages [1]" in quote_problems([wrong], library.index.document)[0]
    images = library.page_images(quote.source, quote.start, quote.end,
                                 (answer.short_answer.start, answer.short_answer.end))
    assert [i.page for i in images] == [2] and images[0].marks["quote"] and images[0].marks["short"]


def test_word_and_web_answers_have_no_pages(library):
    answer = library.ask("Who appoints and supervises standing trustees?")
    assert answer.answerable and answer.quotes[0].source == "docx/handbook-1p.docx"
    assert answer.quotes[0].pages == () and answer.quotes[0].to_dict()["page"] is None
    assert library.page_images(answer.quotes[0].source, answer.quotes[0].start, answer.quotes[0].end) == []


def test_file_metadata_shows_unless_metadata_json_says_otherwise(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    shutil.copy(DOCS / "pdf" / "fake-memo.pdf", folder / "memo.pdf")
    index, _ = Index.open(folder, progress=False)
    assert index.documents["memo.pdf"].meta.title == "fake-memo"
    (folder / "metadata.json").write_text(json.dumps({"memo.pdf": {"title": "Delivery memo", "author": None}}))
    index, report = Index.open(folder, progress=False)
    meta = index.documents["memo.pdf"].meta
    assert (meta.title, meta.date) == ("Delivery memo", "2023-05-16"), "the file's date stays"
    assert report.changed == ["memo.pdf"], "a new title is re-encoded with the passages"
    _, again = Index.open(folder, progress=False)
    assert not again.wrote


def test_an_encrypted_pdf_is_indexed_and_shown_once_metadata_json_gives_its_password(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    shutil.copy(DOCS / "pdf" / "password.pdf", folder / "locked.pdf")
    library = QA.from_folder(folder, progress=False)
    assert "give its password in metadata.json" in library.last_sync.skipped["locked.pdf"]
    (folder / "metadata.json").write_text(json.dumps({"locked.pdf": {"password": "password"}}))
    library = QA.from_folder(folder, progress=False)
    assert library.last_sync.added == ["locked.pdf"]
    manifests = "".join(p.read_text() for p in (folder / ".citeqa").rglob("manifest.json"))
    assert '"password"' not in manifests, "the password stays in metadata.json"
    document = library.index.document("locked.pdf")
    start = document.text.index("File with password")
    images = library.page_images("locked.pdf", start, start + len("File with password"))
    assert [i.page for i in images] == [1] and images[0].marks["quote"]


def test_a_scanned_pdf_is_added_by_ocr_when_it_is_on_and_its_page_shows_the_quote(tmp_path):
    from qa import Config
    from tests.embeddings.test_formats import _scanned_copy

    scan = _scanned_copy(tmp_path)
    folder = tmp_path / "docs"
    folder.mkdir()
    plain = QA.from_folder(folder, progress=False)
    intake, _ = plain.add_documents([scan], progress=False)
    assert "no text layer" in intake.rejected["scan.pdf"] and not intake.added
    library = QA.from_folder(folder, Config().with_(ocr="eng"), progress=False)
    intake, sync = library.add_documents([scan], progress=False)
    assert intake.added == ["scan.pdf"] and sync.added == ["scan.pdf"]
    document = library.index.document("scan.pdf")
    start = document.text.index("20,000 bottles of water")
    [image] = library.page_images("scan.pdf", start, start + len("20,000 bottles of water"))
    assert image.page == 1 and image.marks["quote"]
    [again] = library.page_images("scan.pdf", start, start + len("20,000"))
    scans = [key for key in library.index.renderer._kept if key[0] == "scan"]
    assert len(scans) == 1 and again.marks["quote"] != image.marks["quote"], "OCR'd once, marked anew"


def test_the_cli_indexes_a_scan_with_ocr_and_says_why_without(tmp_path):
    import subprocess
    import sys

    from tests.embeddings.test_formats import _scanned_copy

    folder = tmp_path / "docs"
    folder.mkdir()
    shutil.move(_scanned_copy(tmp_path), folder / "scan.pdf")

    def index(*extra):
        return subprocess.run([sys.executable, "-m", "qa.cli", "index", str(folder), *extra],
                              capture_output=True, text=True, cwd=ROOT, timeout=600)

    plain = index()
    assert plain.returncode == 0 and "scan.pdf: no text layer" in plain.stderr + plain.stdout
    scanned = index("--ocr", "eng")
    assert scanned.returncode == 0 and scanned.stdout.strip().endswith("1 added, 0 changed, 0 removed, 0 unchanged, "
                                                                       "1 passages encoded")


def test_a_document_extracted_by_another_loader_version_is_extracted_again(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    shutil.copy(DOCS / "pdf" / "fake-memo.pdf", folder / "memo.pdf")
    Index.open(folder, progress=False)
    generation = next(p for p in (folder / ".citeqa").iterdir() if p.name.startswith("gen-"))
    manifest = json.loads((generation / "manifest.json").read_text())
    manifest["documents"]["memo.pdf"]["loader"] = "pdf (pypdfium2 0.0.1)"
    (generation / "manifest.json").write_text(json.dumps(manifest))
    index, report = Index.open(folder, progress=False)
    assert report.changed == ["memo.pdf"] and index.documents["memo.pdf"].loader.startswith("pdf (pypdfium2 ")
    assert index.documents["memo.pdf"].loader != "pdf (pypdfium2 0.0.1)"
