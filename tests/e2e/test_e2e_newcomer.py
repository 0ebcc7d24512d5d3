"""The README's run command on a clean machine: a fresh virtual environment with only
requirements.txt, its own `streamlit run playground.py`, and the graph drawn in Chromium.

It takes about a minute (pip takes the wheels from the local cache or PyPI), so it runs in CI
(CI=true) and when asked: TINYTORCH_NEWCOMER=1 (TINYTORCH_NEWCOMER=0 turns it off in CI too).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time

import pytest

from benchmarks import browser as harness
from lessons.viz import format_number
from ui import view

pytestmark = pytest.mark.e2e

IN_CI = os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")
ASKED = os.environ.get("TINYTORCH_NEWCOMER", "").strip()
RUN = ASKED == "1" or (IN_CI and ASKED != "0")


def run(args: list, timeout: float) -> float:
    start = time.monotonic()
    done = subprocess.run(args, cwd=harness.ROOT, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{' '.join(map(str, args))} failed:\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
    return time.monotonic() - start


@pytest.mark.skipif(not RUN, reason="a fresh venv from requirements.txt takes a minute: "
                                    "TINYTORCH_NEWCOMER=1 runs it (CI always does)")
def test_the_readme_run_command_works_in_a_fresh_venv(tmp_path, app_at):
    venv = tmp_path / "venv"
    python, streamlit = venv / "bin" / "python", venv / "bin" / "streamlit"
    try:
        made = run([sys.executable, "-m", "venv", venv], timeout=300)
        installed = run([python, "-m", "pip", "install", "--disable-pip-version-check", "-q",
                         "-r", "requirements.txt"], timeout=1200)
        print(f"venv {made:.0f} s, pip install -r requirements.txt {installed:.0f} s")
        # Nothing but requirements.txt: the dev tools stay out of the venv.
        assert subprocess.run([python, "-c", "import pytest"], capture_output=True).returncode != 0

        with harness.AppServer(command=[str(streamlit)]) as server:
            app = app_at(server.url).open()
            x = view.DEFAULT_X
            app.expect_graph({"x": (format_number(x), format_number(3 * x**2 + 2)),
                              "x^3+2x": (format_number(x**3 + 2 * x), "1")})
            app.plot.wait_for()  # the live view's plot, drawn with the plotly.js Streamlit serves
            app.assert_healthy()
            app.close()
    finally:
        shutil.rmtree(venv, ignore_errors=True)  # ~0.5 GB
