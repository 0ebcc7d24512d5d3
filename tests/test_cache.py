"""Our shared caches (ui/cache.py): bounded in entries and bytes, nothing kept for failures,
each key computed once under concurrent misses, and every cache in ui/compute.py one of them."""

from __future__ import annotations

import threading
import time
import tracemalloc

import numpy as np
import pytest
from streamlit.runtime.caching.cache_utils import CachedFunc

from lessons.viz import format_number
from tinytorch.expr import ExpressionError
from ui import compute
from ui.cache import CACHES, MiB, footprint, shared


def test_entries_are_bounded_and_the_least_recently_used_goes_first():
    @shared(max_entries=3, max_bytes=MiB)
    def square(n: int) -> int:
        return n * n

    for n in range(10):
        square(n)
    square(7)  # 7 is now the most recent
    square(10)
    assert sorted(k[0] for k in square.cache) == [7, 9, 10]
    assert square.cache_info().misses == 11 and square.cache_info().hits == 1


def test_bytes_are_bounded_and_a_result_larger_than_the_budget_is_returned_not_kept():
    @shared(max_entries=100, max_bytes=int(3.5 * MiB))
    def block(n: int, size: int = MiB) -> np.ndarray:
        return np.full(size // 8, float(n))

    for n in range(10):
        block(n)
    assert len(block.cache) == 3 and block.cache.currsize <= 3.5 * MiB
    big = block(99, 8 * MiB)
    assert big.nbytes == 8 * MiB and (99, 8 * MiB) not in block.cache


def test_footprint_counts_buffers_once_and_walks_records():
    a = np.zeros(1000)
    assert footprint(a) >= 8000
    assert footprint((a, a, a[10:])) < footprint(a) + 1000  # one buffer, seen through views and repeats
    assert footprint(compute.parsed("x*" * 100 + "x")) > footprint(compute.parsed("x"))
    assert footprint(print) < 1000 and footprint(np) < 1000  # code and modules are not walked


def test_invalid_inputs_leave_nothing_behind():
    # Streamlit kept a lock per key ever seen: 200,000 distinct invalid formulas kept 45 MiB.
    compute.parsed("x^2")
    before = len(compute.parsed.cache)
    tracemalloc.start()
    start, _ = tracemalloc.get_traced_memory()
    for i in range(20_000):
        with pytest.raises(ExpressionError):
            compute.parsed(f"x +* {i}")
    end, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert len(compute.parsed.cache) == before
    assert not compute.parsed._ConditionInfoMixin__pending  # nothing pending once a call is over
    assert end - start < 256 * 1024, end - start


def test_concurrent_misses_compute_once_and_share_the_result():
    calls = []
    gate = threading.Event()

    @shared(max_entries=8, max_bytes=MiB)
    def slow(key: str) -> list:
        calls.append(key)
        gate.wait(5)
        return [key]

    results = []
    threads = [threading.Thread(target=lambda: results.append(slow("k"))) for _ in range(8)]
    for t in threads:
        t.start()
    time.sleep(0.2)  # all eight are in: one computing, seven waiting
    gate.set()
    for t in threads:
        t.join(5)
    assert calls == ["k"] and len(results) == 8 and all(r is results[0] for r in results)


def test_a_failure_is_not_cached_and_the_waiters_try_again():
    attempts = []

    @shared(max_entries=8, max_bytes=MiB)
    def flaky(key: str) -> str:
        attempts.append(key)
        if len(attempts) == 1:
            raise ValueError("first time")
        return key

    with pytest.raises(ValueError):
        flaky("a")
    assert flaky("a") == "a" and len(attempts) == 2 and len(flaky.cache) == 1


def test_every_cache_of_compute_is_ours_and_bounded():
    for name in dir(compute):
        assert not isinstance(getattr(compute, name), CachedFunc), f"compute.{name} is a Streamlit cache"
    ours = {name for name in CACHES if name in dir(compute)}
    assert {"parsed", "sampled", "graph_picture", "descent_run", "surface_grid", "operations"} <= ours
    total = sum(CACHES[name].cache.maxsize for name in ours)
    assert all(CACHES[name].cache.max_entries < 10_000 for name in ours) and total <= 160 * MiB


def test_the_svg_download_refills_the_cached_picture_instead_of_laying_the_graph_out_again():
    expr = compute.parsed("x^3 + 2x")
    for x in (1.2, -0.5, 2.0):
        y, *_ = compute.evaluate(expr, x)
        misses = compute.graph_picture.cache_info().misses
        svg = compute.graph_svg(expr, y)
        assert f">value {format_number(x)}<" in svg and "\ue000" not in svg and svg.rstrip().endswith("</svg>")
        if x != 1.2:
            assert compute.graph_picture.cache_info().misses == misses  # no layout for this download
