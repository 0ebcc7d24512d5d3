"""The engine's wheel (lessons/wheel.py), read back as pip reads it: the files of tinytorch/ and
nothing else, a RECORD whose hashes hold, pyproject's name, version and dependencies, the same
bytes on every build, and a package that imports and runs from the unpacked wheel alone.
(tests/test_wheel_install.py installs it with pip in a clean venv.)"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import re
import subprocess
import sys
import tomllib
import zipfile
from email.parser import Parser
from pathlib import Path

from lessons import wheel
from tinytorch.expr import parse

ROOT = Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def read(built: wheel.Wheel) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(built.data))


def dist_info(built: wheel.Wheel) -> str:
    name, version = built.filename.split("-")[:2]
    return f"{name}-{version}.dist-info"


def test_the_wheel_holds_the_engine_and_nothing_else():
    built = wheel.engine_wheel()
    archive = read(built)
    engine = {f"tinytorch/{p.name}": p.read_bytes() for p in (ROOT / "tinytorch").glob("*.py")}
    info = dist_info(built)
    assert set(archive.namelist()) == set(engine) | {f"{info}/{n}" for n in ("METADATA", "WHEEL", "RECORD",
                                                                              "top_level.txt")}
    for path, data in engine.items():
        assert archive.read(path) == data, path
    assert archive.read(f"{info}/top_level.txt") == b"tinytorch\n"
    assert archive.testzip() is None


def test_the_name_version_and_dependencies_are_pyprojects_and_not_pypis_tinytorch():
    built = wheel.engine_wheel()
    metadata = Parser().parsestr(read(built).read(f"{dist_info(built)}/METADATA").decode())
    assert (metadata["Name"], metadata["Version"]) == (PROJECT["name"], PROJECT["version"])
    assert metadata["Name"] != "tinytorch" and PROJECT["name"] == "tinytorch-playground"
    assert metadata["Requires-Python"] == PROJECT["requires-python"] == built.python
    assert [r for r in metadata.get_all("Requires-Dist") if "extra ==" not in r] == PROJECT["dependencies"]
    assert PROJECT["dependencies"] == ["numpy>=1.26"]  # the engine needs numpy alone
    # The file name as the wheel format spells it: name_with_underscores-version-py3-none-any.whl
    assert built.filename == f"tinytorch_playground-{PROJECT['version']}-py3-none-any.whl"
    assert built.install == f"pip install {built.filename}"


def test_the_record_lists_every_file_with_its_hash_and_size():
    built = wheel.engine_wheel()
    archive = read(built)
    info = dist_info(built)
    rows = list(csv.reader(io.StringIO(archive.read(f"{info}/RECORD").decode())))
    assert [r[0] for r in rows] == [n for n in archive.namelist() if n != f"{info}/RECORD"] + [f"{info}/RECORD"]
    for path, digest, size in rows:
        if path == f"{info}/RECORD":
            assert (digest, size) == ("", "")
            continue
        data = archive.read(path)
        assert digest == "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        assert int(size) == len(data)
    wheel_file = archive.read(f"{info}/WHEEL").decode()
    assert "Root-Is-Purelib: true" in wheel_file and re.search(r"^Tag: py3-none-any$", wheel_file, re.M)


def test_the_same_files_give_the_same_bytes():
    first, second = wheel.build(wheel.PYPROJECT), wheel.build(wheel.PYPROJECT)
    assert first == second
    assert wheel.engine_wheel() is wheel.engine_wheel()  # built once per process
    dates = {entry.date_time for entry in read(first).infolist()}
    assert dates == {wheel.DATE}


def test_a_snippet_runs_against_the_unpacked_wheel_alone(tmp_path):
    # pip installs a pure wheel by unpacking it: the package must import from there, not from
    # this checkout (the subprocess runs in tmp_path, with only the unpacked wheel on its path).
    site = tmp_path / "site"
    read(wheel.engine_wheel()).extractall(site)
    code = parse("sin(x)*exp(-x^2)").to_python(x=0.3)
    probe = "import tinytorch, sys; print(tinytorch.__file__, file=sys.stderr)\n"
    done = subprocess.run([sys.executable, "-P", "-c", probe + code], cwd=tmp_path, capture_output=True, text=True,
                          env={"PYTHONPATH": str(site)}, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip() == str(site / "tinytorch" / "__init__.py")
    assert done.stdout.startswith("f(x) = ")


def test_the_container_image_keeps_what_the_wheel_is_built_from():
    ignored = {line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()
               if line.strip() and not line.startswith("#")}
    assert not ignored & {"pyproject.toml", "tinytorch", "lessons", "*.toml", "*.py"}
