"""The student's path, end to end: the wheel the Playground serves ("Show as code", "Download
tinytorch") installed with `pip install <file>` in a clean venv, and the tab's script, run there
in a subprocess, printing exactly the numbers the page shows, for every example and for constants.
And the same wheel as `pip install .` builds from pyproject.toml.

Slow (a venv, pip, numpy from the registry or pip's cache: about 15 s), so marked `slow`:
`python -m pytest -m "not slow"` leaves it out.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest

from lessons import wheel
from lessons.viz import format_number
from tinytorch.expr import parse
from ui import compute
from ui.presets import PRESETS

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
# The default point, and one left of 0 (abs, relu and max take the other side). At 1.2 the shared
# sub-expression x^2+1 must be one node in the script too: written twice, f' differs in the last bit.
POINTS = (1.2, -0.7)
CONSTANTS = ("2pi", "3", "e^2 - 1", "sqrt(2)/2")  # f′ = 0 on the page; x.grad stays None in the script


def run(args: list, cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess:
    done = subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{' '.join(map(str, args))}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


@pytest.fixture(scope="module")
def venv(tmp_path_factory) -> Path:
    """A clean venv with the served wheel installed by the command the page shows; its python."""
    where = tmp_path_factory.mktemp("student")
    built = wheel.engine_wheel()
    (where / built.filename).write_bytes(built.data)
    run([sys.executable, "-m", "venv", where / "venv"], where)
    python = where / "venv" / "bin" / "python"
    command = built.install.split()  # pip install tinytorch_playground-...whl, from the folder it was saved to
    run([python, "-m", *command, "--disable-pip-version-check", "-q"], where)
    yield python
    shutil.rmtree(where, ignore_errors=True)


def printed_by_the_snippet(python: Path, text: str, x: float, cwd: Path) -> str:
    # -I: isolated, so only the venv's own packages count (no PYTHONPATH, no current folder).
    return run([python, "-I", "-c", parse(text).to_python(x=x)], cwd, timeout=60).stdout


def test_the_installed_engine_is_the_wheel_in_the_venv(venv, tmp_path):
    where = run([venv, "-I", "-c", "import tinytorch, numpy; print(tinytorch.__file__)"], tmp_path).stdout
    assert where.strip().startswith(str(venv.parents[1])) and "site-packages" in where
    listed = run([venv, "-m", "pip", "list", "--format=freeze", "--disable-pip-version-check"], tmp_path).stdout
    assert f"tinytorch-playground=={wheel.engine_wheel().filename.split('-')[1]}" in listed.splitlines()


@pytest.mark.parametrize("text", [p.text for p in PRESETS] + list(CONSTANTS))
def test_every_example_prints_the_numbers_of_the_page(venv, tmp_path, text):
    expr = parse(text)
    for x in POINTS:
        _, _, value, slope = compute.evaluate(expr, x)  # what the page shows, in this process
        printed = printed_by_the_snippet(venv, text, x, tmp_path)
        assert printed == expr.python_output(value, {"x": slope}), (text, x)
        shown = [float(line.rsplit(" ", 1)[1]) for line in printed.splitlines()]
        assert shown == [value, slope]  # the same floats, to the last bit
        assert [format_number(v) for v in shown] == [format_number(value), format_number(slope)]
        if text in CONSTANTS:
            assert slope == 0.0 and printed.endswith("df/dx = 0.0\n")


def test_pip_install_dot_builds_the_same_package(tmp_path):
    """`pip install .` (setuptools, from pyproject.toml) and the served wheel hold the same files
    and the same name, version and dependencies."""
    source = tmp_path / "source"  # a copy: a build in the checkout would leave build/ behind
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source)
    shutil.copytree(ROOT / "tinytorch", source / "tinytorch", ignore=shutil.ignore_patterns("__pycache__"))
    run([sys.executable, "-m", "pip", "wheel", source, "--no-deps", "-q", "--disable-pip-version-check",
         "-w", tmp_path / "built"], tmp_path)
    (setuptools_wheel,) = (tmp_path / "built").glob("*.whl")
    ours = zipfile.ZipFile(io.BytesIO(wheel.engine_wheel().data))
    theirs = zipfile.ZipFile(setuptools_wheel)
    assert setuptools_wheel.name == wheel.engine_wheel().filename

    def package(archive):
        return {n: archive.read(n) for n in archive.namelist() if not n.split("/")[0].endswith(".dist-info")}

    assert package(ours) == package(theirs)

    def core(archive):
        (name,) = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
        meta = Parser().parsestr(archive.read(name).decode())
        return meta["Name"], meta["Version"], meta["Requires-Python"], sorted(meta.get_all("Requires-Dist"))

    assert core(ours) == core(theirs)
