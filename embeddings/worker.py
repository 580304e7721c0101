"""The worker that reads documents and draws their pages for ``embeddings.sandbox``: one process,
started by the sandbox with ``python -m embeddings.worker MEMORY_MB``, reading one JSON request a line
from stdin and answering one JSON line each. Its address space is capped at start and its CPU time
before every request, so that a parser or a page that runs away costs this process only; the
sandbox kills it past its wall time.

Requests: ``{"op": "read", ...}`` (``Sandbox.read``) and ``{"op": "render", ...}`` (``Sandbox.render``).
Answers: ``{"pages": n}`` first when a PDF is about to be OCR'd (the sandbox then allows it more
time), then ``{"document": ...}``, ``{"page_image": ..., "scan": ...}`` or ``{"error": reason, "kind": ...}``."""
from __future__ import annotations

import hashlib
import json
import os
import resource
import sys
from pathlib import Path

from .errors import DocumentError
from .formats.guards import check_file
from .formats.pdf import NoTextLayer, Scan, ocr_page_pdf, render_page
from .loading import read_document

PARSERS = ("pypdfium2", "docx", "lxml.etree", "lxml.html", "lxml_html_clean", "striprtf.striprtf",
           "odf.opendocument", "ebooklib.epub", "charset_normalizer", "trafilatura")
"""Imported before the memory cap, so that every document gets the whole of it."""


def _safe_xml() -> None:
    """lxml parsers made without their own settings neither expand entities nor fetch anything."""
    from lxml import etree

    etree.set_default_parser(etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                                             huge_tree=False))


def _cap_cpu(seconds: float) -> None:
    """SIGXCPU once this document has used ``seconds`` of CPU. Only the soft limit moves: a hard limit,
    once lowered, cannot be raised again without CAP_SYS_RESOURCE, and the worker reads document
    after document (the sandbox's wall time stops a parser that ignores the signal)."""
    used = resource.getrusage(resource.RUSAGE_SELF)
    soft = int(used.ru_utime + used.ru_stime + seconds) + 1
    hard = resource.getrlimit(resource.RLIMIT_CPU)[1]
    resource.setrlimit(resource.RLIMIT_CPU, (soft if hard == resource.RLIM_INFINITY else min(soft, hard), hard))


def _pdf_pages(path: Path, password: str | None) -> int:
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(str(path), password=password)
    except pdfium.PdfiumError:
        return 0  # the loader says why
    try:
        return len(pdf)
    finally:
        pdf.close()


def _read(request: dict, out) -> dict:
    path, source, ocr = Path(request["path"]), request["source"], request.get("ocr")
    cpu = float(request["cpu_seconds"])
    check_file(path, source)
    if ocr and path.suffix.lower() == ".pdf":
        pages = _pdf_pages(path, request.get("password"))
        _send(out, {"pages": pages})
        cpu += pages * float(request["ocr_seconds_per_page"])
    _cap_cpu(cpu)
    document = read_document(path, source, None, request.get("max_bytes"), request.get("password"), ocr)
    return {"document": document.to_dict()}


def _indexed_bytes(path: Path, source: str, sha256: str) -> bytes:
    """The file's bytes, as long as they are still the ones that were indexed."""
    try:
        raw = path.read_bytes()
    except OSError:
        raise DocumentError(f"{source}: file not found at {path}; re-index its folder") from None
    if hashlib.sha256(raw).hexdigest() != sha256:
        raise DocumentError(f"{source}: changed on disk since it was indexed; re-index its folder")
    return raw


def _render(request: dict, out) -> dict:
    """One page drawn (``render_page``), OCR'd first when the document was and no scan is known yet."""
    source, page, password, ocr = request["source"], int(request["page"]), request.get("password"), request.get("ocr")
    cpu, reply = float(request["cpu_seconds"]), {}
    scan = None if request.get("scan") is None else Scan.from_dict(request["scan"])
    if ocr and scan is None:
        _send(out, {"pages": 1})
        cpu += float(request["ocr_seconds_per_page"])
    _cap_cpu(cpu)
    raw = _indexed_bytes(Path(request["path"]), source, request["sha256"])
    if ocr and scan is None:
        scan = Scan(ocr_page_pdf(raw, source, page, ocr, password))
        reply["scan"] = scan.to_dict()
    marks = {name: (int(a), int(b)) for name, (a, b) in request["marks"].items()}
    image = render_page(raw, source, page, marks, int(request["width_px"]), request["expected"], password,
                        scan.pdf if scan else None, int(request["max_pixels"]), int(request["max_side_px"]))
    return {**reply, "page_image": image.to_dict()}


def _serve(request: dict, out) -> dict:
    rendering = request.get("op") == "render"
    subject = f"{request.get('source', '?')}, page {request.get('page')}" if rendering else request.get("source", "?")
    doing = "drawing" if rendering else "reading"
    try:
        return _render(request, out) if rendering else _read(request, out)
    except NoTextLayer as error:
        return {"error": str(error), "kind": "no_text_layer"}
    except DocumentError as error:
        return {"error": str(error), "kind": "document"}
    except MemoryError:
        return {"error": f"{subject}: ran out of memory while {doing} (over {request['memory_mb']:,} MB): the file "
                         "may be a decompression bomb", "kind": "memory", "restart": True}
    except RecursionError:
        return {"error": f"{subject}: nested too deeply to {'draw' if rendering else 'read'} (a crafted file?); "
                         "remove it", "kind": "document", "restart": True}
    except Exception as error:  # a parser's own failure on a broken file: that file is skipped, not the sync
        detail = " ".join(str(error).split())[:200]
        what = "drawn" if rendering else "read"
        return {"error": f"{subject}: could not be {what} ({type(error).__name__}: {detail}); the file may be "
                         "damaged: open and re-save it, or remove it", "kind": "document"}


def _send(out, message: dict) -> None:
    out.write(json.dumps(message, ensure_ascii=False).encode("utf-8") + b"\n")
    out.flush()


def main() -> None:
    memory_mb = int(sys.argv[1])
    # The protocol keeps the real stdout; anything a parser prints goes to stderr instead.
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    for name in PARSERS:
        __import__(name)
    _safe_xml()
    limit = memory_mb * 2**20
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    _send(out, {"ready": os.getpid()})
    for line in sys.stdin.buffer:
        request = json.loads(line)
        reply = _serve(request, out)
        _send(out, reply)
        if reply.get("restart"):
            return  # its heap may be in pieces after a MemoryError: the sandbox starts a fresh one


if __name__ == "__main__":
    main()
