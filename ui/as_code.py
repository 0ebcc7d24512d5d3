"""The Playground's "Show as code" tab: the graph as a tinytorch script, what it prints, and the
engine to run it with (a wheel built from tinytorch/, with the exact pip command)."""

from __future__ import annotations

from lessons.i18n import N_, _
from lessons.wheel import engine_wheel
from tinytorch.expr import Expression

OUTPUT_NOTE = N_("It prints the page's f(x) and f′(x) in full (the page rounds them to 4 significant digits):")
NOT_PYPI = N_("Not `pip install tinytorch`: that is an unrelated package on PyPI with the same import name "
              "(if you installed it, `pip uninstall tinytorch` first).")


def show_as_code(container, expr: Expression, x: float, value: float, slope: float) -> None:
    """In `container` (the tab): the script for `expr` at `x`, the output it gives (`value` and
    `slope` are the page's f(x) and f′(x)), the engine's download and the line that installs it."""
    container.code(expr.to_python(x=x), language="python")
    container.caption(_(OUTPUT_NOTE))
    container.code(expr.python_output(value, {"x": slope}), language=None)
    wheel = engine_wheel()  # built once per process
    # The bytes go out on a click only (a callable), not on every rerun while x is dragged.
    container.download_button(_("Download tinytorch ({size} kB)").format(size=f"{len(wheel.data) / 1000:.0f}"),
                              lambda: wheel.data, wheel.filename, "application/octet-stream", on_click="ignore",
                              icon=":material/download:",
                              help=_("The engine alone: tinytorch/ with numpy as its only dependency."))
    python = wheel.python.removeprefix(">=")
    container.caption(_("Then, in the folder you saved it to (Python {version} or newer; numpy comes with it; "
                        "in a notebook, start the line with %):").format(version=python))
    container.code(wheel.install, language="bash")
    container.caption(_(NOT_PYPI))
