"""Shared timing helpers for the benchmarks: interleaved rounds, medians, a machine line.

These machines are noisy (other tenants share the host), so every comparison runs its
candidates in alternation, round after round, and reports medians measured in the same run.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from collections.abc import Callable


def interleaved(candidates: dict[str, Callable[[], object]], rounds: int,
                repeat: int = 1) -> dict[str, float]:
    """Median seconds per call of each candidate, alternating candidates every round."""
    samples: dict[str, list[float]] = {name: [] for name in candidates}
    for fn in candidates.values():  # warm up caches, allocator and lazy imports
        fn()
    for _ in range(rounds):
        for name, fn in candidates.items():
            start = time.perf_counter()
            for _ in range(repeat):
                fn()
            samples[name].append((time.perf_counter() - start) / repeat)
    return {name: statistics.median(s) for name, s in samples.items()}


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    import numpy

    return (f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, "
            f"numpy {numpy.__version__}")


def _spin(seconds: float, results) -> None:
    begin, cpu = time.perf_counter(), time.process_time()
    while time.perf_counter() - begin < seconds:
        pass
    results.put(time.process_time() - cpu)


def available_cores(seconds: float = 1.0) -> float:
    """How many cores this machine gives us right now: one busy process per core for `seconds`,
    and the CPU time they got (other tenants of a shared host take the rest)."""
    import multiprocessing

    results = multiprocessing.Queue()
    spinners = [multiprocessing.Process(target=_spin, args=(seconds, results)) for _ in range(os.cpu_count() or 1)]
    for p in spinners:
        p.start()
    for p in spinners:
        p.join()
    return sum(results.get() for _ in spinners) / seconds


def fmt_time(seconds: float) -> str:
    if seconds < 1e-3:
        return f"{seconds * 1e6:.1f} µs"
    if seconds < 1:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds:.2f} s"


def start(doc: str, quick: int, full: int) -> int:
    """Read the common command line (--quick), print the machine line, and return the rounds."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds, for a smoke test")
    rounds = quick if parser.parse_args().quick else full
    print(f"machine: {machine()}\n")
    return rounds
