"""Warm reruns: the Playground's when x is let go, and the backprop page's when "Next" is pressed.

    python benchmarks/app.py [--moves 40] [--steps 20]

Drives the app with Streamlit's AppTest (no browser): opens it, then moves the x slider and
times each rerun (parse, sweep and curve come from the cache; the view's point and the rest of
the page are rebuilt). A baseline measured in the same run -- an empty Streamlit script's rerun
-- shows how much of the time is Streamlit's own. Then the backprop page on a 149-op chain:
its first run (the graph laid out by `dot`) and every "Next" after it (the same picture, its
numbers and highlight sent again: no new layout). The Playground is timed in English and in
Chinese (?lang=zh: every word through the catalog, the live view's blob its own), side by side.

AppTest compiles the scripts again on every run (a fresh ScriptCache each time), which a
running server does once; the benchmark shares one cache across runs, as the server does, so
that "warm" means warm.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import streamlit.testing.v1.app_test as app_test  # noqa: E402
import streamlit.testing.v1.local_script_runner as local_script_runner  # noqa: E402
from streamlit.runtime.scriptrunner.script_cache import ScriptCache  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402
from timing import machine  # noqa: E402

from tinytorch.expr import parse  # noqa: E402

SMALL = "x^3 + 2x"
# About 60 operations: a realistic long formula, not a chain of one op.
LARGE = ("sin(x)*exp(-x^2/2) + tanh(x/2)*x^2 - log(1 + (x - 1)^2) + sin(2x)*exp(-x^2/3) + tanh(x/3)*x^2"
         " - log(1 + (x - 2)^2)/2 + sin(3x)*exp(-x^2/4) + tanh(x/4)*x^2 - log(1 + (x - 3)^2)/3 + cosh(x/5)"
         " - x/(1 + x^2)")


def time_moves(at: AppTest, moves: int) -> list[float]:
    slider = at.slider(key="x")
    values = [round(-2.5 + 5.0 * i / moves, 2) for i in range(moves)]
    times = []
    for value in values:
        at.slider(key="x").set_value(value)
        start = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - start)
        assert not at.exception, at.exception
    del slider
    return times


def main() -> None:
    shared = ScriptCache()
    # Compile each script once, as `streamlit run` does.
    app_test.ScriptCache = local_script_runner.ScriptCache = lambda: shared
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moves", type=int, default=40)
    parser.add_argument("--steps", type=int, default=20)
    args = parser.parse_args()
    print(f"machine: {machine()}\n")

    with tempfile.TemporaryDirectory() as tmp:
        empty = Path(tmp) / "empty.py"
        empty.write_text("import streamlit as st\nx = st.slider('x', -3.0, 3.0, 1.2, key='x')\n")
        base = AppTest.from_file(str(empty), default_timeout=60).run()
        baseline = statistics.median(time_moves(base, args.moves))

    print(f"Warm rerun after a slider move, median of {args.moves} moves (AppTest, no browser)")
    print(f"   {'function':40s} {'ops':>4} {'lang':>4} {'median':>9} {'p90':>9} {'minus empty':>12} {'zh / en':>8}")
    print(f"   {'(an empty script with one slider)':40s} {'':>4} {'':>4} {baseline * 1e3:>7.1f}ms")
    for text in (SMALL, LARGE):
        english = None
        for lang in ("en", "zh"):
            at = AppTest.from_file(str(ROOT / "playground.py"), default_timeout=60)
            at.query_params["f"] = text
            at.query_params["lang"] = lang
            at.run()
            times = sorted(time_moves(at, args.moves))
            median, p90 = statistics.median(times), times[int(0.9 * len(times))]
            english = english or median
            shown = text if len(text) <= 40 else text[:37] + "..."
            ratio = f"{median / english:>8.2f}" if lang != "en" else ""
            print(f"   {shown:40s} {parse(text).node_count:>4} {lang:>4} {median * 1e3:>7.1f}ms {p90 * 1e3:>7.1f}ms"
                  f" {(median - baseline) * 1e3:>10.1f}ms {ratio}")
    backprop_steps(args.steps)


CHAIN = "*".join(["x"] * 150)  # 149 ops: the most the parser allows of one op


def backprop_steps(steps: int) -> None:
    """The backprop page's first run and each "Next" on the 149-op chain."""
    start = time.perf_counter()
    at = AppTest.from_file(str(ROOT / "playground.py"), default_timeout=120)
    at.query_params["f"] = CHAIN
    at.switch_page("pages/backprop.py")
    at.run()
    first = time.perf_counter() - start
    assert not at.exception, at.exception
    times = []
    for _ in range(steps):
        following = [b for b in at.button if b.label == "Next"][0]
        following.click()
        start = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - start)
        assert not at.exception, at.exception
    times.sort()
    print(f"\nBackprop step by step on x*x*...*x ({parse(CHAIN).node_count} ops), AppTest")
    print(f"   first run (layout included): {first:.2f} s")
    print(f"   each Next after it: median {statistics.median(times) * 1e3:.0f} ms, "
          f"max {times[-1] * 1e3:.0f} ms over {steps} steps (target: <= 200 ms)")


if __name__ == "__main__":
    main()
