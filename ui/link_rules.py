"""How a link's values are read: every control bound to the URL, declared once, and the rules
that check each value before its widget reads it.

A link is untrusted text. A value that cannot be used gets a note naming the parameter and saying
what is used instead, and never reaches Streamlit (whose int(inf) crashed the descent page).
No Streamlit here: ui/links.py binds these rules to the widgets; tests/test_links.py tests them.
"""

from __future__ import annotations

import math
from types import MappingProxyType
from typing import NamedTuple

from lessons import datasets, descent, i18n, network_graph, training
from lessons.i18n import N_, _
from lessons.viz import format_number
from tinytorch import nn
from tinytorch.expr import MAX_LENGTH
from ui import view

NUMBER, WHOLE, TEXT, SWITCH, CHOICE = "number", "whole number", "text", "switch", "choice"
MAX_LINK_TEXT = 4 * MAX_LENGTH  # a link's text is cut here: the parser says TOO_LONG, without megabytes in the box
# A function box holds as much as a link may bring, no more: the browser takes no key and no paste
# beyond it (and Streamlit cuts what any other client sends), so no megabyte of text reaches
# Streamlit, which would drop the connection over 1 MB; the parser says TOO_LONG past MAX_LENGTH.
MAX_BOX_TEXT = MAX_LINK_TEXT
BOX_FULL = N_("The box is full: it takes at most {limit} characters.")
SHOWN_CHOICES = 6  # a note names at most this many of the choices
_TRUE, _FALSE = frozenset({"true", "1", "yes", "on"}), frozenset({"false", "0", "no", "off"})


class LinkParam(NamedTuple):
    """One control bound to the URL: its key (= the parameter), what it holds, its default, the
    pages that read it, and its bounds (None: no bound here, or one the page gives at run time,
    like x's range or the number of backprop steps). `choices`: a CHOICE's options (empty: the
    page's), or the only numbers a NUMBER or WHOLE control offers (a select slider's steps)."""

    key: str
    kind: str
    default: object
    pages: tuple[str, ...]
    low: float | None = None
    high: float | None = None
    choices: tuple = ()


_NET = view.NETWORK_DEFAULTS
LINK_PARAMS = MappingProxyType({p.key: p for p in (
    LinkParam(view.FUNCTION, TEXT, view.DEFAULT_FUNCTION, (view.PLAYGROUND, view.BACKPROP)),
    # x's bounds: the page's range
    LinkParam(view.POINT, NUMBER, view.DEFAULT_X, (view.PLAYGROUND, view.BACKPROP, view.TWO_VARIABLES)),
    LinkParam(view.LOW, NUMBER, view.DEFAULT_RANGE[0], view.F_PAGES),  # lo and hi are checked together: read_range
    LinkParam(view.HIGH, NUMBER, view.DEFAULT_RANGE[1], view.F_PAGES),
    LinkParam(view.Y_LOW, NUMBER, None, (view.PLAYGROUND, view.BACKPROP)),  # None: automatic (checked_y_range)
    LinkParam(view.Y_HIGH, NUMBER, None, (view.PLAYGROUND, view.BACKPROP)),
    LinkParam(view.SECOND, SWITCH, False, (view.PLAYGROUND, view.BACKPROP)),
    LinkParam(view.CHECK, SWITCH, False, (view.PLAYGROUND, view.BACKPROP)),
    LinkParam(view.PRESENT, SWITCH, False, tuple(page.path for page in view.PAGES)),  # the entry script's toggle
    # the entry script's control; default: the browser's language (ui/language.py), English if none
    LinkParam(view.LANG, CHOICE, i18n.DEFAULT, tuple(page.path for page in view.PAGES), choices=i18n.LANGUAGES),
    LinkParam(view.TABLE, SWITCH, False, (view.PLAYGROUND,)),
    LinkParam(view.STEP, WHOLE, 0, (view.BACKPROP,), low=0),  # high: the number of steps of the function's pass
    LinkParam(view.FUNCTION_XY, TEXT, view.DEFAULT_FUNCTION_XY, (view.TWO_VARIABLES,)),
    LinkParam(view.POINT_Y, NUMBER, view.DEFAULT_Y, (view.TWO_VARIABLES,), *view.XY_RANGE),
    LinkParam(view.FUNCTION_DESCENT, TEXT, view.DEFAULT_DESCENT_FUNCTION, (view.DESCENT,)),
    LinkParam(view.START, NUMBER, view.DEFAULT_START, (view.DESCENT,), -descent.MAX_START, descent.MAX_START),
    LinkParam(view.RATE, NUMBER, view.DEFAULT_RATE, (view.DESCENT,), descent.MIN_LR, descent.MAX_LR),
    LinkParam(view.STEPS, WHOLE, view.DEFAULT_DESCENT_STEPS, (view.DESCENT,), 1, descent.MAX_STEPS),
    LinkParam(view.DATASET, CHOICE, _NET.data, (view.NETWORK,), choices=datasets.DATASETS),
    LinkParam(view.NOISE, NUMBER, _NET.noise, (view.NETWORK,), 0.0, view.MAX_NOISE),
    LinkParam(view.TRAIN_SHARE, WHOLE, _NET.train_share, (view.NETWORK,), choices=training.TRAIN_SHARES),
    LinkParam(view.SEED, WHOLE, _NET.seed, (view.NETWORK,), 0, training.MAX_SEED),
    LinkParam(view.LAYERS, WHOLE, _NET.layers, (view.NETWORK,), 0, training.MAX_LAYERS),
    LinkParam(view.UNITS, WHOLE, _NET.units, (view.NETWORK,), 1, training.MAX_UNITS),
    LinkParam(view.ACTIVATION, CHOICE, _NET.activation, (view.NETWORK,), choices=tuple(nn.ACTIVATIONS)),
    LinkParam(view.OPTIMIZER, CHOICE, _NET.optimizer, (view.NETWORK,), choices=tuple(nn.OPTIMIZERS)),
    LinkParam(view.NETWORK_RATE, NUMBER, _NET.lr, (view.NETWORK,), choices=training.LEARNING_RATES),
    LinkParam(view.L2, NUMBER, _NET.l2, (view.NETWORK,), choices=training.L2_RATES),
    LinkParam(view.BATCH, WHOLE, _NET.batch, (view.NETWORK,), 1, training.MAX_BATCH),
    LinkParam(view.EDGES, CHOICE, network_graph.SHOWS[0], (view.NETWORK,), choices=network_graph.SHOWS),
    LinkParam(view.OPERATION, CHOICE, None, (view.OPERATIONS,)),  # choices and default: the engine's ops
)})


class LinkValue(NamedTuple):
    """What a control starts from, given the link's values for it. `replace`: the link's text is
    not what Streamlit would read as this value (a bad value, a repeat, "1" for true, -0), so the
    control must start from `value` instead; `note` says so when the link asked for something else."""

    value: object
    note: str | None = None
    replace: bool = False


def _plain(v: float) -> str:
    """A number as a note writes it: 1.2, 0.0001, 1,000,000 (not 1e+06), ∞."""
    return f"{int(v):,}" if math.isfinite(v) and v == int(v) and abs(v) < 1e15 else format_number(v)


def shown(param: LinkParam, value: object) -> str:
    """A control's value as a note writes it: 1.2, 50, on, moons, automatic (an empty box)."""
    if value is None:
        return _("automatic")
    if param.kind == SWITCH:
        return _("on") if value else _("off")
    if param.kind in (NUMBER, WHOLE):
        return _plain(value)
    return str(value)


def _bounds(param: LinkParam, low: float | None, high: float | None) -> tuple[float | None, float | None]:
    return (param.low if low is None else low), (param.high if high is None else high)


def _number(text: str, whole: bool) -> float | int | None:
    """The text as a finite number (an int for a whole one), or None. -0 reads as 0."""
    try:
        v = float(text)
    except ValueError:
        return None
    if not math.isfinite(v) or (whole and v != int(v)):
        return None
    return int(v) if whole else v + 0.0


def _between(low: float | None, high: float | None) -> str:
    if low is not None and high is not None:
        return _("is not between {low} and {high}").format(low=_plain(low), high=_plain(high))
    return (_("is not at least {low}").format(low=_plain(low)) if low is not None
            else _("is not at most {high}").format(high=_plain(high)))


def _problem(param: LinkParam, text: str, low, high, choices) -> tuple[object, str | None, bool]:
    """(value, why it cannot be used or None, whether Streamlit would read the text differently)."""
    kind = param.kind
    if kind == TEXT:
        if len(text) > MAX_LINK_TEXT:
            return text[:MAX_LINK_TEXT], _("is longer than {limit} characters: it is cut there").format(
                limit=i18n.count(MAX_LINK_TEXT)), True
        return text, None, False
    if kind == SWITCH:
        word = text.strip().lower()
        if word in _TRUE | _FALSE:
            return word in _TRUE, None, word not in ("true", "false")
        return None, _("is neither on nor off (true or false)"), True
    if kind == CHOICE:
        options = choices or param.choices
        if text in options:
            return text, None, False
        named = ", ".join(options[:SHOWN_CHOICES]) + (", …" if len(options) > SHOWN_CHOICES else "")
        return None, _("is not one of {choices}").format(choices=named), True
    whole = kind == WHOLE
    v = _number(text, whole)
    if v is None:
        return None, _("is not a whole number") if whole else _("is not an ordinary number"), True
    if (low is not None and v < low) or (high is not None and v > high):
        return None, f"= {shown(param, v)} {_between(low, high)}", True
    if param.choices:  # a select slider's steps: only those, written as the slider writes them
        if v not in param.choices:
            named = ", ".join(_plain(c) for c in param.choices[:SHOWN_CHOICES])
            more = ", …" if len(param.choices) > SHOWN_CHOICES else ""
            return None, f"= {shown(param, v)} " + _("is not one of {choices}").format(choices=named + more), True
        return v, None, text != link_text(param, v)
    return v, None, text.strip() != text or (not whole and v == 0 and text.lstrip().startswith("-"))


def link_text(param: LinkParam, value: object) -> str:
    """How the URL writes a control's value: true, 1.2, 50, moons (as the control itself does)."""
    if param.kind == SWITCH:
        return "true" if value else "false"
    if param.kind == NUMBER:
        return f"{value:g}" if param.choices else repr(float(value))
    return str(value)


def read_link(param: LinkParam, values: list[str], *, low: float | None = None, high: float | None = None,
              choices: tuple[str, ...] = (), fallback: object = None) -> LinkValue:
    """What the control keyed `param.key` starts from when the link gives it `values` (the text
    of each time the parameter appears). `low`/`high` and `choices` override the registry's;
    `fallback` (else the default) is used in place of a value that cannot be. No note for a
    value that can be used as it is."""
    used = param.default if fallback is None else fallback
    if not values:
        return LinkValue(used)
    low, high = _bounds(param, low, high)
    value, why, replace = _problem(param, values[-1], low, high, choices)
    name = param.key
    if why is not None and value is None:
        return LinkValue(used, _("The link's {name} {why}: using {name} = {value} instead.").format(
            name=name, why=why, value=shown(param, used)), True)
    if why is not None:
        return LinkValue(value, _("The link's {name} {why}.").format(name=name, why=why), True)
    if len(values) > 1:
        return LinkValue(value, _("The link gives {name} {times} times: using the last, {name} = {value}.").format(
            name=name, times=i18n.count(len(values)), value=shown(param, value)), True)
    return LinkValue(value, None, replace)


def read_range(lo_values: list[str], hi_values: list[str],
               fallback: tuple[float, float] = view.DEFAULT_RANGE) -> tuple[tuple[float, float], list[str], bool]:
    """The plot range a link's lo and hi give (`fallback` for one it lacks), its notes, and
    whether the controls must start from it rather than from the link. Any float is read here,
    inf and nan too, so that view.checked_range's own message (RANGE_NOT_FINITE...) says what is wrong."""
    notes, asked, replace = [], [], False
    for param, values, default in ((LINK_PARAMS[view.LOW], lo_values, fallback[0]),
                                   (LINK_PARAMS[view.HIGH], hi_values, fallback[1])):
        if len(values) > 1:
            notes.append(_("The link gives {name} {times} times: using the last.").format(
                name=param.key, times=i18n.count(len(values))))
        try:
            asked.append(float(values[-1]) + 0.0 if values else default)
        except ValueError:
            notes.append(_("The link's {name} is not a number: using {name} = {value} instead.").format(
                name=param.key, value=_plain(default)))
            asked.append(default)
        replace |= len(values) > 1 or bool(notes)
    (lo, hi), problem = view.checked_range(*asked)
    if problem is not None:
        notes.append(_("The link's plot range, {lo_name} = {lo} and {hi_name} = {hi}, cannot be used: {problem} "
                       "Using {used_lo} to {used_hi} instead.").format(
            lo_name=view.LOW, lo=_plain(asked[0]), hi_name=view.HIGH, hi=_plain(asked[1]), problem=problem,
            used_lo=_plain(lo), used_hi=_plain(hi)))
        replace = True
    return (lo, hi), notes, replace
