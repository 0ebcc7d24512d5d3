"""The engine as a wheel a student can `pip install`: the files of tinytorch/, zipped in memory.

The wheel is what `pip install .` builds from pyproject.toml (the same distribution name,
version, dependencies and package), made here without build tools, so the app can serve it:
a wheel is a zip file with the package and a .dist-info folder of three small text files
(https://packaging.python.org/en/latest/specifications/binary-distribution-format/).
It is deterministic: the same files give the same bytes (fixed dates, order and modes).

Its name is pyproject's, tinytorch-playground, never `tinytorch`: that name on PyPI belongs to an
unrelated package. The import name stays `tinytorch`.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import io
import re
import tomllib
import zipfile
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = ROOT / "pyproject.toml"
TAG = "py3-none-any"  # pure Python, any platform
DATE = (1980, 1, 1, 0, 0, 0)  # the earliest a zip can hold: the same bytes on every build


class Wheel(NamedTuple):
    filename: str  # tinytorch_playground-0.1.0-py3-none-any.whl
    data: bytes
    python: str  # the Python versions it needs, as pyproject says: ">=3.11"

    @property
    def install(self) -> str:
        """The command that installs it, run in the folder it was saved to."""
        return f"pip install {self.filename}"


@functools.lru_cache(maxsize=1)
def engine_wheel() -> Wheel:
    """The engine's wheel, built once per process (a few milliseconds)."""
    return build(PYPROJECT)


def build(pyproject: Path) -> Wheel:
    """The wheel of the packages that `pyproject` lists, with its name, version and dependencies."""
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    meta = project["project"]
    name = re.sub(r"[-_.]+", "_", meta["name"]).lower()  # the wheel's spelling of the name
    stem = f"{name}-{meta['version']}"
    info = f"{stem}.dist-info"
    files = {}
    packages = project["tool"]["setuptools"]["packages"]
    for package in packages:
        for path in sorted((pyproject.parent / package).glob("*.py")):
            files[f"{package}/{path.name}"] = path.read_bytes()
    files[f"{info}/METADATA"] = _metadata(meta).encode()
    files[f"{info}/WHEEL"] = (f"Wheel-Version: 1.0\nGenerator: tinytorch-playground (lessons/wheel.py)\n"
                              f"Root-Is-Purelib: true\nTag: {TAG}\n").encode()
    files[f"{info}/top_level.txt"] = "".join(f"{package}\n" for package in packages).encode()
    record = "".join(f"{path},sha256={_digest(data)},{len(data)}\n" for path, data in files.items())
    files[f"{info}/RECORD"] = (record + f"{info}/RECORD,,\n").encode()

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path, data in files.items():
            entry = zipfile.ZipInfo(path, date_time=DATE)
            entry.external_attr = 0o644 << 16  # -rw-r--r--
            archive.writestr(entry, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
    return Wheel(f"{stem}-{TAG}.whl", buffer.getvalue(), meta["requires-python"])


def _metadata(meta: dict) -> str:
    lines = ["Metadata-Version: 2.1", f"Name: {meta['name']}", f"Version: {meta['version']}",
             f"Summary: {meta['description']}", f"Requires-Python: {meta['requires-python']}"]
    lines += [f"Requires-Dist: {requirement}" for requirement in meta["dependencies"]]
    for extra, requirements in meta.get("optional-dependencies", {}).items():
        lines.append(f"Provides-Extra: {extra}")
        lines += [f'Requires-Dist: {requirement}; extra == "{extra}"' for requirement in requirements]
    return "\n".join(lines) + "\n"


def _digest(data: bytes) -> str:
    """RECORD's hash: sha256, urlsafe base64 without the '=' padding."""
    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
