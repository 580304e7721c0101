"""Reading documents of each format: extraction rate (pages/s for PDF, documents/s and characters/s
for all), and extraction's share of indexing time next to splitting and encoding the same documents'
passages. The documents are the readable files of ../shared/docs (each read ``--rounds`` times).

OCR (when tesseract is installed): the first page of each born-digital PDF of ../shared/docs
rendered to an image-only PDF (what a scanner writes) and read with ``ocr="eng"``: pages/s, and the
share of the text layer's words that the OCR text holds (word recall, as multisets).

    python -m benchmarks.ingestion [--rounds 5]
"""
from __future__ import annotations

import argparse
import io
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from embeddings import DocumentError, Encoder, read_document, split_document
from embeddings.formats import loader_for
from embeddings.index import IndexSettings, searchable

from .common import BENCH_DATA, check, save, table

DOCS = BENCH_DATA.parent / "docs"
TARGET_SHARE = 0.25
"""Extraction must not be the bottleneck: at most this share of the time to index the documents."""


def measure(rounds: int) -> dict:
    encoder, settings = Encoder(), IndexSettings()
    per_format: dict[str, dict] = {}
    passages = []
    for path in sorted(p for p in DOCS.rglob("*") if p.is_file() and loader_for(p.name)):
        name = path.relative_to(DOCS).as_posix()
        times = []
        try:
            for _ in range(rounds):
                started = time.perf_counter()
                document = read_document(path, name)
                times.append(time.perf_counter() - started)
        except DocumentError:
            continue
        started = time.perf_counter()
        split = split_document(document, settings.split)
        split_s = time.perf_counter() - started
        passages += [searchable(p, document.meta.title, settings) for p in split]
        row = per_format.setdefault(loader_for(name).name, {"documents": 0, "pages": 0, "chars": 0,
                                                            "extract_s": 0.0, "split_s": 0.0})
        row["documents"] += 1
        row["pages"] += len(document.pages)
        row["chars"] += len(document.text)
        row["extract_s"] += statistics.median(times)
        row["split_s"] += split_s
    encoder.encode(passages[:16])
    started = time.perf_counter()
    encoder.encode(passages)
    encode_s = time.perf_counter() - started
    extract_s = sum(r["extract_s"] for r in per_format.values())
    split_s = sum(r["split_s"] for r in per_format.values())
    return {"rounds": rounds, "formats": per_format, "passages": len(passages), "encode_s": round(encode_s, 3),
            "extract_s": round(extract_s, 3), "split_s": round(split_s, 3),
            "extract_share": round(extract_s / (extract_s + split_s + encode_s), 3)}


OCR_PDFS = ("fake-memo.pdf", "multi-column-2p.pdf", "layout-parser-paper-fast.pdf", "negative-coords.pdf",
            "a1977-backus-p21.pdf", "list-item-example.pdf", "reliance.pdf")


def _words(text: str) -> Counter:
    return Counter(re.findall(r"\w+", text.lower()))


def measure_ocr() -> dict | None:
    """OCR rate and word recall on scanned copies of the first pages of born-digital PDFs."""
    import pypdfium2 as pdfium

    if shutil.which("tesseract") is None:
        return None
    rows, total_s = [], 0.0
    with tempfile.TemporaryDirectory() as folder:
        for name in OCR_PDFS:
            original = pdfium.PdfDocument(str(DOCS / "pdf" / name))
            page = original[0]
            truth = page.get_textpage().get_text_range()
            buffer = io.BytesIO()
            page.render(scale=300 / 72).to_pil().convert("L").save(buffer, format="PDF", resolution=300)
            original.close()
            scan = Path(folder) / name
            scan.write_bytes(buffer.getvalue())
            started = time.perf_counter()
            text = read_document(scan, name, ocr="eng").text
            seconds = time.perf_counter() - started
            total_s += seconds
            want, got = _words(truth), _words(text)
            rows.append({"pdf": name, "seconds": round(seconds, 2), "words": sum(want.values()),
                         "word_recall": round(sum((want & got).values()) / max(1, sum(want.values())), 3)})
    return {"pages": len(rows), "seconds": round(total_s, 2), "pages_per_s": round(len(rows) / total_s, 3),
            "word_recall": round(statistics.fmean(r["word_recall"] for r in rows), 3), "rows": rows}


def targets(results: dict) -> list[list[str]]:
    return [check("document extraction's share of indexing time (../shared/docs)", results["extract_share"],
                  TARGET_SHARE)]


def markdown(results: dict) -> str:
    rows = []
    for name, r in results["formats"].items():
        rows.append([name, r["documents"], r["pages"] or "—", round(r["chars"] / r["extract_s"]),
                     round(r["pages"] / r["extract_s"], 1) if r["pages"] else "—",
                     round(1000 * r["extract_s"] / r["documents"], 1)])
    lines = [table(["format", "documents", "pages", "characters/s", "pages/s", "ms per document"], rows), "",
             table(["stage", "seconds", "share"], [
                 ["extract (all formats)", results["extract_s"], results["extract_share"]],
                 ["split into passages", results["split_s"], ""],
                 [f"encode {results['passages']:,} passages", results["encode_s"], ""]])]
    ocr = results.get("ocr")
    if ocr:
        lines += ["", f"OCR (tesseract, eng, 300 dpi) of scanned copies of {ocr['pages']} first pages: "
                      f"{ocr['pages_per_s']} pages/s, word recall against the text layer {ocr['word_recall']}", "",
                  table(["PDF (page 1, scanned)", "seconds", "words in the text layer", "word recall"],
                        [[r["pdf"], r["seconds"], r["words"], r["word_recall"]] for r in ocr["rows"]])]
    elif "ocr" in results:
        lines += ["", "OCR: tesseract not installed (`make ocr`), not measured"]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    if not DOCS.is_dir():
        raise SystemExit(f"{DOCS} missing: this benchmark reads ../shared/docs")
    results = measure(args.rounds)
    results["ocr"] = measure_ocr()
    print(markdown(results))
    save("ingestion", results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
