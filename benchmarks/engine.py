"""Engine speed, as ratios against baselines measured in the same run.

    python benchmarks/engine.py [--quick]

1. f and f' for f = sin(x)*exp(-x**2) + tanh(x) over N points, against hand-written numpy with
   the analytic derivative: `grad(f, x)` (what the playground's curves use) and `f.backward()`
   (which also keeps a gradient on every intermediate node, for the graph view).
2. The seed article's per-point loop against one vectorised pass, N = 1000.
3. Per-op cost of building and back-propagating a 2,000-op scalar chain, against micrograd
   (`pip install micrograd`; skipped when it is missing).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from timing import fmt_time, interleaved, start  # noqa: E402

import tinytorch as tt  # noqa: E402
from tinytorch import Tensor  # noqa: E402


def f(x):
    return tt.sin(x) * tt.exp(-x**2) + tt.tanh(x)


def by_hand(x: np.ndarray):
    s, e, t = np.sin(x), np.exp(-x * x), np.tanh(x)
    return s * e + t, np.cos(x) * e - 2 * x * s * e + (1 - t * t)


def f_and_df_candidates(xs: np.ndarray) -> dict:
    x = Tensor(xs)

    def with_grad():
        return tt.grad(f(x), x)

    def with_backward():
        x.grad = None
        f(x).backward()

    (got,) = with_grad()
    np.testing.assert_allclose(got.data, by_hand(xs)[1], rtol=1e-12, atol=1e-15)
    return {"hand": lambda: by_hand(xs), "grad": with_grad, "backward": with_backward}


def vectorised_f_and_df(sizes, rounds):
    print("1. f and f' for sin(x)*exp(-x**2) + tanh(x), median of interleaved rounds")
    print(f"   {'N':>9} {'numpy by hand':>14} {'grad(f, x)':>12} {'ratio':>6} {'backward()':>12} {'ratio':>6}")
    for n in sizes:
        t = interleaved(f_and_df_candidates(np.linspace(-3, 3, n)), rounds=rounds, repeat=max(1, 20_000 // n))
        print(f"   {n:>9,} {fmt_time(t['hand']):>14} {fmt_time(t['grad']):>12} {t['grad'] / t['hand']:>5.2f}x"
              f" {fmt_time(t['backward']):>12} {t['backward'] / t['hand']:>5.2f}x")


def seed_loop_against_vectorised(rounds):
    xs = np.linspace(-3, 3, 1000)

    def cubic(x):
        return x * x * x + x

    def per_point():  # the seed's plot_function_and_derivative, one Tensor per x
        out = []
        for v in xs:
            x = Tensor([v])
            cubic(x).backward()
            out.append(x.grad.data[0])
        return out

    def vectorised():
        x = Tensor(xs)
        cubic(x).backward()
        return x.grad.data

    np.testing.assert_array_equal(per_point(), vectorised())
    t = interleaved({"loop": per_point, "vec": vectorised}, rounds=rounds)
    print("\n2. The seed's per-point loop against one vectorised pass, N = 1000 (x*x*x + x)")
    print(f"   per-point loop {fmt_time(t['loop'])}, one pass {fmt_time(t['vec'])}: "
          f"{t['loop'] / t['vec']:.0f}x faster vectorised")


CHAINS = {
    # name: one step of the chain, given the running value y and two leaves x and w
    "y = y*0.999 + 0.5 (constants)": lambda y, x, w: y * 0.999 + 0.5,
    "y = y*w + x (shared leaves)": lambda y, x, w: y * w + x,
}


def scalar_chain(rounds, length=2000):
    """Per-op cost of build + backward on a scalar chain; micrograd runs the same Python code."""
    try:
        from micrograd.engine import Value
    except ImportError:
        Value = None
    if Value is not None:
        sys.setrecursionlimit(max(sys.getrecursionlimit(), 10 * length))  # its topo sort recurses
    print(f"\n3. {length:,}-op scalar chains, build + backward, time per op")
    for name, step in CHAINS.items():
        def run(make, step=step):
            x, w = make(0.5), make(0.999)
            y = x
            for _ in range(length // 2):
                y = step(y, x, w)
            y.backward()
            return x.grad

        candidates = {"tinytorch": lambda: run(lambda v: Tensor([v]))}
        if Value is not None:
            candidates["micrograd"] = lambda: run(Value)
            ours, theirs = candidates["tinytorch"]().item(), candidates["micrograd"]()
            assert abs(ours - theirs) <= 1e-9 * abs(theirs)
        t = interleaved(candidates, rounds=rounds)
        line = f"   {name:32s} tinytorch {t['tinytorch'] / length * 1e6:5.2f} µs/op"
        if Value is not None:
            line += (f", micrograd {t['micrograd'] / length * 1e6:5.2f} µs/op:"
                     f" {t['tinytorch'] / t['micrograd']:.2f}x micrograd's time")
        else:
            line += "  (micrograd not installed: pip install micrograd)"
        print(line)


def main():
    rounds = start(__doc__, quick=5, full=25)
    vectorised_f_and_df([1_000, 10_000, 100_000, 1_000_000], rounds)
    seed_loop_against_vectorised(rounds)
    scalar_chain(rounds)


if __name__ == "__main__":
    main()
