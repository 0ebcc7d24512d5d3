"""Scalar code's cost in machine instructions, which, unlike time, the machine's load cannot move.

    python benchmarks/instructions.py [--engine PATH]

Each workload builds and back-propagates 2,000-op scalar chains under valgrind's callgrind
(`apt install valgrind`); the cost per op is the difference between three chains and one, so
start-up and imports cancel out. Hash seed, address randomisation and BLAS threads are fixed, so
a run repeats to within a few instructions. micrograd (`pip install micrograd`) runs the same
Python code where it can. `--engine PATH` measures the tinytorch in another checkout (the
code before a change, say) against the same micrograd.

1. y = y*0.999 + 0.5 and y = y*w + x, as in benchmarks/engine.py section 3;
2. powers and kinks on floats: y**2, y**3, abs(y), relu(y), each times 0.5.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LENGTH = 2000  # ops per chain
STEPS = {
    # name: one step of two ops, given the running value y and two leaves x and w
    "y*0.999 + 0.5 (constants)": lambda y, x, w: y * 0.999 + 0.5,
    "y*w + x (shared leaves)": lambda y, x, w: y * w + x,
    "y**2 * 0.5": lambda y, x, w: y**2 * 0.5,
    "y**3 * 0.5": lambda y, x, w: y**3 * 0.5,
    "abs(y) * 0.5": lambda y, x, w: abs(y) * 0.5,
    "relu(y) * 0.5": lambda y, x, w: y.relu() * 0.5,
}
MICROGRAD_RUNS = ("y*0.999 + 0.5 (constants)", "y*w + x (shared leaves)", "y**2 * 0.5", "y**3 * 0.5",
                  "relu(y) * 0.5")


def chains(engine: str, step: str, count: int, path: str) -> None:
    """The measured program: `count` chains of LENGTH ops, built and back-propagated."""
    sys.setrecursionlimit(10 * LENGTH)  # micrograd's topological sort recurses
    if engine == "micrograd":
        from micrograd.engine import Value as make
    else:
        sys.path.insert(0, path)
        from tinytorch import Tensor

        def make(v):
            return Tensor([v])
    for _ in range(count):
        x, w = make(0.5), make(0.999)
        y = x
        for _ in range(LENGTH // 2):
            y = STEPS[step](y, x, w)
        y.backward()


def instructions(engine: str, step: str, count: int, path: str) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "callgrind.out"
        env = dict(os.environ, PYTHONHASHSEED="0", OPENBLAS_NUM_THREADS="1")
        command = ["setarch", "-R", "valgrind", "--tool=callgrind", f"--callgrind-out-file={out}",
                   sys.executable, __file__, "--run", engine, step, str(count), path]
        subprocess.run(command, env=env, check=True, capture_output=True)
        for line in out.read_text().splitlines():
            if line.startswith(("summary:", "totals:")):
                return int(line.split()[1])
    raise RuntimeError("callgrind wrote no total")


def per_op(engine: str, step: str, path: str) -> float:
    return (instructions(engine, step, 3, path) - instructions(engine, step, 1, path)) / (2 * LENGTH)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", default=str(ROOT), help="a checkout whose tinytorch to measure")
    parser.add_argument("--run", nargs=4, help=argparse.SUPPRESS)  # the measured child process
    args = parser.parse_args()
    if args.run:
        engine, step, count, path = args.run
        chains(engine, step, int(count), path)
        return
    if not shutil.which("valgrind"):
        sys.exit("valgrind is needed: apt install valgrind")
    try:
        import micrograd  # noqa: F401
        has_micrograd = True
    except ImportError:
        has_micrograd = False
        print("(micrograd not installed: pip install micrograd)")
    print(f"tinytorch from {args.engine}\ninstructions per op, {LENGTH:,}-op chains, build + backward\n")
    for step in STEPS:
        ours = per_op("tinytorch", step, args.engine)
        line = f"   {step:28s} tinytorch {ours / 1000:6.1f}k"
        if has_micrograd and step in MICROGRAD_RUNS:
            theirs = per_op("micrograd", step, args.engine)
            line += f", micrograd {theirs / 1000:6.1f}k: {ours / theirs:.2f}x micrograd's"
        print(line, flush=True)


if __name__ == "__main__":
    main()
