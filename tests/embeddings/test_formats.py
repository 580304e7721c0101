"""The loaders on the 42 real files of ../shared/docs: every file's outcome, and what each format must get right."""
import shutil
from pathlib import Path

import pytest

from embeddings import DocumentError
from embeddings.formats import SUFFIXES, loader_for
from embeddings.formats.pdf import ocr_languages, ocr_page_pdf, render_page
from embeddings.loading import read_document
from tests.conftest import ROOT

DOCS = ROOT.parent / "shared" / "docs"
# Every file in ../shared/docs: a phrase its text must hold, or a phrase of the reason it is skipped.
OUTCOMES = {
    "docx/contains-pictures.docx": ("text", "An inline picture appears here><and this text follows it"),
    "docx/docx-hdrftr.docx": ("text", "Main document"),
    "docx/docx-tables.docx": ("text", "Header Col 1 | Header Col 2"),
    "docx/duplicate-paragraphs.docx": ("text", ""),
    "docx/example-list-items-multiple.docx": ("text", "The quick brown fox jumps over the lazy dog."),
    "docx/fake.docx": ("text", "Lorem ipsum"),
    "docx/handbook-1p.docx": ("text", "The United States Trustee appoints and supervises standing trustees"),
    "docx/page-breaks.docx": ("text", "<<Text on second page."),
    "html/example-10k-1p.html": ("text", "Commission file number:\u00a0000-30653"),
    "html/example-steelJIS-datasheet-utf-16.html": ("text", "SteelJIS"),
    "html/example-with-scripts.html": ("text", "Belarusian President Alexander Lukashenko ordered a snap"),
    "html/fake-html-cp1252.html": ("text", "Die schöne Frau hat einen Kaffee"),
    "html/fake-html-lang-de.html": ("text", "Jahresabschluss zum Geschäftsjahr vom 01.01.2020 bis zum 31.12.2020"),
    "html/fake-html-with-duplicate-elements.html": ("text", ""),
    "html/fake-html-with-footer-and-header.html": ("text", ""),
    "html/ideas-page.html": ("text", "the best place to look for them is at the frontiers of knowledge"),
    "other/codeblock.md": ("text", "```"),
    "other/eng_spa_mult.epub": ("text", "All human beings are born free and equal in dignity and rights."),
    "other/fake-doc.rtf": ("text", "Row 1, Cell 1|Row 1, Cell 2|"),
    "other/fake.odt": ("text", "Header row | Mon | Wed | Fri"),
    "pdf/a1977-backus-p21.pdf": ("text", "I am indebted to Paul Me Jones for his observation"),
    "pdf/copy-protected.pdf": ("text", "This paper introduces LayoutParser, an open-source"),
    "pdf/embedded-cmap-cidfont.pdf": ("text", ""),
    "pdf/fake-memo-with-duplicate-page.pdf": ("text", "There were 20,000 bottles of water"),
    "pdf/fake-memo.pdf": ("text", "A total of 3 trucks were used for 15 hours."),
    "pdf/header-test-doc.pdf": ("text", "Here is a lovely sentences."),
    "pdf/korean-text-with-tables.pdf": ("text", ""),
    "pdf/layout-parser-paper-fast.pdf": ("text", "The library is publicly available at https://layout-parser.github.io"),
    "pdf/list-item-example.pdf": ("text", "Module Three: Step 2: Design and\nPrototyping"),
    "pdf/multi-column-2p.pdf": ("text", "retrieval can be practically implemented using dense representations alone"),
    "pdf/negative-coords.pdf": ("text", "cover in total 67.3% of the total scope 3 carbon"),
    "pdf/password.pdf": ("skipped", "encrypted (password-protected); give its password in metadata.json"),
    "pdf/pdf-with-ocr-text.pdf": ("text", "Source: https://www.industrydocuments.ucsf.edu/docs/mjgl0226"),
    "pdf/reliance.pdf": ("text", "is a Fortune 500 company"),
    "pdf/rotated-page-90.pdf": ("text", "Rotated page fixture\nSecond line of text here\nHello World Test Text"),
    "txt/book-war-and-peace-1p.txt": ("text", "It was in July, 1805"),
    "txt/empty.txt": ("skipped", "empty document"),
    "txt/fake-text-all-whitespace.txt": ("skipped", "empty document"),
    "txt/fake-text-utf-16-be.txt": ("text", "This is a test document to use for unit tests."),
    "txt/fake-text-utf-32.txt": ("text", "This is a test document to use for unit tests."),
    "txt/fake-text.txt": ("text", "This is a test document to use for unit tests."),
    "txt/norwich-city.txt": ("text", "Iwan Wyn Roberts (born 26 June 1968)"),
}


def _read(name: str):
    return read_document(DOCS / name, name, max_bytes=8 * 1024 * 1024)


def test_the_table_covers_every_file_in_the_folder():
    assert DOCS.is_dir(), f"{DOCS} missing: the tests read ../shared/docs"
    found = sorted(p.relative_to(DOCS).as_posix() for p in DOCS.rglob("*") if p.is_file() and p.name != "README.md")
    assert found == sorted(OUTCOMES)


@pytest.mark.parametrize("name", sorted(OUTCOMES))
def test_each_file_is_read_or_skipped_with_its_reason(name):
    outcome, phrase = OUTCOMES[name]
    if outcome == "skipped":
        if loader_for(name) is None:
            assert Path(name).suffix not in SUFFIXES
            return
        with pytest.raises(DocumentError, match=phrase.replace("(", r"\(").replace(")", r"\)")) as error:
            _read(name)
        assert str(error.value).startswith(name)
        return
    document = _read(name)
    assert document.text.strip() and phrase in document.text
    assert _read(name).text == document.text, "extraction is deterministic"
    assert document.loader.startswith(loader_for(name).name)


def test_pdf_text_resolves_ligatures_joins_line_end_hyphens_and_reads_column_by_column():
    text = _read("pdf/multi-column-2p.pdf").text
    assert "ﬁ" not in text and "efficient passage retrieval" in text
    assert "implemented using dense" in text and "us-\ning" not in text
    # The left column (abstract, introduction) comes before the right one.
    assert text.index("1 Introduction") < text.index("Retrieval in open-domain QA is usually implemented")


def test_pdf_pages_and_metadata():
    paper = _read("pdf/multi-column-2p.pdf")
    assert len(paper.pages) == 2 and paper.pages[0] == 0
    assert paper.page_of(paper.text.index("65.2% vs. 42.9%")) == 2
    assert paper.page_of(paper.text.index("9%-19% absolute")) == 1
    assert paper.meta.date == "2020-10-02"
    memo = _read("pdf/fake-memo.pdf")
    assert memo.meta.title == "fake-memo" and memo.pages == (0,)


def test_word_tables_keep_rows_and_html_drops_scripts_and_keeps_metadata():
    assert "Lorem ipsum | A link example" in _read("docx/docx-tables.docx").text
    page = _read("html/example-with-scripts.html")
    assert "function(" not in page.text and "<script" not in page.text
    assert page.meta.title == "Institute for the Study of War" and page.meta.date == "2022-12-13"
    cp1252 = _read("html/fake-html-cp1252.html")
    assert cp1252.encoding == "cp1252" and "betaalde 4,25 €" in cp1252.text


def test_wide_text_without_and_with_a_byte_order_mark_reads_like_utf8():
    def words(name):
        return _read(name).text.split()

    assert words("txt/fake-text-utf-16-be.txt") == words("txt/fake-text.txt") == words("txt/fake-text-utf-32.txt")


def test_a_broken_or_huge_pdf_is_refused_with_its_reason(tmp_path):
    broken = tmp_path / "broken.pdf"
    broken.write_bytes((DOCS / "pdf" / "fake-memo.pdf").read_bytes()[:300])
    with pytest.raises(DocumentError, match="broken.pdf: not a readable PDF"):
        read_document(broken, "broken.pdf")
    with pytest.raises(DocumentError, match="over the limit"):
        read_document(DOCS / "pdf" / "reliance.pdf", "reliance.pdf", max_bytes=1000)
    from embeddings.formats import BY_SUFFIX
    from embeddings.formats.base import Limits

    with pytest.raises(DocumentError, match="3 pages, over the limit of 2"):
        BY_SUFFIX[".pdf"].extract((DOCS / "pdf" / "reliance.pdf").read_bytes(), "reliance.pdf", Limits(max_pages=2))


def test_an_encrypted_pdf_opens_with_its_password_and_a_wrong_one_is_named():
    document = read_document(DOCS / "pdf" / "password.pdf", "password.pdf", password="password")
    assert document.text.strip() == "File with password" and document.pages == (0,)
    with pytest.raises(DocumentError, match="password.pdf: encrypted, and the password metadata.json gives"):
        read_document(DOCS / "pdf" / "password.pdf", "password.pdf", password="wrong")
    assert read_document(DOCS / "pdf" / "fake-memo.pdf", "fake-memo.pdf", password="unused").text


def _ink_inside(image_bytes: bytes, box) -> float:
    """Share of dark pixels inside a box of the rendered page."""
    import io

    from PIL import Image

    image = Image.open(io.BytesIO(image_bytes)).convert("L")
    w, h = image.size
    crop = image.crop((int(box[0] * w), int(box[1] * h), max(int(box[0] * w) + 1, int(box[2] * w)),
                       max(int(box[1] * h) + 1, int(box[3] * h))))
    histogram = crop.histogram()
    return sum(histogram[:128]) / sum(histogram)


@pytest.mark.parametrize("name, phrase, vertical", [
    ("pdf/multi-column-2p.pdf", "Retrieval in open-domain QA is usually implemented", False),
    ("pdf/rotated-page-90.pdf", "Second line of text here", True),
])
def test_marked_characters_are_boxed_where_the_page_shows_them(name, phrase, vertical):
    document = _read(name)
    start = document.text.index(phrase)
    page = document.page_of(start)
    local = start - document.pages[page - 1]
    image = render_page((DOCS / name).read_bytes(), name, page, {"quote": (local, local + len(phrase))})
    boxes = image.marks["quote"]
    assert boxes and all(0 <= b[0] < b[2] <= 1 and 0 <= b[1] < b[3] <= 1 for b in boxes)
    assert all(_ink_inside(image.jpeg, b) > 0.03 for b in boxes), "every box covers printed text"
    first = boxes[0]
    assert ((first[3] - first[1]) * image.height > (first[2] - first[0]) * image.width) is vertical
    blank = (0.0, 0.97, 0.05, 1.0)
    assert _ink_inside(image.jpeg, blank) < 0.01


def test_a_pdf_without_a_text_layer_is_refused_as_a_probable_scan(tmp_path):
    import pypdfium2 as pdfium

    blank = pdfium.PdfDocument.new()
    blank.new_page(595, 842)
    path = tmp_path / "scan.pdf"
    with open(path, "wb") as handle:
        blank.save(handle)
    with pytest.raises(DocumentError, match="scan.pdf: no text layer — a scanned image"):
        read_document(path, "scan.pdf")


def _scanned_copy(tmp_path, name: str = "pdf/fake-memo.pdf") -> Path:
    """An image-only PDF of ``name``'s first page (what a scanner writes): no text layer at all."""
    import io

    import pypdfium2 as pdfium

    if shutil.which("tesseract") is None:
        pytest.fail("tesseract missing: run `make ocr` (apt-get install tesseract-ocr)")
    image = pdfium.PdfDocument(str(DOCS / name))[0].render(scale=300 / 72).to_pil().convert("L")
    buffer = io.BytesIO()
    image.save(buffer, format="PDF", resolution=300)
    path = tmp_path / "scan.pdf"
    path.write_bytes(buffer.getvalue())
    return path


def test_ocr_reads_a_scanned_page_and_marks_the_quote_on_it(tmp_path):
    path = _scanned_copy(tmp_path)
    with pytest.raises(DocumentError, match="no text layer .* index with OCR"):
        read_document(path, "scan.pdf")
    document = read_document(path, "scan.pdf", ocr="eng")
    assert "A total of 3 trucks were used for 15 hours." in document.text
    assert " + OCR (tesseract " in document.loader and ocr_languages(document.loader) == "eng"
    assert read_document(path, "scan.pdf", ocr="eng").text == document.text, "the same image reads the same"
    assert loader_for("scan.pdf", "eng").current(document.loader) and not loader_for("scan.pdf").current(document.loader)
    phrase = "3 trucks"
    start = document.text.index(phrase)
    scanned = ocr_page_pdf(path.read_bytes(), "scan.pdf", 1, "eng")
    image = render_page(path.read_bytes(), "scan.pdf", 1, {"quote": (start, start + len(phrase))},
                        expected=document.text, scanned=scanned)
    [box] = image.marks["quote"]  # two words on one line: one box, over both words and not past them
    assert _ink_inside(image.jpeg, box) > 0.03
    whole = render_page(path.read_bytes(), "scan.pdf", 1, {"quote": (start - 15, start + len(phrase) + 20)},
                        expected=document.text, scanned=scanned).marks["quote"][0]
    assert whole[0] < box[0] and whole[2] > box[2] and abs(whole[1] - box[1]) < 0.01, "the same line, wider"


def test_ocr_that_cannot_run_says_what_to_install(tmp_path, monkeypatch):
    from embeddings.formats import ocr

    path = _scanned_copy(tmp_path)
    with pytest.raises(DocumentError, match="scan.pdf: tesseract has no xyz language data; apt-get install tesseract-ocr-xyz"):
        read_document(path, "scan.pdf", ocr="xyz")
    with pytest.raises(DocumentError, match="not tesseract's form"):
        read_document(path, "scan.pdf", ocr="eng; rm -rf /")
    monkeypatch.setattr(ocr, "tesseract_version", lambda: None)
    with pytest.raises(DocumentError, match="OCR is on but tesseract is not installed; install it with `apt-get"):
        read_document(path, "scan.pdf", ocr="eng")
