"""Everything a page shows, as text, and the Latin words in it that are neither maths nor code:
the test that no page run in Chinese shows an untranslated English label, caption or error.

`shown(at)` walks an AppTest run's element tree and collects every string a student can read:
every widget's label, help, placeholder and options, titles, captions, alerts, Markdown, metric
labels and values, tab and expander labels, table headers and cells, the Plotly figures' titles,
axes, legends, hover text and notes, the SVG pictures' text, and the live view's words, legend
and picture. Code blocks and LaTeX are left out (code and maths stay as written), and so are the
hidden copies of the controls that hold a code in the link (ui/links.py's named_choice).

`latin(text)` then removes what is code or maths by its form (`code spans`, $maths$, the user's
'quoted' text in an error message, Plotly's %{...} fields, HTML tags) and returns the words of
two or more Latin letters that are not on ALLOWED.
"""

from __future__ import annotations

import base64
import html
import json
import re
from collections.abc import Iterator

import pyarrow as pa
from apptest import blob as live_blob
from google.protobuf.message import Message

from lessons import catalog
from tinytorch.expr import CONSTANTS, FUNCTIONS
from ui import link_rules

# Latin words a Chinese page may show, each for a reason:
ALLOWED = frozenset(w.lower() for w in (
    # the expression language's functions and constants, which a student types (maths and code)
    *FUNCTIONS, *CONSTANTS, "nan", "inf",
    # names: the engine and the tools it names (tinytorch, numpy, PyTorch, PyPI, graphviz's dot, pip,
    # Python, Jupyter), file formats, the unit kB and keys on the keyboard
    "tinytorch", "numpy", "np", "pytorch", "pypi", "graphviz", "dot", "pip", "python", "jupyter",
    "svg", "csv", "kb", "ctrl", "home", "end",
    # the learning rate's symbol, as the formula x ← x − lr·f′(x) writes it; optimizers' names
    "lr", "adam", "sgd",
    # the other language, named in its own words by the language control
    "english",
    # the engine's op classes and methods, and the numpy functions its docstrings quote (code)
    *(op.name for op in catalog.operations()), "forward", "backward", "rule", "maximum", "sign", "where", "cond",
))
# In a note about the link, the link's own words: its parameters and the values it may hold.
LINK_WORDS = frozenset({*link_rules.LINK_PARAMS, "true", "false"})
LINK_NOTE_ICON = ":material/link_off:"

# What is code or maths by its form (removed before looking for words).
_CODE = re.compile("|".join((
    r"`[^`]*`", r"\$\$.*?\$\$", r"\$[^$]*\$",  # code spans, LaTeX
    r"%\{[^}]*\}", r"\{\w+\}", r"<[^>]+>", r"&\w+;",  # Plotly's fields, a template's, HTML
    r"'[^'\n]*'", r'"[^"\n]*"',  # the user's text, quoted in a message
    r":material/\w+:", r"[\w./-]+\.(?:py|js|md)\b",  # icons, file names
    r"\bd\w?/d\w+", r"U\+[0-9A-F]{4,6}",  # derivatives written out (d/da, df/dx), a character's code
)), re.S)
_WORD = re.compile(r"(?<![A-Za-z])[A-Za-z]{2,}(?![A-Za-z])")
# Proto fields that hold words a student reads (the rest are ids, keys, formats, icons, code).
_SHOWN_FIELDS = frozenset({"label", "body", "help", "placeholder", "options", "content", "caption", "alt",
                           "title", "text"})
_SKIPPED_TYPES = frozenset({"code", "latex", "html"})  # code, maths, and our own CSS


def latin(text: str, allowed: frozenset[str] = ALLOWED) -> list[str]:
    """The Latin words of `text` outside code and maths that are not allowed."""
    plain = _CODE.sub(" ", text)
    return [w for w in _WORD.findall(plain) if w.lower() not in allowed]


def _strings(message: Message, fields=_SHOWN_FIELDS) -> Iterator[str]:
    for field, value in message.ListFields():
        for item in (value if field.is_repeated else [value]):
            if isinstance(item, Message):
                yield from _strings(item, fields)
            elif isinstance(item, str) and field.name in fields:
                yield item


def _figure_text(figure: dict) -> Iterator[str]:
    """A Plotly figure's words: trace names, hover templates and text, titles, axes, annotations."""
    def title(t):
        return t.get("text", "") if isinstance(t, dict) else (t or "")

    for trace in figure.get("data", []):
        yield trace.get("name", "") or ""
        yield trace.get("hovertemplate", "") or ""
        colorbar = trace.get("colorbar", {})
        yield title(colorbar.get("title"))
    layout = figure.get("layout", {})
    yield title(layout.get("title"))
    for key, axis in layout.items():
        if key.startswith(("xaxis", "yaxis")) and isinstance(axis, dict):
            yield title(axis.get("title"))
    for note in layout.get("annotations", []):
        yield note.get("text", "") or ""


def _svg_text(svg: str) -> Iterator[str]:
    for text in re.findall(r"<text[^>]*>(.*?)</text>", svg, re.S):
        yield html.unescape(re.sub(r"<[^>]+>", "", text))


def _words(value) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _words(v)
    elif isinstance(value, list):
        for v in value:
            yield from _words(v)


def _element_text(at, node) -> Iterator[str]:
    proto = node.proto
    kind = node.type
    if kind == "plotly_chart":
        yield from _figure_text(json.loads(proto.spec))
    elif kind == "image":
        for img in proto.imgs:
            yield img.caption
            if img.url.startswith("data:image/svg+xml;base64,"):
                yield from _svg_text(base64.b64decode(img.url.split(",", 1)[1]).decode("utf-8"))
    elif kind == "dataframe":
        table = pa.ipc.open_stream(proto.arrow_data.data).read_all()
        yield from (name for name in table.column_names if not name.startswith("__"))
        for column in table.columns:
            if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
                yield from (v for v in column.to_pylist() if v)
    elif kind == "bidi_component":
        if proto.WhichOneof("data") == "json":
            data = json.loads(proto.json)
            yield from _words(data.get("words", {}))
            for mark in data.get("point", {}).get("marks", {}).values():
                yield mark.get("name", "")
            header = live_blob(at, data["blob"])[0] if "blob" in data else {}
            if "figure" in header:
                yield from _figure_text(header["figure"])
            yield from _svg_text(header.get("svg", "").replace("\ue000", " "))
    elif kind == "graphviz_chart":
        yield from re.findall(r'label=<?"?([^">]*)', proto.spec)
    elif kind not in _SKIPPED_TYPES:
        yield from _strings(proto)


def shown(at) -> list[tuple[str, str]]:
    """(element type, text) for every text the run shows (see the module docstring)."""
    found: list[tuple[str, str]] = []

    def walk(node, hidden: bool) -> None:
        block_id = getattr(getattr(node, "proto", None), "id", "") if node.type == "flex_container" else ""
        hidden = hidden or "tt-hidden-" in block_id
        proto = getattr(node, "proto", None)
        if not hidden and isinstance(proto, Message) and node.type not in ("flex_container", "column"):
            kind = node.type
            if kind == "alert" or getattr(proto, "icon", "") == LINK_NOTE_ICON:
                kind = "link note" if getattr(proto, "icon", "") == LINK_NOTE_ICON else kind
            found.extend((kind, text) for text in _element_text(at, node) if text)
        for child in getattr(node, "children", {}).values():
            walk(child, hidden)

    walk(at._tree, False)
    return found


def untranslated(at) -> list[tuple[str, str, list[str]]]:
    """(element type, text, its words not allowed) for each text of the run with Latin words."""
    bad = []
    for kind, text in shown(at):
        words = latin(text, ALLOWED | LINK_WORDS if kind == "link note" else ALLOWED)
        if words:
            bad.append((kind, text, words))
    return bad
