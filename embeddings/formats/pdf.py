"""PDF through PDFium (pypdfium2): its reading order, ligatures resolved and line-end hyphens
joined, one page after another. Chosen over pypdf on ../shared/docs (see the README): 2 to 20
times faster, "efficient" where pypdf gives "ef-\\nﬁcient", and it opens the copy-protected file.
The character boxes for highlighting come from the same text page (``page_text`` maps each
character of the text back to PDFium's character index)."""
from __future__ import annotations

import base64
import re
from dataclasses import dataclass

from ..errors import DocumentError
from . import ocr as tesseract
from .base import Extracted, Limits, Loader, clean_meta

PAGE_BREAK = "\n\n"
_SOFT_HYPHEN = "\ufffe"  # PDFium's mark for a hyphen it removed at a line end
_DATE = re.compile(r"^D:(\d{4})(\d{2})?(\d{2})?")
_OCR_STAMP = re.compile(r" \+ OCR \(.*, ([^,)]+)\)$")


def ocr_languages(stamp: str) -> str | None:
    """The OCR languages a document's loader stamp names, if some of its pages were OCR'd."""
    match = _OCR_STAMP.search(stamp)
    return match.group(1) if match else None


def page_text(textpage) -> tuple[str, list[int]]:
    """The page's text and, for each of its characters, PDFium's index of that character."""
    raw = textpage.get_text_range()
    chars, origins = [], []
    for i, c in enumerate(raw):
        if c == _SOFT_HYPHEN or (c == "\r" and raw[i + 1:i + 2] == "\n"):
            continue
        chars.append(c)
        origins.append(i)
    return "".join(chars), origins


def _date(value: str | None) -> str | None:
    match = _DATE.match(value or "")
    if not match:
        return None
    return "-".join(part for part in match.groups() if part)


def open_pdf(raw: bytes, source: str, password: str | None = None):
    import pypdfium2 as pdfium

    try:
        return pdfium.PdfDocument(raw, password=password)
    except pdfium.PdfiumError as error:
        if "password" not in str(error).lower():
            raise DocumentError(f"{source}: not a readable PDF ({error}); open and re-save it, or remove it") from None
        if password is None:
            raise DocumentError(f"{source}: encrypted (password-protected); give its password in metadata.json "
                                f'({{"{source}": {{"password": "…"}}}}) or remove the password '
                                "(for example `qpdf --decrypt`)") from None
        raise DocumentError(f"{source}: encrypted, and the password metadata.json gives for it does not open it; "
                            "correct it there") from None


class PdfLoader(Loader):
    name = "pdf"
    suffixes = (".pdf",)
    package = "pypdfium2"

    def __init__(self, ocr: str | None = None):
        self.ocr = ocr
        """Tesseract languages ("eng", "deu+eng") for pages without a text layer; None: no OCR."""

    @property
    def ocr_stamp(self) -> str:
        return f"{self.stamp} + OCR ({tesseract.tesseract_version() or 'tesseract missing'}, {self.ocr})"

    def current(self, stamp: str) -> bool:
        return stamp == self.stamp or (self.ocr is not None and stamp == self.ocr_stamp)

    def extract(self, raw: bytes, source: str, limits: Limits, password: str | None = None) -> Extracted:
        pdf = open_pdf(raw, source, password)
        try:
            if len(pdf) > limits.max_pages:
                raise DocumentError(f"{source}: {len(pdf):,} pages, over the limit of {limits.max_pages:,}; "
                                    "split it or raise max_pages")
            texts, starts, length, scanned = [], [], 0, 0
            for n in range(len(pdf)):
                textpage = pdf[n].get_textpage()
                if textpage.count_chars() > limits.max_page_chars:
                    raise DocumentError(f"{source}: page {n + 1} holds {textpage.count_chars():,} characters (over "
                                        f"{limits.max_page_chars:,}): a data dump or a crafted file; split it or remove it")
                text = page_text(textpage)[0]
                if self.ocr is not None and not text.strip():
                    tesseract.check(self.ocr, source)
                    text, scanned = _ocr_text(pdf[n], self.ocr, source, n + 1), scanned + 1
                starts.append(length)
                texts.append(text)
                length += len(text) + len(PAGE_BREAK)
                if length > limits.max_text_chars:
                    raise DocumentError(f"{source}: over {limits.max_text_chars:,} characters of text by page "
                                        f"{n + 1}; split it or raise max_document_bytes")
            info = pdf.get_metadata_dict()
        finally:
            pdf.close()
        text = PAGE_BREAK.join(texts)
        if not text.strip():
            hint = ("tesseract found no text on it either" if self.ocr else
                    "index with OCR (`citeqa index --ocr eng`, IndexSettings(ocr=\"eng\")), or run OCR on it first")
            raise NoTextLayer(f"{source}: no text layer — a scanned image? {hint}")
        meta = clean_meta(title=info.get("Title"), author=info.get("Author"), publisher=None,
                          date=_date(info.get("CreationDate")))
        return Extracted(text, "pdf", meta, tuple(starts), self.ocr_stamp if scanned else None)


class NoTextLayer(DocumentError):
    """A PDF with no text on any page (OCR off, or it found none)."""


def _ocr_text(page, languages: str, source: str, number: int) -> str:
    import pypdfium2 as pdfium

    scanned = pdfium.PdfDocument(tesseract.ocr_page(page, languages, source, number))
    try:
        return page_text(scanned[0].get_textpage())[0]
    finally:
        scanned.close()


Box = tuple[float, float, float, float]
"""A rectangle on the rendered page as fractions of its width and height: left, top, right, bottom."""


@dataclass(frozen=True)
class PageImage:
    """A page rendered as JPEG with the characters of some spans of its text marked."""

    page: int
    jpeg: bytes
    width: int
    height: int
    marks: dict[str, tuple[Box, ...]]
    """Boxes per mark name ("quote", "short"): one per run of characters on one line."""
    points: tuple[float, float] = (0.0, 0.0)
    """The page's size in PDF points (1/72 inch), as displayed (rotation applied)."""
    reduced: bool = False
    """Drawn smaller than asked, to keep within the pixel budget (a page made huge or very long)."""

    def to_dict(self) -> dict:
        return {"page": self.page, "jpeg": base64.b64encode(self.jpeg).decode("ascii"), "width": self.width,
                "height": self.height, "marks": {name: [list(box) for box in boxes] for name, boxes in self.marks.items()},
                "points": list(self.points), "reduced": self.reduced}

    @classmethod
    def from_dict(cls, data: dict) -> PageImage:
        return cls(int(data["page"]), base64.b64decode(data["jpeg"]), int(data["width"]), int(data["height"]),
                   {name: tuple(tuple(float(v) for v in box) for box in boxes) for name, boxes in data["marks"].items()},
                   tuple(float(v) for v in data.get("points", (0.0, 0.0))), bool(data.get("reduced", False)))


@dataclass(frozen=True)
class PixelBudget:
    """How large a rendered page may be. A letter page 900 px wide is 1.05 million pixels."""

    max_pixels: int = 4_000_000
    """A 16 MB bitmap: a page is drawn smaller (and says so) rather than larger."""
    max_side_px: int = 16_384
    """JPEG stops at 65,535 px a side, and a browser shows no more than this sensibly."""

    def __post_init__(self) -> None:
        if self.max_pixels < 10_000 or self.max_side_px < 100:
            raise ValueError(f"PixelBudget: max_pixels must be at least 10,000 and max_side_px at least 100, not "
                             f"{self.max_pixels:,} and {self.max_side_px:,}")


@dataclass(frozen=True)
class Scan:
    """What OCR made of one page of a document read with OCR: tesseract's one-page PDF (seconds to
    make, so kept between renders), or None when the page has a text layer of its own."""

    pdf: bytes | None

    def to_dict(self) -> dict:
        return {"pdf": None if self.pdf is None else base64.b64encode(self.pdf).decode("ascii")}

    @classmethod
    def from_dict(cls, data: dict) -> Scan:
        return cls(None if data.get("pdf") is None else base64.b64decode(data["pdf"]))


def render_scale(points: tuple[float, float], width_px: int, max_pixels: int, max_side_px: int) -> tuple[float, bool]:
    """The scale that draws a page of ``points`` ``width_px`` wide, lowered until the bitmap stays within
    ``max_pixels`` and its longer side within ``max_side_px``; and whether it was lowered. A page 3 pt
    wide and 14,400 pt tall asked at 900 px wide would be a 15.5 GB bitmap."""
    width, height = points
    if not (width > 0 and height > 0):
        raise ValueError(f"a page of {width:g} x {height:g} pt has nothing to draw")
    wanted = width_px / width
    scale = min(wanted, (max_pixels / (width * height)) ** 0.5, max_side_px / max(width, height))
    if min(width, height) * scale < 1:
        raise ValueError(f"a page of {width:g} x {height:g} pt is too thin to draw within {max_pixels:,} pixels")
    return scale, scale < wanted


def _merge(boxes: list[Box]) -> list[Box]:
    """Character boxes in reading order joined into one box per line (either orientation)."""
    merged: list[Box] = []
    for box in boxes:
        if merged:
            l, t, r, b = merged[-1]
            pad = 0.6 * max(box[3] - box[1], box[2] - box[0])
            if box[0] <= r + pad and box[2] >= l - pad and box[1] <= b + pad and box[3] >= t - pad:
                merged[-1] = (min(l, box[0]), min(t, box[1]), max(r, box[2]), max(b, box[3]))
                continue
        merged.append(box)
    return merged


def _on_page(box: Box) -> Box | None:
    """The part of ``box`` on the page; None if none is (text placed off the page still reads)."""
    left, top, right, bottom = (min(max(v, 0.0), 1.0) for v in box)
    return (left, top, right, bottom) if right > left and bottom > top else None


def _boxed(text: str, start: int, end: int, words: bool) -> list[int]:
    """The characters of ``text[start:end]`` whose boxes mark it. ``words``: tesseract's text layer, whose
    glyphless font spreads each word and the space after it evenly over the word's box, so a
    character's box is only roughly on its letter while the word with its space covers the word."""
    end = min(end, len(text))
    if words and end < len(text) and text[end] == " " and end > start and not text[end - 1].isspace():
        end += 1
    return [k for k in range(max(0, start), end)
            if not text[k].isspace() or (words and text[k] == " " and k > start and not text[k - 1].isspace())]


def ocr_page_pdf(raw: bytes, source: str, page: int, languages: str, password: str | None = None) -> bytes | None:
    """Tesseract's one-page PDF of page ``page`` when that page has no text layer (else None)."""
    pdf = open_pdf(raw, source, password)
    try:
        if not 1 <= page <= len(pdf):
            raise DocumentError(f"{source}: has no page {page} (it has {len(pdf)})")
        handle = pdf[page - 1]
        if page_text(handle.get_textpage())[0].strip():
            return None
        tesseract.check(languages, source)
        return tesseract.ocr_page(handle, languages, source, page)
    finally:
        pdf.close()


def render_page(raw: bytes, source: str, page: int, marks: dict[str, tuple[int, int]], width_px: int = 900,
                expected: str | None = None, password: str | None = None, scanned: bytes | None = None,
                max_pixels: int = 4_000_000, max_side_px: int = 16_384) -> PageImage:
    """Page ``page`` (from 1) of the PDF as JPEG, ``width_px`` wide unless that breaks ``max_pixels`` or
    ``max_side_px`` (see ``render_scale``), with each mark's characters (offsets into that page's text
    as ``page_text`` gives it, which must be ``expected`` when given) boxed. Boxes come from the text
    page the text came from (``scanned``: tesseract's page PDF, from :func:`ocr_page_pdf`, for a page
    without a text layer), placed by PDFium's own page-to-device transform, so rotated pages are
    marked right too. Runs in ``embeddings.worker`` (``Sandbox.render``): drawing a crafted page can
    take any memory and time."""
    import ctypes
    import io

    import pypdfium2.raw as pdfium_c

    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(scanned) if scanned is not None else open_pdf(raw, source, password)
    try:
        if scanned is not None:
            page_index = 0
        elif not 1 <= page <= len(pdf):
            raise DocumentError(f"{source}: has no page {page} (it has {len(pdf)})")
        else:
            page_index = page - 1
        handle = pdf[page_index]
        textpage = handle.get_textpage()
        text, origins = page_text(textpage)
        if expected is not None and text != expected:
            raise DocumentError(f"{source}: page {page} reads differently now than when it was indexed "
                                "(another PDFium version?); re-index it")
        points = handle.get_size()
        try:
            scale, reduced = render_scale(points, width_px, max_pixels, max_side_px)
        except ValueError as error:
            raise DocumentError(f"{source}: page {page} cannot be shown: {error}") from None
        image = handle.render(scale=scale).to_pil()
        width, height = image.size

        def device(x: float, y: float) -> tuple[float, float]:
            dx, dy = ctypes.c_int(), ctypes.c_int()
            pdfium_c.FPDF_PageToDevice(handle.raw, 0, 0, width, height, 0, x, y, ctypes.byref(dx), ctypes.byref(dy))
            return dx.value / width, dy.value / height

        boxes: dict[str, tuple[Box, ...]] = {}
        for name, (start, end) in marks.items():
            chars = []
            for k in _boxed(text, start, end, words=scanned is not None):
                left, bottom, right, top = textpage.get_charbox(origins[k])
                (x0, y0), (x1, y1) = device(left, top), device(right, bottom)
                chars.append((min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)))
            boxes[name] = tuple(box for box in map(_on_page, _merge(chars)) if box is not None)
        buffer = io.BytesIO()
        image.convert("RGB").save(buffer, format="JPEG", quality=80)
    finally:
        pdf.close()
    return PageImage(page, buffer.getvalue(), width, height, boxes, tuple(points), reduced)
