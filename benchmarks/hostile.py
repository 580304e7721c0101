"""Hostile documents: per crafted file, the time until it is refused and the peak memory of the worker
that read it and of the main process; per crafted page (text that reads fine, a page made to cost
the drawing), the same for "Open the page", and what drawing in a worker adds to a normal page. The files are made here, small on disk (the bombs expand to
hundreds of MB or GB only when parsed); the tests make the same corpus with ``make_corpus``.
Then the price of reading in a worker: indexing ../shared/docs and the seeds read in the sandbox
against read in the process itself, the way citeqa read before.

    python -m benchmarks.hostile
"""
from __future__ import annotations

import io
import shutil
import statistics
import sys
import tempfile
import time
import zipfile
import zlib
from pathlib import Path

from .common import ROOT, peak_rss_mb, rss_mb, save, table

TARGET_SECONDS = 10.0
TARGET_MB = 1024.0
TARGET_OVERHEAD = 0.10
TARGET_DRAW_OVERHEAD_S = 0.3
DOCS = ROOT.parent / "shared" / "docs"


# ---- the crafted files ---------------------------------------------------------------------------

def _deflated(prefix: bytes, unit: bytes, repeats: int, suffix: bytes) -> bytes:
    """zlib data that inflates to prefix + unit * repeats + suffix, made without holding the whole."""
    packer, parts = zlib.compressobj(9), [b""]
    parts.append(packer.compress(prefix))
    chunk = unit * max(1, (1 << 20) // len(unit))
    for _ in range(repeats * len(unit) // len(chunk)):
        parts.append(packer.compress(chunk))
    parts += [packer.compress(suffix), packer.flush()]
    return b"".join(parts)


def _pdf(objects: list[bytes], root: int = 1, trailer_extra: bytes = b"") -> bytes:
    """A PDF of numbered objects (1..n) with a correct cross-reference table."""
    out, offsets = io.BytesIO(), []
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.write(b"".join(b"%010d 00000 n \n" % o for o in offsets))
    out.write(b"trailer\n<< /Size %d /Root %d 0 R %s>>\nstartxref\n%d\n%%%%EOF\n"
              % (len(objects) + 1, root, trailer_extra, xref))
    return out.getvalue()


def pdf_bomb(megabytes: int = 534) -> bytes:
    """One page whose content stream inflates to ``megabytes`` MB of drawing operators."""
    unit = b"0 0 m 100 100 l S\n"
    data = _deflated(b"", unit, megabytes * 2**20 // len(unit), b"")
    stream = b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(data) + data + b"\nendstream"
    return _pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                 b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>", stream])


def pdf_many_pages(count: int = 100_000) -> bytes:
    kids = b" ".join(b"%d 0 R" % (3 + i) for i in range(count))
    pages = [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 10 10] >>"] * count
    return _pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, count),
                 *pages])


def pdf_xref_loop() -> bytes:
    """A cross-reference chain that points back at itself, and a page tree that contains itself."""
    good = _pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>",
                 b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>"])
    xref = int(good.rsplit(b"startxref\n", 1)[1].split(b"\n")[0])
    return good.replace(b"trailer\n<< ", b"trailer\n<< /Prev %d " % xref)


def _zip(members: list[tuple[str, bytes | None]], big: tuple[str, bytes, bytes, bytes, int] | None = None) -> bytes:
    """A zip of small members, and optionally one member streamed in: (name, prefix, unit, suffix, MB)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, data in members:
            archive.writestr(zipfile.ZipInfo(name), data, zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED)
        if big:
            name, prefix, unit, suffix, megabytes = big
            with archive.open(name, "w") as handle:
                handle.write(prefix)
                chunk = unit * ((1 << 20) // len(unit))
                for _ in range(megabytes):
                    handle.write(chunk)
                handle.write(suffix)
    return out.getvalue()


W = b'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
DOCX_PARTS = [
    ("[Content_Types].xml", b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
     b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
     b'<Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" '
     b'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'),
    ("_rels/.rels", b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
     b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
     b'Target="word/document.xml"/></Relationships>'),
]
DOCX_HEAD = b'<?xml version="1.0"?><w:document ' + W + b"><w:body><w:p><w:r><w:t>"
DOCX_TAIL = b"</w:t></w:r></w:p></w:body></w:document>"
LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
          + b"".join(b'<!ENTITY lol%d "%s">' % (i, b"".join(b"&lol%s;" % (b"" if i == 1 else str(i - 1).encode())
                                                               for _ in range(10))) for i in range(1, 10))
          + b"]>")
XXE = b'<!DOCTYPE html [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


def docx_bomb(megabytes: int = 1500) -> bytes:
    return _zip(DOCX_PARTS, ("word/document.xml", DOCX_HEAD, b"A", DOCX_TAIL, megabytes))


def docx_laughs() -> bytes:
    body = LAUGHS + b"<w:document " + W + b"><w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p></w:body></w:document>"
    return _zip([*DOCX_PARTS, ("word/document.xml", body)])


ODT_TYPE = b"application/vnd.oasis.opendocument.text"
ODT_MANIFEST = (b'<?xml version="1.0"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
                b'<manifest:file-entry manifest:full-path="/" manifest:media-type="' + ODT_TYPE + b'"/>'
                b'<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>')
ODT_HEAD = (b'<?xml version="1.0"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
            b'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:text><text:p>')
ODT_TAIL = b"</text:p></office:text></office:body></office:document-content>"


def odt_bomb(megabytes: int = 1500) -> bytes:
    return _zip([("mimetype", ODT_TYPE), ("META-INF/manifest.xml", ODT_MANIFEST)],
                ("content.xml", ODT_HEAD, b"A", ODT_TAIL, megabytes))


EPUB_CONTAINER = (b'<?xml version="1.0"?><container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">'
                  b'<rootfiles><rootfile full-path="content.opf" media-type="application/oebps-package+xml"/></rootfiles></container>')
EPUB_OPF = (b'<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="id">'
            b'<metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:identifier id="id">x</dc:identifier>'
            b'<dc:title>Hostile</dc:title><dc:language>en</dc:language></metadata>'
            b'<manifest><item id="c1" href="chapter.xhtml" media-type="application/xhtml+xml"/></manifest>'
            b'<spine><itemref idref="c1"/></spine></package>')
XHTML_HEAD = b'<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><body><p>'
XHTML_TAIL = b"</p></body></html>"


def _epub(chapter: bytes | None, big: tuple | None = None) -> bytes:
    members = [("mimetype", b"application/epub+zip"), ("META-INF/container.xml", EPUB_CONTAINER), ("content.opf", EPUB_OPF)]
    return _zip(members + ([("chapter.xhtml", chapter)] if chapter is not None else []), big)


def epub_bomb(megabytes: int = 1500) -> bytes:
    return _epub(None, ("chapter.xhtml", XHTML_HEAD, b"A", XHTML_TAIL, megabytes))


def epub_xxe() -> bytes:
    return _epub(b'<?xml version="1.0"?>' + XXE + b'<html xmlns="http://www.w3.org/1999/xhtml"><body>'
                 b"<p>The harbour opened in 1870.</p><p>&xxe;</p></body></html>")


def xhtml_xxe() -> bytes:
    return (b'<?xml version="1.0"?>' + XXE + b'<html xmlns="http://www.w3.org/1999/xhtml"><head><title>Notes</title>'
            b"</head><body><p>The harbour opened in 1870.</p><p>&xxe;</p></body></html>")


def html_deep(depth: int = 200_000) -> bytes:
    return b"<html><body>" + b"<div>" * depth + b"deep" + b"</div>" * depth + b"</body></html>"


HOSTILE = {
    "pdf-bomb.pdf": (pdf_bomb, "a content stream of 1.8 MB that inflates to 534 MB"),
    "docx-bomb.docx": (docx_bomb, "document.xml of 1.5 MB that inflates to 1.5 GB"),
    "docx-laughs.docx": (docx_laughs, "nested XML entities (billion laughs), 10 KB"),
    "html-deep.html": (html_deep, "200,000 nested <div>s"),
    "odt-bomb.odt": (odt_bomb, "content.xml that inflates to 1.5 GB"),
    "epub-bomb.epub": (epub_bomb, "a chapter that inflates to 1.5 GB"),
    "epub-xxe.epub": (epub_xxe, "a chapter with an external entity naming /etc/passwd"),
    "xhtml-xxe.html": (xhtml_xxe, "an XHTML page with an external entity naming /etc/passwd"),
    "pdf-100k-pages.pdf": (pdf_many_pages, "100,000 empty pages"),
    "pdf-xref-loop.pdf": (pdf_xref_loop, "a cross-reference chain and a page tree that loop"),
    "zip-named.pdf": (docx_laughs, "a ZIP file named .pdf"),
}
# Pages whose text reads as it should (each is indexed) but that are made to cost the drawing of them.
PORT_ELRIC = {
    "render-tall-page.pdf": "The harbour of Port Elric opened in 1871.",
    "render-huge-page.pdf": "The lighthouse of Port Elric was built in 1885.",
    "render-image-bomb.pdf": "The bridge of Port Elric was finished in 1902.",
    "render-slow-page.pdf": "The library of Port Elric opened in 1923.",
}
_FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"


def _one_page(width: int, height: int, content: bytes, resources: bytes = b"", extra: tuple[bytes, ...] = ()) -> bytes:
    data = zlib.compress(content, 9)
    stream = b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(data) + data + b"\nendstream"
    return _pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                 b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Resources << /Font << /F1 5 0 R >> %s >> "
                 b"/Contents 4 0 R >>" % (width, height, resources), stream, _FONT, *extra])


def _line(name: str, size: int = 12, x: int = 72, y: int = 72) -> bytes:
    return b"BT /F1 %d Tf %d %d Td (%s) Tj ET\n" % (size, x, y, PORT_ELRIC[name].encode("ascii"))


def render_tall_page() -> bytes:
    """3 pt wide, 14,400 pt tall: 900 px wide it is a 900 x 4,320,000 bitmap (15.5 GB)."""
    return _one_page(3, 14_400, _line("render-tall-page.pdf", 2, 0, 7_200))


def render_huge_page() -> bytes:
    """14,400 pt square, the largest page PDF readers accept."""
    return _one_page(14_400, 14_400, _line("render-huge-page.pdf", 12, 72, 7_200))


def render_image_bomb(side: int = 40_000) -> bytes:
    """A 40,000 x 40,000 grey image (1.6 GB decoded) drawn over the page, 1.5 MB on disk."""
    data = _deflated(b"", b"\x00" * 4096, side * side // 4096, b"")
    image = (b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray /BitsPerComponent 8 "
             b"/Filter /FlateDecode /Length %d >>\nstream\n" % (side, side, len(data)) + data + b"\nendstream")
    return _one_page(612, 792, _line("render-image-bomb.pdf") + b"q 612 0 0 792 0 0 cm /Im1 Do Q\n",
                     b"/XObject << /Im1 6 0 R >>", (image,))


def render_slow_page(fills: int = 200_000) -> bytes:
    """200,000 blended fills of the whole page: parsed in a blink, drawn in minutes."""
    fill = b"/GS1 gs 0.2 0.4 0.6 rg\n" + b"0 0 612 792 re f\n" * fills
    return _one_page(612, 792, _line("render-slow-page.pdf") + fill, b"/ExtGState << /GS1 6 0 R >>",
                     (b"<< /Type /ExtGState /ca 0.5 /BM /Multiply >>",))


RENDER_HOSTILE = {
    "render-tall-page.pdf": (render_tall_page, "a page 3 pt wide and 14,400 pt tall, 660 bytes"),
    "render-huge-page.pdf": (render_huge_page, "a page of 14,400 x 14,400 pt"),
    "render-image-bomb.pdf": (render_image_bomb, "an image of 40,000 x 40,000 px (1.6 GB) in 1.5 MB"),
    "render-slow-page.pdf": (render_slow_page, "200,000 blended full-page fills, 9 KB"),
}


def make_render_corpus(folder: Path) -> dict[str, str]:
    """Every hostile page written into ``folder``; returns name -> what it is."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, (build, _) in RENDER_HOSTILE.items():
        (folder / name).write_bytes(build())
    return {name: what for name, (_, what) in RENDER_HOSTILE.items()}


TRUNCATED = {".pdf": "pdf/fake-memo.pdf", ".docx": "docx/handbook-1p.docx", ".odt": "other/fake.odt",
             ".epub": "other/eng_spa_mult.epub", ".html": "html/example-10k-1p.html", ".rtf": "other/fake-doc.rtf",
             ".txt": "txt/norwich-city.txt", ".md": "other/codeblock.md"}


def make_corpus(folder: Path) -> dict[str, str]:
    """Every hostile file written into ``folder``; returns name -> what it is."""
    folder.mkdir(parents=True, exist_ok=True)
    made = {}
    for name, (build, what) in HOSTILE.items():
        (folder / name).write_bytes(build())
        made[name] = what
    for suffix, fixture in TRUNCATED.items():
        (folder / f"empty{suffix}").write_bytes(b"")
        made[f"empty{suffix}"] = "zero bytes"
        raw = _fixture(fixture)
        (folder / f"truncated{suffix}").write_bytes(raw[:len(raw) // 2])
        made[f"truncated{suffix}"] = f"the first half of {fixture}"
    return made


def _fixture(relative: str) -> bytes:
    path = DOCS / relative
    if path.exists():
        return path.read_bytes()
    matches = sorted(DOCS.rglob(Path(relative).name))
    if not matches:
        raise SystemExit(f"{DOCS / relative} missing: the hostile corpus truncates fixtures of ../shared/docs")
    return matches[0].read_bytes()


# ---- measurements --------------------------------------------------------------------------------

def refusals(folder: Path) -> list[dict]:
    """Each hostile file read alone in a fresh worker: outcome, seconds, worker and main peak memory."""
    from embeddings import DocumentError, Sandbox

    rows = []
    for path in sorted(folder.iterdir()):
        main_before = rss_mb()
        with Sandbox() as sandbox:
            started = time.perf_counter()
            try:
                sandbox.read(path, path.name)
                outcome = "read (not refused)"
            except DocumentError as error:
                outcome = str(error).removeprefix(f"{path.name}: ")
            seconds = time.perf_counter() - started
            rows.append({"file": path.name, "bytes": path.stat().st_size, "seconds": seconds,
                         "worker_peak_mb": sandbox.last_peak_mb, "main_growth_mb": rss_mb() - main_before,
                         "outcome": outcome})
        print(f"{path.name}: {seconds:.2f} s, worker {rows[-1]['worker_peak_mb']:.0f} MB — {outcome[:90]}", flush=True)
    return rows


def renders(folder: Path) -> list[dict]:
    """Each hostile page indexed, then drawn the way "Open the page" draws it, by a fresh renderer (its
    own worker): whether its text was found, outcome, seconds, worker and main peak memory."""
    from embeddings import DocumentError, Encoder, Index
    from embeddings.rendering import PageRenderer

    rows, encoder = [], Encoder()
    with tempfile.TemporaryDirectory() as tmp:
        index, _ = Index.open(folder, Path(tmp) / "index", encoder=encoder, progress=False)
        for name, sentence in PORT_ELRIC.items():
            text = index.document(name).text
            start = text.find(sentence)
            renderer = PageRenderer()
            view = Index(index.folder, index.store, encoder, renderer)
            main_before = rss_mb()
            started = time.perf_counter()
            try:
                image = view.page_image(name, 1, {"quote": (max(start, 0), max(start, 0) + len(sentence))})
                outcome = f"drawn {image.width:,} x {image.height:,} px" + (" (reduced to fit)" if image.reduced else "")
            except DocumentError as error:
                outcome = str(error).removeprefix(f"{name}, page 1: ")
            seconds = time.perf_counter() - started
            rows.append({"file": name, "text_found": start >= 0, "seconds": seconds, "worker_peak_mb": renderer.last_peak_mb,
                         "main_growth_mb": rss_mb() - main_before, "outcome": outcome})
            renderer.close()
            print(f"{name}: {seconds:.2f} s, worker {rows[-1]['worker_peak_mb']:.0f} MB — {outcome[:90]}", flush=True)
    return rows


def render_overhead(width_px: int = 900) -> dict:
    """Page 1 of every PDF of ../shared/docs with a mark on its first 200 characters: drawn in this process
    (before) against drawn by a warm worker with nothing kept (after); p50 and p95 seconds."""
    from embeddings import Encoder, Index
    from embeddings.formats.pdf import PAGE_BREAK, render_page
    from embeddings.loading import read_metadata
    from embeddings.rendering import PageRenderer, RenderSettings
    from qa.metrics import percentile

    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "pdf"
        shutil.copytree(DOCS / "pdf", corpus)
        index, _ = Index.open(corpus, Path(tmp) / "index", encoder=Encoder(), progress=False)
        renderer = PageRenderer(RenderSettings(cache_mb=0))
        view = Index(index.folder, index.store, index.encoder, renderer)
        passwords = read_metadata(corpus).passwords
        times: dict[str, list[float]] = {"in process": [], "in a worker": []}
        pdfs = [s for s, e in sorted(index.documents.items()) if e.pages and not s.startswith(".")]
        view.page_image(pdfs[0], 1, {"quote": (0, 1)}, width_px)  # the worker's start is paid once per server
        for source in pdfs:
            started = time.perf_counter()  # as Index.page_image did: the stored text checked, the file read, drawn
            document = index.document(source)
            end = document.pages[1] - len(PAGE_BREAK) if len(document.pages) > 1 else len(document.text)
            marks = {"quote": (0, min(200, end))}
            raw = (corpus / source).read_bytes()
            render_page(raw, source, 1, marks, width_px, document.text[:end], passwords.get(source))
            times["in process"].append(time.perf_counter() - started)
            started = time.perf_counter()
            view.page_image(source, 1, marks, width_px)
            times["in a worker"].append(time.perf_counter() - started)
        renderer.close()
    return {"pages": len(pdfs), **{name: {"p50": statistics.median(v), "p95": percentile(v, 95)} for name, v in times.items()}}


def overhead(repeats: int = 3) -> dict:
    """Reading ../shared/docs and the seeds: in the worker against in the process (no encoding)."""
    from embeddings import Sandbox, read_document
    from embeddings.loading import list_documents

    files = list_documents(DOCS) + list_documents(ROOT / "seeds")

    def inline() -> None:
        for item in files:
            try:
                read_document(item.path, item.source)
            except Exception:  # the same skips as in the worker; only the time counts here
                pass

    def sandboxed() -> None:
        with Sandbox() as sandbox:
            for item in files:
                try:
                    sandbox.read(item.path, item.source)
                except Exception:
                    pass

    times = {"in process": [], "in a worker": []}
    for _ in range(repeats):
        for name, run in (("in process", inline), ("in a worker", sandboxed)):
            started = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - started)
    return {"files": len(files), **{name: statistics.median(values) for name, values in times.items()}}


def sync_overhead() -> dict:
    """A whole first sync of ../shared/docs and the seeds (read, split, encode, store): the reading
    share of it, and the time of the same sync."""
    from embeddings import Encoder, Index

    encoder = Encoder()
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        shutil.copytree(DOCS, corpus / "docs")
        shutil.copytree(ROOT / "seeds", corpus / "seeds", ignore=shutil.ignore_patterns(".citeqa"))
        started = time.perf_counter()
        _, report = Index.open(corpus, Path(tmp) / "index", encoder=encoder, progress=False)
        return {"sync_seconds": time.perf_counter() - started, "documents": len(report.added),
                "passages": report.encoded_passages}


def run() -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "hostile"
        started = time.perf_counter()
        make_corpus(folder)
        print(f"made the hostile corpus in {time.perf_counter() - started:.1f} s", flush=True)
        rows = refusals(folder)
        make_render_corpus(Path(tmp) / "pages")
        drawn = renders(Path(tmp) / "pages")
    return {"refusals": rows, "renders": drawn, "render_overhead": render_overhead(), "overhead": overhead(),
            "sync": sync_overhead(), "main_peak_mb": peak_rss_mb()}


def markdown(results: dict) -> str:
    rows = [[r["file"], r["bytes"], r["seconds"], r["worker_peak_mb"], r["main_growth_mb"], r["outcome"]]
            for r in results["refusals"]]
    o, s = results["overhead"], results["sync"]
    share = o["in a worker"] - o["in process"]
    return "\n\n".join([
        table(["file", "bytes", "seconds to refusal", "worker peak MB", "main process growth MB", "what the user reads"], rows),
        table(["page", "text indexed", "seconds to draw or refuse", "worker peak MB", "main process growth MB",
               "what the user reads"],
              [[r["file"], "yes" if r["text_found"] else "**no**", r["seconds"], r["worker_peak_mb"], r["main_growth_mb"],
                r["outcome"]] for r in results["renders"]]),
        table(["drawing page 1 of each PDF of ../shared/docs", "pages", "p50 seconds", "p95 seconds"],
              [[name, results["render_overhead"]["pages"], t["p50"], t["p95"]]
               for name, t in results["render_overhead"].items() if name != "pages"]),
        table(["reading ../shared/docs and the seeds", "files", "seconds"],
              [["in the process (before)", o["files"], o["in process"]], ["in a worker", o["files"], o["in a worker"]]]),
        f"A first sync of the same {s['documents']} documents ({s['passages']:,} passages) takes {s['sync_seconds']:.1f} s; "
        f"reading in a worker adds {share:.2f} s to it ({share / s['sync_seconds']:.1%}).",
    ])


def targets(results: dict) -> list[list]:
    worst_s = max(r["seconds"] for r in results["refusals"])
    worst_mb = max(r["worker_peak_mb"] for r in results["refusals"])
    main_mb = max(r["main_growth_mb"] for r in results["refusals"])
    read = [r["file"] for r in results["refusals"] if r["outcome"].startswith("read")]
    o, s = results["overhead"], results["sync"]
    extra = (o["in a worker"] - o["in process"]) / s["sync_seconds"]
    drawn = results["renders"]
    slowest_draw = max(r["seconds"] for r in drawn)
    draw_mb = max(r["worker_peak_mb"] for r in drawn)
    draw_growth = max(r["main_growth_mb"] for r in drawn)
    r = results["render_overhead"]
    extra_draw = r["in a worker"]["p50"] - r["in process"]["p50"]
    return [
        ["slowest hostile page drawn or refused", f"{slowest_draw:.1f} s", f"≤ {TARGET_SECONDS:g} s",
         _status(slowest_draw <= TARGET_SECONDS)],
        ["largest worker peak on a hostile page", f"{draw_mb:.0f} MB", f"≤ {TARGET_MB:g} MB", _status(draw_mb <= TARGET_MB)],
        ["main process growth on a hostile page", f"{draw_growth:.0f} MB", "≈ 0", _status(draw_growth < 50)],
        ["opening a normal page, p50, slower by the worker", f"{extra_draw:+.3f} s", f"≤ {TARGET_DRAW_OVERHEAD_S} s",
         _status(extra_draw <= TARGET_DRAW_OVERHEAD_S)],
        ["slowest refusal of a hostile file", f"{worst_s:.1f} s", f"≤ {TARGET_SECONDS:g} s", _status(worst_s <= TARGET_SECONDS)],
        ["largest worker peak on a hostile file", f"{worst_mb:.0f} MB", f"≤ {TARGET_MB:g} MB", _status(worst_mb <= TARGET_MB)],
        ["main process growth on a hostile file", f"{main_mb:.0f} MB", "≈ 0", _status(main_mb < 50)],
        ["hostile files read instead of refused", ", ".join(read) or "none", "only the harmless ones", "see table"],
        ["a first sync of ../shared/docs and seeds, slower by workers", f"{extra:.1%}", f"≤ {TARGET_OVERHEAD:.0%}",
         _status(extra <= TARGET_OVERHEAD)],
    ]


def _status(ok: bool) -> str:
    return "met" if ok else "**missed**"


def main() -> int:
    results = run()
    save("hostile", results)
    print(markdown(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
