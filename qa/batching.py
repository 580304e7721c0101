"""Micro-batching: model calls from concurrent questions run together in one forward pass.

One worker thread per batched model takes what has queued up (waiting at most ``window_s`` after the
first item for more, up to ``max_items``) and runs one call over all of it. Under load a batch
forms on its own while the previous one runs; the window only matters when the model is idle.
On 2 cores, one thread doing the forward passes also beats many threads contending for them."""
from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Generic, TypeVar

import numpy as np

T = TypeVar("T")
R = TypeVar("R")


@dataclass
class BatchStats:
    batches: int = 0
    items: int = 0


class MicroBatcher(Generic[T, R]):
    """``batcher(item)`` from any thread returns ``fn([... item ...])[i]``; ``fn`` maps a list to a list."""

    def __init__(self, fn: Callable[[list[T]], Sequence[R]], window_s: float = 0.005, max_items: int = 16,
                 name: str = "batcher"):
        if max_items < 1:
            raise ValueError(f"max_items must be at least 1, not {max_items}")
        self.fn, self.window_s, self.max_items, self.name = fn, window_s, max_items, name
        self.stats = BatchStats()
        self._queue: queue.SimpleQueue[tuple[T, Future]] = queue.SimpleQueue()
        self._worker: threading.Thread | None = None
        self._start = threading.Lock()

    def __call__(self, item: T) -> R:
        future: Future = Future()
        self._ensure_worker()
        self._queue.put((item, future))
        return future.result()

    def _ensure_worker(self) -> None:
        with self._start:
            if self._worker is None or not self._worker.is_alive():
                # A daemon: an app that stops mid-question must not hang on this thread.
                self._worker = threading.Thread(target=self._run, name=self.name, daemon=True)
                self._worker.start()

    def _take(self) -> list[tuple[T, Future]]:
        batch = [self._queue.get()]
        deadline = time.perf_counter() + self.window_s
        while len(batch) < self.max_items:
            try:
                batch.append(self._queue.get(timeout=max(0.0, deadline - time.perf_counter())))
            except queue.Empty:
                break
        return batch

    def _run(self) -> None:
        while True:
            batch = [(item, future) for item, future in self._take() if future.set_running_or_notify_cancel()]
            if not batch:
                continue
            try:
                results = self.fn([item for item, _ in batch])
                if len(results) != len(batch):
                    raise RuntimeError(f"{self.name}: {len(results)} results for {len(batch)} items")
            except BaseException as error:  # each caller gets the error in its own thread
                for _, future in batch:
                    future.set_exception(error)
                continue
            self.stats.batches += 1
            self.stats.items += len(batch)
            for (_, future), result in zip(batch, results):
                future.set_result(result)


class BatchedModels:
    """The question encoder and the reader behind one batcher each, shared by every view of a corpus."""

    def __init__(self, encode: Callable[[list[str]], np.ndarray], read_many, window_s: float, max_items: int):
        self.encoder = MicroBatcher(lambda questions: list(encode(questions)), window_s, max_items, "citeqa-encode")
        self.reader = MicroBatcher(read_many, window_s, max_items, "citeqa-read")

    def encode(self, question: str) -> np.ndarray:
        return self.encoder(question)

    def read(self, question: str, passages: Sequence[str]):
        return self.reader((question, list(passages)))
