"""Reading documents in a worker process with limits, so that one hostile file costs only itself.

A parser that runs out of memory, loops or crashes on a crafted file takes down the process it runs
in. Every document is therefore read by ``embeddings.worker`` in a process of its own, capped in
memory (address space) and CPU time, and killed past its wall time; a worker that dies is replaced
and its document skipped with a reason a person understands, while the rest of the sync goes on.
The idea is Apache Tika's ``-spawnChild``; one worker is reused for every document of a sync, so
its start (half a second) is paid once."""
from __future__ import annotations

import json
import logging
import os
import select
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

from .errors import DocumentError
from .formats.pdf import NoTextLayer, PageImage, PixelBudget, Scan
from .records import Document

log = logging.getLogger(__name__)
POLL_S = 0.05
START_TIMEOUT_S = 60.0
OUT_OF_MEMORY_SHARE = 0.5
"""A worker killed by a signal after its address space reached this share of the cap ran out of memory:
a parser's allocation failed (C++ aborts on it), as on a PDF whose content stream inflates to 534 MB.
Reading all 42 files of ../shared/docs took 108 MB of address space at most, a tenth of the cap."""
_PACKAGE_ROOT = str(Path(__file__).resolve().parent.parent)


@dataclass(frozen=True)
class ReadLimits:
    """What reading one document may cost; past it the reading is stopped and the document skipped."""

    memory_mb: int = 1024
    """Address space of the worker (parsers, the file and its text). One worker reading all 42 files
    of ../shared/docs peaked at 95 MB resident."""
    cpu_seconds: float = 60.0
    wall_seconds: float = 60.0
    """Each file of ../shared/docs reads in under 0.5 s; a minute is a file made to be slow."""
    ocr_seconds_per_page: float = 30.0
    """Added to both time limits for each page of a PDF read with OCR (2.8 to 25 s a page measured)."""

    def __post_init__(self) -> None:
        if self.memory_mb < 256:
            raise ValueError(f"ReadLimits.memory_mb must be at least 256 (the worker needs about 70 MB to start), "
                             f"not {self.memory_mb}")
        for name in ("cpu_seconds", "wall_seconds", "ocr_seconds_per_page"):
            if not getattr(self, name) > 0:
                raise ValueError(f"ReadLimits.{name} must be above 0, not {getattr(self, name)}")


@dataclass(frozen=True)
class _Task:
    """What the worker was asked to do, in the words of the reason it gives when that is stopped."""

    subject: str
    """The file ("report.pdf"), or its page ("report.pdf, page 3")."""
    verb: str
    doing: str
    slow: str
    """What a crafted file makes slow: to "parse" it, to "draw" it."""
    thing: str
    setting: str
    """Where its limits are set ("IndexSettings.reading")."""


class _Stopped(Exception):
    def __init__(self, timed_out: bool):
        super().__init__()
        self.timed_out = timed_out


class _Worker:
    """One running ``embeddings.worker`` process and its pipes."""

    def __init__(self, limits: ReadLimits):
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [_PACKAGE_ROOT, os.environ.get("PYTHONPATH")])),
               "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MALLOC_ARENA_MAX": "2"}
        self.errors = tempfile.TemporaryFile()
        # Its own session: a kill reaches what it started too (tesseract).
        self.process = subprocess.Popen([sys.executable, "-m", "embeddings.worker", str(limits.memory_mb)],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.errors,
                                        env=env, start_new_session=True)
        self.buffer = b""
        self.peak_mb = 0.0
        self.address_peak_mb = 0.0
        """Largest address space seen (the worker's life long): near the cap, a crash was most likely a
        failed allocation."""

    def send(self, request: dict) -> None:
        self.process.stdin.write(json.dumps(request).encode("utf-8") + b"\n")
        self.process.stdin.flush()

    def receive(self, deadline: float) -> dict:
        """The next message; ``_Stopped`` when the worker died or the deadline passed."""
        fd, chunks = self.process.stdout.fileno(), [self.buffer]
        while b"\n" not in chunks[-1]:  # a document's text may be tens of MB: join once, at the end
            self._watch()
            if time.monotonic() > deadline:  # the worker is killed next: what it sent is of no use
                raise _Stopped(timed_out=True)
            ready, _, _ = select.select([fd], [], [], POLL_S)
            if ready:
                chunk = os.read(fd, 1 << 20)
                if not chunk:
                    raise _Stopped(timed_out=False)
                chunks.append(chunk)
        line, _, self.buffer = b"".join(chunks).partition(b"\n")
        return json.loads(line)

    def _watch(self) -> None:
        """The worker's peak resident memory so far (the kernel's high-water mark)."""
        try:
            status = Path(f"/proc/{self.process.pid}/status").read_text()
        except OSError:
            return
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                self.peak_mb = max(self.peak_mb, int(line.split()[1]) / 1024)
            elif line.startswith("VmPeak:"):
                self.address_peak_mb = max(self.address_peak_mb, int(line.split()[1]) / 1024)

    def kill(self) -> None:
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.process.wait()
        for pipe in (self.process.stdin, self.process.stdout):
            try:
                pipe.close()
            except OSError:
                pass
        self.errors.close()

    def stderr_tail(self) -> str:
        self.errors.seek(0, os.SEEK_END)
        self.errors.seek(max(0, self.errors.tell() - 2000))
        return self.errors.read().decode("utf-8", "replace")


class Sandbox:
    """Reads documents in a worker process within ``limits``; thread-safe, one document at a time.

    Use as a context manager (or call ``close``): the worker is started on the first document."""

    def __init__(self, limits: ReadLimits = ReadLimits(), setting: str = "IndexSettings.reading"):
        self.limits = limits
        self.setting = setting
        """Where ``limits`` come from, named in the reasons a user reads."""
        self._worker: _Worker | None = None
        self._lock = threading.Lock()
        self.last_peak_mb = 0.0
        """The worker's peak resident memory by the end of the last document: the kernel's high-water
        mark over the worker's life, so a fresh Sandbox per document measures that document alone."""

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *_) -> None:
        self.close()

    def close(self) -> None:
        with self._lock:
            if self._worker is not None:
                self._worker.kill()
                self._worker = None

    def read(self, path: Path | str, source: str, max_bytes: int | None = None, password: str | None = None,
             ocr: str | None = None) -> Document:
        """What ``embeddings.loading.read_document`` gives, read in the worker; a document that breaks a
        limit or the worker raises ``DocumentError`` with the reason, and the next one gets a new worker."""
        request = {"op": "read", "path": str(Path(path).resolve()), "source": source, "max_bytes": max_bytes,
                   "password": password, "ocr": ocr}
        task = _Task(source, "read", "reading", "parse", "the file", self.setting)
        return Document.from_dict(self._run(request, task)["document"])

    def render(self, path: Path | str, source: str, sha256: str, page: int, marks: dict[str, tuple[int, int]],
               expected: str, width_px: int, budget: PixelBudget, password: str | None = None,
               ocr: str | None = None, scan: Scan | None = None) -> tuple[PageImage, Scan | None]:
        """``embeddings.formats.pdf.render_page`` in the worker, on the file at ``path`` as long as its
        bytes still hash to ``sha256``: the page as JPEG ``width_px`` wide within ``budget``, with
        ``marks`` (offsets into the page's text, which must read ``expected``) boxed. ``ocr``: the
        document was read with OCR in those languages, so the page may need tesseract's text layer,
        ``scan`` if an earlier render made it. Returns the image and the scan to keep for the next
        render of that page. A page that breaks a limit raises ``DocumentError`` with the reason."""
        request = {"op": "render", "path": str(Path(path).resolve()), "source": source, "sha256": sha256,
                   "page": page, "marks": marks, "expected": expected, "width_px": width_px,
                   "max_pixels": budget.max_pixels, "max_side_px": budget.max_side_px, "password": password,
                   "ocr": ocr, "scan": None if scan is None else scan.to_dict()}
        reply = self._run(request, _Task(f"{source}, page {page}", "draw", "drawing", "draw", "the page", self.setting))
        made = Scan.from_dict(reply["scan"]) if reply.get("scan") is not None else scan
        return PageImage.from_dict(reply["page_image"]), made

    def _run(self, request: dict, task: _Task) -> dict:
        request.update(cpu_seconds=self.limits.cpu_seconds, memory_mb=self.limits.memory_mb,
                       ocr_seconds_per_page=self.limits.ocr_seconds_per_page)
        with self._lock:
            worker = self._ready()
            try:
                return self._exchange(worker, request, task)
            finally:
                self.last_peak_mb = worker.peak_mb

    def _ready(self) -> _Worker:
        if self._worker is not None and self._worker.process.poll() is None:
            return self._worker
        if self._worker is not None:
            self._worker.kill()
        worker = _Worker(self.limits)
        try:
            worker.receive(time.monotonic() + START_TIMEOUT_S)
        except _Stopped:
            tail = worker.stderr_tail()
            worker.kill()
            raise RuntimeError(f"the document reader (python -m embeddings.worker) did not start: {tail[-600:]}") from None
        self._worker = worker
        return worker

    def _exchange(self, worker: _Worker, request: dict, task: _Task) -> dict:
        started = time.monotonic()
        wall = self.limits.wall_seconds
        try:
            worker.send(request)
            while True:
                reply = worker.receive(started + wall)
                if "pages" not in reply:
                    break
                # OCR ahead: seconds a page
                wall += int(reply["pages"]) * self.limits.ocr_seconds_per_page
        except _Stopped as stopped:
            self._failed(worker, task, started, stopped.timed_out)
        except OSError:  # its stdin closed: it died before reading the request
            self._failed(worker, task, started, False)
        if reply.get("restart"):
            self._discard(worker)
        if "error" not in reply:
            return reply
        kind = NoTextLayer if reply.get("kind") == "no_text_layer" else DocumentError
        raise kind(reply["error"])

    def _discard(self, worker: _Worker) -> None:
        worker.kill()
        self._worker = None

    def _failed(self, worker: _Worker, task: _Task, started: float, timed_out: bool) -> NoReturn:
        worker._watch()
        self._discard(worker)
        code = worker.process.returncode
        seconds = time.monotonic() - started
        log.info("document worker stopped on %s after %.1f s (exit %s, peak %.0f MB)", task.subject, seconds, code,
                 worker.peak_mb)
        near_cap = worker.address_peak_mb >= OUT_OF_MEMORY_SHARE * self.limits.memory_mb
        raise DocumentError(self._reason(task, code, timed_out, near_cap))

    def _reason(self, task: _Task, code: int | None, timed_out: bool, near_cap: bool) -> str:
        limits, setting = self.limits, task.setting
        if timed_out:
            return (f"{task.subject}: took longer than {limits.wall_seconds:g} s to {task.verb} and was stopped: "
                    f"{task.thing} may be made to be slow to {task.slow}; remove it, or raise {setting}.wall_seconds")
        if code == -signal.SIGXCPU:
            return (f"{task.subject}: used more than {limits.cpu_seconds:g} s of CPU to {task.verb} and was stopped: "
                    f"{task.thing} may be made to be slow to {task.slow}; remove it, or raise {setting}.cpu_seconds")
        if near_cap and code is not None and code < 0:
            return (f"{task.subject}: ran out of memory while {task.doing} "
                    f"(over {limits.memory_mb:,} MB) and was stopped: {task.thing} may be a decompression bomb; "
                    f"remove it, or raise {setting}.memory_mb")
        what = f"signal {signal.Signals(-code).name}" if code is not None and code < 0 else f"exit code {code}"
        return (f"{task.subject}: the worker crashed on it ({what}) while it tried to {task.verb} it: {task.thing} "
                f"is damaged or crafted, or needs more than {limits.memory_mb:,} MB (a decompression bomb?); "
                f"remove it, or raise {setting}.memory_mb")
