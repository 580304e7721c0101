"""Pages of indexed PDFs drawn for people to see: in a worker process with limits, and cached.

A PDF whose text reads fine can still be made to cost anything to draw: a page of 14,400 by
14,400 points, an image that inflates to gigabytes, a content stream of a million full-page fills.
Drawing happens when a user opens an answer's page, in a server that every other user shares; so
pages are drawn by the same worker machinery that reads documents (``embeddings.sandbox``), with
limits of their own and a pixel budget, and a page that breaks them costs a message, not the server.
"""
from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

from .errors import DocumentError
from .formats.pdf import PageImage, PixelBudget, Scan
from .records import Document
from .sandbox import ReadLimits, Sandbox


def _drawing_limits() -> ReadLimits:
    return ReadLimits(memory_mb=1024, cpu_seconds=4.0, wall_seconds=6.0)


@dataclass(frozen=True)
class RenderSettings:
    """What drawing one page may cost, how large it may be, and what is kept of pages drawn."""

    limits: ReadLimits = field(default_factory=_drawing_limits)
    """Memory, CPU and wall time of one page in the worker (plus ``ocr_seconds_per_page`` when the page
    is OCR'd first). Page 1 of each PDF of ../shared/docs draws in at most 0.05 s in a warm worker
    (``python -m benchmarks.hostile``); the slowest crafted page is stopped by the CPU limit at 5 s."""
    budget: PixelBudget = field(default_factory=PixelBudget)
    cache_mb: float = 64.0
    """Drawn pages (JPEG) and tesseract's page scans kept, newest used last; a page asked again with the
    same marks is not drawn again."""
    retry_after_s: float = 300.0
    """A page that could not be drawn says so at once for this long before it is tried again."""

    def __post_init__(self) -> None:
        if self.cache_mb < 0 or self.retry_after_s < 0:
            raise ValueError(f"RenderSettings: cache_mb and retry_after_s must be 0 or more, not {self.cache_mb} "
                             f"and {self.retry_after_s}")


@dataclass(frozen=True)
class _Failed:
    reason: str
    at: float


class PageRenderer:
    """Draws pages of indexed PDFs in a worker (``Sandbox.render``); thread-safe, one page at a time.

    Shared by an index and the indexes that follow it after a sync, so that the worker starts once."""

    def __init__(self, settings: RenderSettings = RenderSettings()):
        self.settings = settings
        self._sandbox = Sandbox(settings.limits, "IndexSettings.rendering.limits")
        self._kept: OrderedDict[tuple, PageImage | Scan | _Failed] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    @property
    def last_peak_mb(self) -> float:
        """The worker's peak resident memory so far (its life long: a fresh renderer measures one page)."""
        return self._sandbox.last_peak_mb

    def close(self) -> None:
        self._sandbox.close()

    def render(self, path: Path, document: Document, page: int, marks: dict[str, tuple[int, int]], expected: str,
               width_px: int, password: str | None = None, ocr: str | None = None) -> PageImage:
        """Page ``page`` of ``document`` (the file at ``path``, which must still hash to the indexed
        bytes) with ``marks`` (offsets into the page's ``expected`` text) boxed; ``DocumentError`` with
        the reason when it cannot be drawn within the limits."""
        key = ("page", document.sha256, page, width_px, tuple(sorted(marks.items())))
        failed_key = ("failed", document.sha256, page, width_px)
        scan_key = ("scan", document.sha256, page, ocr)
        with self._lock:
            kept, failed, scan = self._kept.get(key), self._kept.get(failed_key), self._kept.get(scan_key)
        if isinstance(kept, PageImage):
            self._touch(key)
            return kept
        if isinstance(failed, _Failed) and time.monotonic() - failed.at < self.settings.retry_after_s:
            raise DocumentError(failed.reason)
        try:
            image, made = self._sandbox.render(path, document.source, document.sha256, page, marks, expected, width_px,
                                               self.settings.budget, password, ocr, scan if isinstance(scan, Scan) else None)
        except DocumentError as error:
            self._keep(failed_key, _Failed(str(error), time.monotonic()))
            raise
        if made is not None:
            self._keep(scan_key, made)
        self._keep(key, image)
        return image

    def _touch(self, key: tuple) -> None:
        with self._lock:
            if key in self._kept:
                self._kept.move_to_end(key)

    def _keep(self, key: tuple, value: PageImage | Scan | _Failed) -> None:
        with self._lock:
            if key in self._kept:
                self._bytes -= _size(self._kept.pop(key))
            self._kept[key] = value
            self._bytes += _size(value)
            while self._kept and self._bytes > self.settings.cache_mb * 2**20:
                self._bytes -= _size(self._kept.popitem(last=False)[1])


def _size(value: PageImage | Scan | _Failed) -> int:
    if isinstance(value, PageImage):
        return len(value.jpeg)
    if isinstance(value, Scan):
        return len(value.pdf or b"")
    return len(value.reason)
