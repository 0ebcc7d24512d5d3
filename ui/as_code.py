"""The Playground's "Show as code" tab: the graph as a tinytorch script, what it prints, and the
engine to run it with (a wheel built from tinytorch/, with the exact pip command)."""

from __future__ import annotations

from lessons.wheel import engine_wheel
from tinytorch.expr import Expression

OUTPUT_NOTE = "It prints the page's f(x) and f′(x) in full (the page rounds them to 4 significant digits):"
NOT_PYPI = ("Not `pip install tinytorch`: that is an unrelated package on PyPI with the same import name "
            "(if you installed it, `pip uninstall tinytorch` first).")


def show_as_code(container, expr: Expression, x: float, value: float, slope: float) -> None:
    """In `container` (the tab): the script for `expr` at `x`, the output it gives (`value` and
    `slope` are the page's f(x) and f′(x)), the engine's download and the line that installs it."""
    container.code(expr.to_python(x=x), language="python")
    container.caption(OUTPUT_NOTE)
    container.code(expr.python_output(value, {"x": slope}), language=None)
    wheel = engine_wheel()  # built once per process
    # The bytes go out on a click only (a callable), not on every rerun while x is dragged.
    container.download_button(f"Download tinytorch ({len(wheel.data) / 1000:.0f} kB)", lambda: wheel.data,
                              wheel.filename, "application/octet-stream", on_click="ignore",
                              icon=":material/download:",
                              help="The engine alone: tinytorch/ with numpy as its only dependency.")
    python = wheel.python.removeprefix(">=")
    container.caption(f"Then, in the folder you saved it to (Python {python} or newer; numpy comes with it; "
                      "in a notebook, start the line with %):")
    container.code(wheel.install, language="bash")
    container.caption(NOT_PYPI)
