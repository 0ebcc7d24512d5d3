"""The first render of a formula at the limits: laying its graph out, and the whole first page run.

    python benchmarks/layout.py [--quick]

For each formula (the ones that stalled the server, and random formulas near the 150-op limit):

- `dot` alone on the picture's DOT text, with no limit (the old path; capped at 60 s here);
- `viz.picture`, the path now (lessons/layout.py: `dot` if cheap, else our layered layout);
- its first render on a running server: a tab (benchmarks/protocol.py) types it into the box
  of its page (the Playground, or Two variables for f(x, y)), and the time runs from the
  message to the end of the run, with parse, graph, curves and surface all cache misses.
  Baseline: the same for a 3-op formula not seen before.

Prints seconds and the ratio old/new. Targets: first render ≤ 1.5 s, goal 0.5 s.
"""

from __future__ import annotations

import asyncio
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

from timing import start  # noqa: E402

from lessons import layout, viz  # noqa: E402
from tinytorch import Tensor  # noqa: E402
from tinytorch.expr import ExpressionError, parse  # noqa: E402
from ui import view  # noqa: E402

WORST = {
    "x*x*…*x (149 ops)": ("x" + "*x" * 149, ("x",)),
    "x-x-…-x (149 ops)": ("x" + "-x" * 149, ("x",)),
    "f(x,y) = x*y*x*…": ("x*y" + "*x*y" * 49, ("x", "y")),
    "f(x,y) = x-y-x-…": ("x-y" + "-x-y" * 49, ("x", "y")),
    "Σ sin(kx), 29 terms": ("+".join(f"sin({k}*x)" for k in range(1, 30)), ("x",)),
}


def random_formulas(count: int, seed: int = 7) -> dict[str, tuple[str, tuple[str, ...]]]:
    """Formulas of nearly 300 characters mixing ops, calls and reuse, as a student might paste."""
    rng = random.Random(seed)
    found = {}
    while len(found) < count:
        variables = ("x", "y") if len(found) % 2 else ("x",)
        text = rng.choice(variables)
        while len(text) < 290:
            pick = rng.random()
            atom = rng.choice([*variables, "2", "0.5"])
            if pick < 0.5:
                text += rng.choice("+-*/") + atom
            elif pick < 0.7:
                text = f"{rng.choice(['sin', 'cos', 'exp', 'tanh', 'sqrt', 'abs'])}({text})"
            else:
                text += f"*{rng.choice(['sin', 'tanh', 'exp'])}({atom})"
        try:
            expr = parse(text[:300], variables)
        except ExpressionError:
            continue
        found[f"random {len(found) + 1} ({expr.node_count} ops, {'x,y' if len(variables) == 2 else 'x'})"] = (
            expr.text, variables)
    return found


def graph_source(text: str, variables: tuple[str, ...]) -> str:
    expr = parse(text, variables)
    return viz.to_dot(expr(**{v: Tensor([0.5]) for v in variables}), slots=True)


def seconds(fn) -> float:
    begin = time.perf_counter()
    fn()
    return time.perf_counter() - begin


def old_dot(source: str) -> float:
    try:
        return seconds(lambda: subprocess.run(["dot", "-Tsvg"], input=source.encode(), capture_output=True,
                                              timeout=60, check=True))
    except subprocess.TimeoutExpired:
        return float("inf")


async def first_render(tabs: dict, text: str, variables: tuple[str, ...]) -> float:
    """Seconds from typing `text` into its page's box to the end of the run, on the server."""
    key = view.FUNCTION if variables == ("x",) else view.FUNCTION_XY
    run = await tabs[key].set(key, text)
    if run.exceptions or run.status != "ok":
        raise RuntimeError(f"{text[:40]}…: {run.status} {run.exceptions}")
    return run.seconds


async def measure(formulas: dict) -> None:
    from protocol import AppServer, Tab

    with AppServer() as server:
        tabs = {view.FUNCTION: await Tab.open(server.port), view.FUNCTION_XY: await Tab.open(server.port)}
        await tabs[view.FUNCTION].rerun()
        await tabs[view.FUNCTION_XY].rerun(page="two_variables")
        baseline = sorted([await first_render(tabs, f"x^3 + {k}x", ("x",)) for k in range(2, 9)])[3]
        print(f"baseline, a new 3-op formula: first render {baseline:.2f} s (median of 7)\n")
        print(f"{'formula':42s} {'cost':>6s} {'dot, no limit':>14s} {'picture now':>12s} {'via':>8s} "
              f"{'ratio':>7s} {'first render':>13s}")
        worst = 0.0
        for name, (text, variables) in formulas.items():
            source = graph_source(text, variables)
            cost = layout.dot_cost(layout.Graph.parse(source))
            before = old_dot(source)
            begin = time.perf_counter()
            _, route = layout.svg(source)
            now = time.perf_counter() - begin
            first = await first_render(tabs, text, variables)
            worst = max(worst, first)
            print(f"{name:42s} {cost:6d} {before:13.2f}s {now:11.2f}s {route:>8s} {before / now:6.1f}x "
                  f"{first:12.2f}s")
        for tab in tabs.values():
            await tab.close()
    print(f"\nslowest first render: {worst:.2f} s (target 1.5 s, goal 0.5 s)")
    print(f"limits: DOT_MAX_COST = {layout.DOT_MAX_COST}, DOT_TIME_LIMIT = {layout.DOT_TIME_LIMIT} s")


def main() -> None:
    count = start(__doc__, quick=2, full=8)
    asyncio.run(measure({**WORST, **random_formulas(count)}))


if __name__ == "__main__":
    main()
