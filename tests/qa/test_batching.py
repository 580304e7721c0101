"""Micro-batching: calls from many threads run together, each caller gets its own result or error."""
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from qa.batching import MicroBatcher


def test_callers_that_arrive_while_a_batch_runs_share_the_next_one():
    sizes, release, first_running = [], threading.Event(), threading.Event()

    def square(items):
        sizes.append(len(items))
        first_running.set()
        release.wait(timeout=10)
        return [i * i for i in items]

    batcher = MicroBatcher(square, window_s=0.0, max_items=16)
    with ThreadPoolExecutor(9) as pool:
        first = pool.submit(batcher, 1)
        first_running.wait(timeout=10)
        rest = [pool.submit(batcher, i) for i in range(2, 10)]
        while batcher._queue.qsize() < 8:  # all eight queued behind the running batch
            threading.Event().wait(0.005)
        release.set()
        assert first.result() == 1
        assert [f.result() for f in rest] == [i * i for i in range(2, 10)]
    assert sizes == [1, 8]
    assert batcher.stats.batches == 2 and batcher.stats.items == 9


def test_batches_are_capped_at_max_items():
    sizes = []
    gate = threading.Event()

    def echo(items):
        gate.wait(timeout=10)
        sizes.append(len(items))
        return items

    batcher = MicroBatcher(echo, window_s=0.05, max_items=3)
    with ThreadPoolExecutor(7) as pool:
        futures = [pool.submit(batcher, i) for i in range(7)]
        gate.set()
        assert [f.result() for f in futures] == list(range(7))
    assert max(sizes) <= 3 and sum(sizes) == 7


def test_an_error_reaches_every_caller_of_that_batch_and_the_next_batch_still_runs():
    calls = []

    def fragile(items):
        calls.append(items)
        if "bad" in items:
            raise ValueError("cannot read 'bad'")
        return [s.upper() for s in items]

    batcher = MicroBatcher(fragile, window_s=0.0)
    with pytest.raises(ValueError, match="cannot read 'bad'"):
        batcher("bad")
    assert batcher("good") == "GOOD"


def test_a_wrong_number_of_results_is_an_error_not_a_mixup():
    batcher = MicroBatcher(lambda items: items[:-1], window_s=0.0)
    with pytest.raises(RuntimeError, match="0 results for 1 items"):
        batcher("x")


def test_max_items_must_be_positive():
    with pytest.raises(ValueError, match="max_items"):
        MicroBatcher(lambda items: items, max_items=0)
