"""The Operations reference: read from the engine, complete, in file order, with the real source."""

from __future__ import annotations

import ast
import inspect
import re
import textwrap

import pytest

from lessons.catalog import OpInfo, op_info, operations
from lessons.viz import op_symbol
from tinytorch import Tensor, ops, topological_order
from tinytorch.expr import parse
from tinytorch.tensor import Function

OPS_SOURCE = inspect.getsource(ops)


def classes_in_ops_py() -> list[str]:
    """Every class that ops.py defines with a Function base, read from the file's text."""
    tree = ast.parse(OPS_SOURCE)
    return [node.name for node in tree.body if isinstance(node, ast.ClassDef)
            and any(isinstance(b, ast.Name) and b.id == "Function" for b in node.bases)]


@pytest.fixture(scope="module")
def catalog() -> tuple[OpInfo, ...]:
    return operations()


def test_every_op_class_is_listed_once_in_file_order(catalog):
    names = [info.name for info in catalog]
    assert names == classes_in_ops_py()
    assert len(names) == len(set(names)) > 25
    lines = [info.line for info in catalog]
    assert lines == sorted(lines)
    for info in catalog:
        assert OPS_SOURCE.splitlines()[info.line - 1].startswith(f"class {info.name}(Function)")


def test_every_op_has_a_formula_a_derivative_and_a_symbol(catalog):
    for info in catalog:
        assert info.formula and info.derivative, info.name
        assert ";" not in info.formula
        assert info.symbol == op_symbol(info.name)
        assert "\n" not in info.formula + info.derivative + info.summary


def test_summaries_split_the_docstring_at_the_semicolon():
    assert (op_info("Sin").formula, op_info("Sin").derivative) == ("sin(x)", "d/dx = cos(x)")
    assert op_info("Mul").derivative == "d/da = b, d/db = a"
    assert op_info("Mul").summary == "a * b;  d/da = b, d/db = a"
    # MatMul's first paragraph wraps onto a second line: the derivative is there
    assert op_info("MatMul").derivative == "d/da = g @ bᵀ, d/db = aᵀ @ g"


def test_notes_are_the_rest_of_the_docstring():
    assert op_info("Pow").notes.startswith("As PyTorch:")
    assert "log1p" in op_info("Softplus").notes
    assert op_info("Add").notes == ""


def test_sources_are_the_methods_as_written_in_ops_py(catalog):
    for info in catalog:
        for source, name in ((info.forward_source, "forward"), (info.backward_source, "backward")):
            assert f"def {name}(" in source, info.name
            assert source == textwrap.dedent(source)  # dedented
            ast.parse(source)  # a complete, valid definition
            indented = textwrap.indent(source, "    ").rstrip("\n")
            assert indented in OPS_SOURCE, f"{info.name}.{name} is not verbatim from ops.py"


def test_backward_source_uses_the_derivative_the_summary_states():
    assert "cos(x)" in op_info("Sin").backward_source
    assert re.search(r"1\.0 - out \* out", op_info("Tanh").backward_source)


def test_op_info_finds_every_op_a_graph_can_contain():
    f = parse("sin(x)*exp(x) + max(x, 2) / sqrt(x^2 + 1) - relu(-x)")
    y = f(x=Tensor([0.7]))
    for node in topological_order(y):
        if node.op is not None:
            assert op_info(node.op).name == node.op


@pytest.mark.parametrize("name", ["Function", "np", "Tensor", "sin", "mul", "", 3])
def test_op_info_refuses_what_is_not_an_op(name):
    with pytest.raises(ValueError, match="no op called") as error:
        op_info(name)
    assert "Add, Sub" in str(error.value)  # and lists the ops


def test_results_are_immutable(catalog):
    with pytest.raises(AttributeError):
        catalog[0].name = "Other"
    assert isinstance(catalog, tuple)
    assert op_info("Add") == catalog[0]


def test_nothing_outside_ops_py_is_listed(catalog):
    assert all(issubclass(getattr(ops, info.name), Function) for info in catalog)
    assert "Function" not in {info.name for info in catalog}
