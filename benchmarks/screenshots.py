"""The README's pictures, made rather than drawn: the app on the seeds and a two-column PDF of
../shared/docs, driven in Chromium by the UI tests' own helpers, photographed into docs/images/.
Rerun it whenever the UI changes.

    python -m benchmarks.screenshots
"""
from __future__ import annotations

import io
import shutil
import sys
import tempfile
from pathlib import Path

from .common import ROOT

IMAGES = ROOT / "docs" / "images"
PDF = ROOT.parent / "shared" / "docs" / "pdf" / "multi-column-2p.pdf"
MAX_BYTES = 300 * 1024
SEEDS_QUESTION = "By how much did Russia-China trade grow in 2017?"
PDF_QUESTION = "What end-to-end QA accuracy does the model reach, compared to ORQA?"


def _save(png: bytes, name: str) -> Path:
    """The screenshot as an indexed-colour PNG, narrowed until it is at most MAX_BYTES."""
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB")
    while True:
        buffer = io.BytesIO()
        image.quantize(colors=128).save(buffer, format="PNG", optimize=True)
        if buffer.tell() <= MAX_BYTES or image.width < 500:
            break
        image = image.resize((int(image.width * 0.85), int(image.height * 0.85)))
    path = IMAGES / name
    path.write_bytes(buffer.getvalue())
    print(f"wrote {path.relative_to(ROOT)} ({image.width}×{image.height}, {buffer.tell() // 1024} KB)")
    return path


def _clip(page, selectors: list[str]) -> dict:
    """The rectangle around the elements ``selectors`` name, with a margin."""
    boxes = [page.locator(s).first.bounding_box() for s in selectors]
    left, top = min(b["x"] for b in boxes) - 12, min(b["y"] for b in boxes) - 12
    right, bottom = max(b["x"] + b["width"] for b in boxes) + 12, max(b["y"] + b["height"] for b in boxes) + 12
    return {"x": max(0, left), "y": max(0, top), "width": right - max(0, left), "height": bottom - max(0, top)}


def photograph(url: str, browser) -> None:
    from tests.test_app import _open_page_view, ask_in_browser

    page = ask_in_browser(browser, url, SEEDS_QUESTION, height=1200)
    _save(page.screenshot(clip=_clip(page, ["#citeqa-question", "#citeqa-answer", "#citeqa-sources .citeqa-card"])),
          "answer.png")
    page.close()
    page = ask_in_browser(browser, url, PDF_QUESTION, height=1800)
    card = page.locator("#citeqa-sources .citeqa-card").first
    _open_page_view(page, card)
    _save(page.screenshot(clip=_clip(page, ["#citeqa-answer", "#citeqa-sources .citeqa-card .page-view"])), "pdf-page.png")
    page.close()


def main() -> int:
    from playwright.sync_api import sync_playwright

    from tests.test_app import chromium, launch

    if not PDF.exists():
        raise SystemExit(f"{PDF} missing: the screenshots show a PDF of ../shared/docs")
    IMAGES.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        shutil.copytree(ROOT / "seeds", corpus, ignore=shutil.ignore_patterns(".citeqa"))
        shutil.copy(PDF, corpus / PDF.name)
        for url in launch(corpus):
            with sync_playwright() as p:
                browser = chromium(p)
                photograph(url, browser)
                browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
