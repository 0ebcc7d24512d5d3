"""The graph picture: node records, number formatting, DOT styling, escaping, speed."""

from __future__ import annotations

import html
import math
import re
import shutil
import subprocess
import sys
import warnings

import graphviz
import numpy as np
import pytest

import tinytorch as tt
from lessons import viz
from lessons.viz import THEMES, format_number, graph_nodes, node_table, op_symbol, to_digraph, to_dot, to_svg
from tinytorch import Tensor
from tinytorch.expr import parse

HAS_DOT = shutil.which("dot") is not None
needs_dot = pytest.mark.skipif(not HAS_DOT, reason="graphviz's `dot` program is not installed")


def labelled(t: Tensor, label: str) -> Tensor:
    t.label = label
    return t


def cubic(x0: float = 1.2, backward: bool = True) -> Tensor:
    """x^3 + 2x at x0, labelled as the expression parser would label it."""
    x = Tensor([x0], label="x")
    two = Tensor.constant(2.0, label="2")
    y = labelled(labelled(x * x, "x*x") * x, "x^3")
    y = labelled(y + labelled(two * x, "2x"), "x^3+2x")
    if backward:
        y.backward()
    return y


def node_line(src: str, node_id: str) -> str:
    (line,) = [ln for ln in src.splitlines() if ln.strip().startswith(f"{node_id} [")]
    return line


def attr(line: str, name: str) -> str:
    return re.search(rf'\b{name}="([^"]*)"', line).group(1)


def edges(src: str) -> list[tuple[str, str, str]]:
    """(tail, head, attributes) of every edge statement."""
    return re.findall(r"^\t(\w+) -> (\w+)(?: \[(.*)\])?$", src, flags=re.M)


# ---- format_number ---------------------------------------------------------------------------


@pytest.mark.parametrize("value, text", [
    (5.32, "5.32"), (-0.0001234, "-0.0001234"), (123456, "1.235e+05"), (1.0, "1"), (2, "2"),
    (3.14159265, "3.142"), (-2.5e-10, "-2.5e-10"), (0.0, "0"), (-0.0, "0"), (np.float64(0.5), "0.5"),
    (math.nan, "nan"), (math.inf, "∞"), (-math.inf, "−∞"), (99999, "1e+05"),
])
def test_format_number(value, text):
    assert format_number(value) == text


def test_format_number_digits():
    assert format_number(math.pi, 3) == "3.14"
    assert format_number(-1 / 3, 2) == "-0.33"


# ---- graph_nodes -----------------------------------------------------------------------------


def test_graph_nodes_follow_topological_order_with_stable_ids():
    y = cubic()
    nodes = graph_nodes(y)
    order = tt.topological_order(y)
    assert [n.id for n in nodes] == [f"n{i}" for i in range(len(order))]
    assert [n.label for n in nodes] == [t.label for t in order]
    by_label = {n.label: n for n in nodes}
    assert by_label["x"].kind == "input"
    assert by_label["2"].kind == "constant"
    assert by_label["x*x"].kind == by_label["2x"].kind == "intermediate"
    assert by_label["x^3+2x"].kind == "output" and nodes[-1] is by_label["x^3+2x"]
    x_id = by_label["x"].id
    assert by_label["x*x"].inputs == (x_id, x_id)  # in order and with repeats
    assert by_label["2x"].inputs == (by_label["2"].id, x_id)
    assert by_label["x^3"].op == "Mul" and by_label["x^3+2x"].op == "Add" and by_label["x"].op is None


def test_graph_nodes_values_and_grads():
    nodes = {n.label: n for n in graph_nodes(cubic(1.2))}
    assert nodes["x"].value == 1.2 and isinstance(nodes["x"].value, float)
    assert nodes["x"].grad == pytest.approx(3 * 1.2**2 + 2)
    assert nodes["x^3+2x"].value == pytest.approx(1.2**3 + 2.4)
    assert nodes["x^3+2x"].grad == 1.0
    assert nodes["2"].grad is None  # constants get no gradient
    before = {n.label: n for n in graph_nodes(cubic(1.2, backward=False))}
    assert all(n.grad is None for n in before.values())


def test_graph_nodes_are_frozen_records():
    node = graph_nodes(cubic())[0]
    with pytest.raises(AttributeError):
        node.label = "y"


def test_fallback_labels_without_expression_text():
    x = Tensor([2.0])
    y = tt.sin(x * 3.0)
    labels = [n.label for n in graph_nodes(y)]
    assert labels == ["2", "3", "Mul", "Sin"]  # leaves by value, ops by name


def test_leaf_output_keeps_its_kind():
    x = Tensor([1.0], label="x")
    (node,) = graph_nodes(x)
    assert node.kind == "input" and node.inputs == () and node.local_grads == ()
    (node,) = graph_nodes(Tensor.constant(2.0))
    assert node.kind == "constant"


def test_arrays_are_summarised_by_shape():
    x = Tensor(np.ones((3, 4)), label="X")
    y = tt.sum(x * 2.0)
    y.backward()
    nodes = graph_nodes(y)
    assert nodes[0].value == "shape 3×4" and nodes[0].grad == "shape 3×4"
    assert nodes[-1].value == 24.0 and nodes[-1].grad == 1.0
    assert nodes[2].local_grads == (None, None)  # x*2 is not a single number
    assert nodes[-1].local_grads == (None,)


# ---- local derivatives: the op's backward rule with an upstream gradient of 1 --------------


def local(y: Tensor) -> tuple:
    return graph_nodes(y)[-1].local_grads


@pytest.mark.parametrize("a, b", [(1.5, -2.0), (0.0, 3.0), (-4.0, 0.25)])
def test_local_grads_mul(a, b):
    assert local(Tensor([a]) * Tensor([b])) == (b, a)


@pytest.mark.parametrize("v", [0.0, 0.7, -2.0, 3.0])
def test_local_grads_sin(v):
    assert local(tt.sin(Tensor([v]))) == pytest.approx((math.cos(v),), rel=1e-15)


@pytest.mark.parametrize("a, b", [(1.5, 3.0), (2.0, 0.5), (0.7, -2.0)])
def test_local_grads_pow(a, b):
    da, db = local(Tensor([a]) ** Tensor([b]))
    assert da == pytest.approx(b * a ** (b - 1), rel=1e-14)
    assert db == pytest.approx(a**b * math.log(a), rel=1e-14)


def test_local_grads_skip_constants():
    # x**3: the exponent is a constant, so backward computes no gradient for it.
    assert local(Tensor([2.0]) ** 3) == pytest.approx((12.0, None))
    x = Tensor([2.0])
    assert local(x * x) == (2.0, 2.0)


def test_local_grads_show_infinity_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        (d,) = local(tt.log(Tensor([0.0])))
    assert d == math.inf


# ---- the DOT picture ---------------------------------------------------------------------------


def test_one_box_per_tensor_one_circle_per_op():
    y = cubic()
    src = to_dot(y)
    nodes = graph_nodes(y)
    ops = [n for n in nodes if n.op]
    assert len(re.findall(r"^\tn\d+ \[", src, flags=re.M)) == len(nodes)
    assert len(re.findall(r"^\tn\d+_op \[", src, flags=re.M)) == len(ops)
    # Each op: one edge per input use, plus one to its result.
    assert len(edges(src)) == sum(len(n.inputs) + 1 for n in ops)
    assert "rankdir=LR" in src and "bgcolor=transparent" in src


def test_x_times_x_draws_two_distinct_edges():
    x = Tensor([3.0], label="x")
    y = labelled(x * x, "x*x")
    src = to_dot(y)
    into_op = [e for e in edges(src) if e[:2] == ("n0", "n1_op")]
    assert len(into_op) == 2
    assert [attr(e[2], "headlabel") for e in into_op] == ["a", "b"]
    assert [attr(e[2], "id") for e in into_op] == ["e_n0_n1_0", "e_n0_n1_1"]  # each edge its own id
    assert [e for e in edges(src) if e[:2] == ("n1_op", "n1")] == [("n1_op", "n1", 'id="e_n1" weight="2"')]


def test_single_input_ops_have_unlabelled_edges():
    src = to_dot(tt.exp(Tensor([1.0])))
    assert edges(src) == [("n1_op", "n1", 'id="e_n1" weight="2"'), ("n0", "n1_op", 'id="e_n0_n1_0"')]


def test_boxes_and_circles_carry_their_id_and_kind_for_styling():
    src = to_dot(cubic())
    for node in graph_nodes(cubic()):
        line = node_line(src, node.id)
        assert attr(line, "id") == node.id and attr(line, "class") == f"tt-{node.kind}"
        if node.op:
            line = node_line(src, f"{node.id}_op")
            assert attr(line, "id") == f"{node.id}_op" and attr(line, "class") == "tt-op"


@pytest.mark.parametrize("make, symbol", [
    (lambda a, b: a + b, "+"), (lambda a, b: a - b, "−"), (lambda a, b: a * b, "×"),
    (lambda a, b: a / b, "÷"), (lambda a, b: a**b, "^"), (lambda a, b: -a, "−"),
    (lambda a, b: tt.sin(a), "sin"), (lambda a, b: tt.exp(a), "exp"),
    (lambda a, b: tt.maximum(a, b), "max"),
])
def test_op_symbols(make, symbol):
    y = make(Tensor([1.5]), Tensor([2.0]))
    assert op_symbol(y.op) == symbol
    assert f"label=<{symbol}>" in node_line(to_dot(y), f"{graph_nodes(y)[-1].id}_op")


def test_matmul_symbol():
    assert op_symbol("MatMul") == "@"


def test_values_and_grads_shown_to_four_significant_digits():
    x = Tensor([math.pi], label="x")
    y = labelled(x * 1000.0, "y")
    y.backward()
    src = to_dot(y)
    assert "value 3.142<" in node_line(src, "n0") and "grad 1000<" in node_line(src, "n0")
    assert "value 3142<" in node_line(src, "n2") and "grad 1<" in node_line(src, "n2")
    assert "label=<1000>" in node_line(src, "n1")  # a constant: its number, and no gradient line
    assert "grad —<" in node_line(to_dot(cubic(backward=False)), "n0")
    pi = labelled(Tensor.constant(math.pi), "pi")
    assert "label=<pi = 3.142>" in node_line(to_dot(labelled(x * pi, "x*pi")), "n1")


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_kinds_have_distinct_colours(theme):
    src = to_dot(cubic(), theme=theme)
    kinds = {n.id: n.kind for n in graph_nodes(cubic())}
    fills = {}
    for node_id, kind in kinds.items():
        line = node_line(src, node_id)
        fill, border, text, width, _ = THEMES[theme][kind]
        shown = tuple(attr(line, name) for name in ("fillcolor", "color", "fontcolor", "penwidth"))
        assert shown == (fill, border, text, width)
        fills[kind] = fill
    assert set(kinds.values()) == {"input", "constant", "intermediate", "output"}
    assert len(set(fills.values())) == 4
    constant = next(i for i, kind in kinds.items() if kind == "constant")
    assert "dashed" in attr(node_line(src, constant), "style")  # apart in greyscale too
    assert attr(node_line(src, "n1_op"), "fillcolor") == THEMES[theme]["op"][0]


def test_themes_differ():
    assert to_dot(cubic(), theme="light") != to_dot(cubic(), theme="dark")
    with pytest.raises(ValueError, match="theme"):
        to_dot(cubic(), theme="sepia")


def test_highlight_marks_the_op_its_result_and_input_edges():
    y = cubic()
    plain = to_dot(y)
    accent = THEMES["light"]["accent"]
    assert accent not in plain
    x_squared = next(n for n in graph_nodes(y) if n.label == "x*x")
    src = to_dot(y, highlight={x_squared.id, "n0"})
    assert attr(node_line(src, x_squared.id), "color") == accent
    assert attr(node_line(src, f"{x_squared.id}_op"), "color") == accent
    assert attr(node_line(src, "n0"), "color") == accent
    hot = [e for e in edges(src) if accent in e[2]]
    assert sorted(e[:2] for e in hot) == sorted([("n0", f"{x_squared.id}_op")] * 2
                                                 + [(f"{x_squared.id}_op", x_squared.id)])
    # Everything else is drawn as before.
    unmarked = [ln for ln in src.splitlines() if accent not in ln]
    assert set(unmarked) <= set(plain.splitlines())


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_dim_greys_everything(theme):
    y = cubic()
    src = to_dot(y, dim=True, highlight={"n0"}, theme=theme)
    fill, border, text, _, _ = THEMES[theme]["dim"]
    node_lines = [ln for ln in src.splitlines() if re.match(r"\tn\d+(_op)? \[", ln)]
    assert node_lines
    assert all(attr(ln, "fillcolor") == fill and attr(ln, "fontcolor") == text for ln in node_lines)
    assert THEMES[theme]["accent"] not in src  # a stale graph highlights nothing
    assert f'color="{border}"' in src.splitlines()[3]  # edge defaults


def test_source_is_deterministic():
    first = to_dot(cubic())
    assert to_dot(cubic()) == first  # a new graph with new Python ids
    y = cubic()
    assert to_dot(y) == to_dot(y)
    assert "n0" in first and str(id(y)) not in first


def test_to_digraph_returns_a_digraph():
    g = to_digraph(cubic())
    assert isinstance(g, graphviz.Digraph)
    assert g.source == to_dot(cubic())


def test_long_labels_are_shortened_in_the_picture_only():
    x = Tensor([1.0], label="x")
    text = "sin(x)*exp(-x^2)+log(1+x^2)/(x^3+2*x)+cos(x)"
    y = labelled(x + 1.0, text)
    assert graph_nodes(y)[-1].label == text
    src = to_dot(y)
    shown = "sin(x)*exp(-…1+x^2)/(x^3+2*x)+cos(x)"  # its start and its end
    assert text not in src and f"<B>{html.escape(shown, quote=False)}</B>" in src
    assert len(shown) == viz._MAX_LABEL


def test_a_running_sums_boxes_all_read_differently():
    # Cut at the end, the eleven boxes of sin(x/1) + sin(x/2) + ... all read "sin(x/1)+sin(x/2)+…".
    expr = parse("+".join(f"sin(x/{k})" for k in range(1, 13)))
    nodes = graph_nodes(expr(x=Tensor([0.5])))
    shown = viz.short_labels(nodes)
    long = [n for n in nodes if len(n.label) > viz._MAX_LABEL]
    assert len(long) >= 8
    boxes = [shown[n.id] for n in nodes if n.kind != "constant"]  # (the numbers 1 to 12 are constants)
    assert len(set(boxes)) == len(boxes)
    assert all(len(shown[n.id]) <= viz._MAX_LABEL for n in nodes)


def test_labels_that_still_collide_are_numbered():
    expr = parse("*".join(["x"] * 60))  # x*x*...*x: every long box starts and ends the same
    nodes = graph_nodes(expr(x=Tensor([0.5])))
    shown = viz.short_labels(nodes)
    values = [shown[n.id] for n in nodes]
    assert len(set(values)) == len(values)  # every box reads differently
    numbered = [v for v in values if " #" in v]
    assert numbered and numbered[0].endswith(" #1")
    assert {n.id: n.label for n in nodes if len(n.label) <= viz._MAX_LABEL} == \
           {i: v for i, v in shown.items() if i in {n.id for n in nodes if len(n.label) <= viz._MAX_LABEL}}


# ---- escaping: labels are user text ------------------------------------------------------------

HOSTILE = [
    "<script>alert(1)</script>",
    '"]; evil [label="pwned',
    "\\l\\N\\G\\",
    "{x|y}",
    "a'b&c",
    "</B></TD></TABLE>>]; n9 [",
    "line\nbreak\x00nul\ttab",
    "é∂ 🙂 √x",
    "&lt;already&gt;",
]


def hostile_graph() -> Tensor:
    x = Tensor([1.0], label=HOSTILE[0])
    y = x
    for text in HOSTILE[1:]:
        y = labelled(y * x, text)
    y.backward()
    return y


def html_text(fragment: str) -> str:
    """What an escaped label reads as: entities decoded, our invisible word joiner removed."""
    return html.unescape(fragment).replace("\u2060", "")


def test_hostile_labels_are_escaped_in_the_source():
    src = to_dot(hostile_graph())
    labels = re.findall(r"<B>(.*?)</B>", src)
    assert [html_text(t) for t in labels] == [t.replace("\n", " ").replace("\x00", " ").replace("\t", " ")
                                              for t in HOSTILE]
    for text in labels:
        assert not set(text) & set("<>\"'{}|\\\n\x00")
    assert "<script>" not in src
    # The statements are exactly ours: one per box, circle and edge, none injected.
    statements = src.splitlines()[4:-1]
    assert len(statements) == len(HOSTILE) + 2 * (len(HOSTILE) - 1) + 2 * (len(HOSTILE) - 1)


@needs_dot
def test_hostile_labels_render_as_text():
    y = hostile_graph()
    svg = graphviz.Source(to_dot(y)).pipe(format="svg").decode()
    assert svg.count('class="node') == len(HOSTILE) + len(HOSTILE) - 1  # boxes + circles
    texts = [html_text(t) for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg)]
    for label in HOSTILE:
        assert label.replace("\n", " ").replace("\x00", " ").replace("\t", " ") in texts
    assert "<script" not in svg


@needs_dot
@pytest.mark.parametrize("theme", ["light", "dark"])
def test_to_svg_renders(theme):
    svg = to_svg(cubic(), theme=theme, highlight={"n0"})
    assert svg.startswith(b"<?xml") and b"</svg>" in svg


def without_graphviz(monkeypatch) -> None:
    from lessons import layout

    monkeypatch.setattr(layout.shutil, "which", lambda program: None)


def test_to_svg_without_dot_gives_none(monkeypatch):
    without_graphviz(monkeypatch)
    assert to_svg(cubic()) is None


# ---- speed and imports -----------------------------------------------------------------------


def chain(levels: int) -> Tensor:
    """An input used at every depth (h = sin(h)*1.01 + x): 3 ops a level, long edges for `dot`."""
    x = Tensor([0.7], label="x")
    h = x
    for _ in range(levels):
        h = tt.sin(h) * 1.01 + x
    h.backward()
    return h


def test_a_150_op_graph_keeps_dot_layout_bounded():
    # An input used at every depth made `dot` search for minutes (and once crash): the graph
    # caps the network-simplex passes, and operand names are head labels, which add no ranks.
    # (How long layout takes is measured in benchmarks/app.py, not asserted here.)
    y = chain(50)
    assert sum(1 for n in graph_nodes(y) if n.op) == 150
    source = to_dot(y)
    assert 'nslimit="1"' in source or "nslimit=1" in source
    assert " label=" not in source.split("->", 1)[1].split("\n", 1)[0]  # edges carry no plain label
    assert "headlabel" in source


@needs_dot
def test_dot_renders_a_long_graph_with_a_reused_input():
    svg = to_svg(chain(40)).decode()
    assert svg.count('class="node') == len(graph_nodes(chain(40))) + 120  # boxes + op circles


def test_tinytorch_imports_only_numpy():
    code = ("import sys, tinytorch, lessons.viz, lessons.curves; "
            "print(sorted(m for m in ('graphviz', 'plotly', 'streamlit') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_module_exports():
    assert set(viz.__all__) <= set(dir(viz))


def test_node_table_names_local_derivatives_by_input_label():
    x = Tensor([1.5], label="x")
    two = Tensor.constant(2.0, label="2")
    a = x * x
    a.label = "x*x"
    y = a * two
    y.label = "x*x*2"
    y.backward()
    rows = node_table(graph_nodes(y))
    by_node = {r["node"]: r for r in rows}
    assert by_node["x*x"]["local derivatives"] == "∂/∂x = 1.5; ∂/∂x = 1.5"
    assert by_node["x*x*2"]["local derivatives"] == "∂/∂x*x = 2; ∂/∂2 = —"  # constants need none
    assert by_node["x"]["gradient"] == "6" and by_node["2"]["gradient"] == "—"
    assert by_node["x*x*2"]["op"] == "×" and by_node["x"]["kind"] == "input"


def test_gradients_part_way_through_a_backward_pass():
    x = Tensor([1.2], label="x")
    y = x * x
    y.label = "x*x"
    trace = tt.trace_backward(y)
    nodes = graph_nodes(y, grads=trace.received(1))  # only the seed so far
    assert [(n.label, n.grad) for n in nodes] == [("x", None), ("x*x", 1.0)]
    assert "grad —" in to_dot(y, grads={}) and "grad 1" not in to_dot(y, grads={})
    final = {n.label: n.grad for n in graph_nodes(y, grads=trace.final())}
    assert final["x"] == pytest.approx(2.4)


@needs_dot
def test_a_picture_is_laid_out_once_and_refilled_for_any_point():
    from lessons.viz import fill, picture

    def at(v):
        x = Tensor([v], label="x")
        y = x * x * x + x
        y.label = "x*x*x+x"
        y.backward()
        return y

    first, second = at(1.2), at(-0.5)
    svg = picture(first)
    assert svg == picture(second)  # the layout does not depend on the numbers
    drawn = fill(svg, graph_nodes(second))
    assert ">value -0.625<" in drawn and ">grad 1.75<" in drawn
    assert "\ue000" not in drawn  # every slot filled
    assert ">value 2.928<" in fill(svg, graph_nodes(first))


@needs_dot
def test_a_label_cannot_forge_a_slot():
    from lessons.viz import fill, picture

    mark = "\ue000"  # what marks a slot: no label can carry it into the picture
    x = Tensor([2.0], label=f"{mark}n0v{mark} @n0v@ <b>")
    y = x * 3.0
    y.label = f"{mark}n1g{mark}"
    y.backward()
    drawn = fill(picture(y), graph_nodes(y))
    assert "@n0v@ &lt;b&gt;" in drawn and ">&#160;n1g&#160;<" in drawn.replace(" ", "&#160;")  # text, not slots
    assert ">value 2<" in drawn and mark not in drawn


def test_picture_without_dot_gives_none(monkeypatch):
    from lessons.viz import picture

    without_graphviz(monkeypatch)
    assert picture(cubic()) is None
