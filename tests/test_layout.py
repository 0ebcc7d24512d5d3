"""The shape of the code: imports point one way, pages → ui → lessons → tinytorch, and the
engine needs numpy alone (a student installs it and reads it next to the seed article)."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ("pages", "ui", "lessons", "tinytorch")  # each may import only those after it
THIRD_PARTY = {
    "tinytorch": {"numpy"},
    # _plotly_utils ships inside plotly; babel: the translations (lessons/i18n.py)
    "lessons": {"numpy", "plotly", "_plotly_utils", "graphviz", "babel"},
}


def _imports(path: Path) -> set[str]:
    """The top-level names of every module `path` imports (relative imports are its own package)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):  # our own source, not user text
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            found.add(path.parent.name if node.level else node.module.split(".")[0])
    return found


def _files(layer: str) -> list[Path]:
    return sorted((ROOT / layer).glob("*.py"))


@pytest.mark.parametrize("layer", LAYERS)
def test_imports_point_one_way(layer):
    above = set(LAYERS[: LAYERS.index(layer)]) | {"playground"}
    for path in _files(layer):
        wrong = _imports(path) & above
        assert not wrong, f"{path.relative_to(ROOT)} imports {sorted(wrong)}, which sit above {layer}/"


@pytest.mark.parametrize("layer", sorted(THIRD_PARTY))
def test_helpers_and_engine_need_no_app(layer):
    allowed = THIRD_PARTY[layer] | set(LAYERS[LAYERS.index(layer):]) | set(sys.stdlib_module_names)
    for path in _files(layer):
        extra = _imports(path) - allowed
        assert not extra, f"{path.relative_to(ROOT)} imports {sorted(extra)}"


def test_the_engine_package_is_the_engine():
    modules = {p.stem for p in _files("tinytorch")}
    assert modules == {"__init__", "tensor", "ops", "functional", "trace", "nn", "expr"}
