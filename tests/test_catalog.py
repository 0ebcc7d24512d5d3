"""The Operations reference: read from the engine, complete, in file order, with the real source."""

from __future__ import annotations

import ast
import inspect
import re
import textwrap
from pathlib import Path

import pytest

from lessons.catalog import OpInfo, op_info, operations
from lessons.viz import op_symbol
from tinytorch import Tensor, ops, topological_order
from tinytorch.expr import parse
from tinytorch.tensor import Function
from ui import rules

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


def test_every_op_has_its_rule_as_latex_that_a_markdown_table_can_hold(catalog):
    for info in catalog:
        assert info.latex == getattr(ops, info.name).latex and info.latex.strip(), info.name
        assert "|" not in info.latex and "$" not in info.latex and "\n" not in info.latex, info.name
        assert info.latex.count("{") == info.latex.count("}"), info.name
        assert info.latex.count(r"\begin") == info.latex.count(r"\end"), info.name
    assert op_info("Sin").latex == r"\frac{d}{dx} \sin x = \cos x"


def test_the_textbook_rule_is_the_rule_method_where_backward_has_speed_ups(catalog):
    for info in catalog:
        cls = getattr(ops, info.name)
        if vars(cls).get("rule") is not None:
            assert info.has_speed_ups and info.rule_source.splitlines()[1].startswith("def rule(g, ")
            assert textwrap.indent(info.rule_source, "    ").rstrip("\n") in OPS_SOURCE  # verbatim
        else:
            assert not info.has_speed_ups and info.rule_source == info.backward_source
    assert {i.name for i in catalog if i.has_speed_ups} == {"Sub", "Mul", "Div", "Pow", "MatMul", "Maximum",
                                                           "Minimum"}


def test_what_a_student_reads_first_fits_a_laptop_screen_without_scrolling(catalog):
    for info in catalog:
        first = info.rule_source if info.has_speed_ups else info.forward_source + info.backward_source
        for line in first.splitlines():
            assert len(line) <= rules.TEXTBOOK_WIDTH, (info.name, line)


def test_the_op_that_docs_engine_md_shows_is_verbatim_from_ops_py():
    doc = (Path(__file__).resolve().parent.parent / "docs" / "engine.md").read_text(encoding="utf-8")
    snippet = doc.split("```python\nclass Mul(Function):", 1)[1].split("```", 1)[0]
    assert "class Mul(Function):" + snippet == inspect.getsource(ops.Mul)


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
