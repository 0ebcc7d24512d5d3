"""The playground's safe expression language: text typed by anyone becomes a tinytorch graph.

    >>> from tinytorch import Tensor
    >>> from tinytorch.expr import parse
    >>> f = parse("x^3 + 2x")
    >>> f.text
    'x^3+2x'
    >>> y = f(x=Tensor([1.2]))
    >>> y.backward()

Nothing the user types is ever run as Python. The text goes through three small stages:

1. `_tokenize` cuts it into numbers, names, operators and brackets, and refuses any character
   outside the language.
2. `_Parser` (recursive descent, one method per precedence level) checks the grammar and writes
   the expression as a post-order list of steps: operands first, then the operation that
   combines them. It recurses only where the text nests, and MAX_DEPTH bounds that.
3. `_render` walks the steps with a stack to write each step's text (the canonical form, the
   node labels, the Python snippet); `Expression.__call__` walks them with a stack of Tensors
   to build the graph. Neither recurses, so a long chain cannot exhaust a thread's stack.

Every mistake raises ExpressionError with a code, a position and a one-line message. The
grammar, the limits and the messages are described in docs/expression-language.md.
"""

from __future__ import annotations

import difflib
import keyword
import math
import operator
import string
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import NamedTuple

from . import functional as F
from .tensor import Tensor

__all__ = ["parse", "Expression", "ExpressionError", "ERROR_CODES", "FUNCTIONS", "CONSTANTS",
           "MAX_LENGTH", "MAX_DEPTH", "MAX_NODES", "MAX_NUMBER_LENGTH", "Listing", "N_", "Nn_", "Phrase"]

# ---- limits: each has its own error code ----------------------------------------------------

MAX_LENGTH = 300  # characters of text (TOO_LONG), checked before anything else
MAX_DEPTH = 32  # nesting of brackets, calls, signs and exponents (TOO_DEEP)
MAX_NODES = 150  # operations: + - * / ^, signs, calls, implicit products (TOO_COMPLEX)
MAX_NUMBER_LENGTH = 32  # characters in one number literal (BAD_NUMBER)

ERROR_CODES = ("EMPTY", "TOO_LONG", "BAD_CHAR", "BAD_NUMBER", "SYNTAX", "UNBALANCED", "UNKNOWN_NAME",
               "UNKNOWN_FUNCTION", "NOT_CALLABLE", "ARITY", "TOO_DEEP", "TOO_COMPLEX")

# Read-only tables: Streamlit serves sessions from threads, so nothing here may change.
FUNCTIONS = MappingProxyType({
    **{name: (1, getattr(F, name)) for name in (
        "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "exp", "log", "sqrt",
        "abs", "relu", "sigmoid", "softplus")},
    "max": (2, F.maximum),
    "min": (2, F.minimum),
})
CONSTANTS = MappingProxyType({"pi": math.pi, "e": math.e})


# ---- messages: English, and language-neutral for an app that translates them -----------------


def N_(template: str) -> str:
    """Marks a message template for translation (gettext's no-op: Babel extracts what it wraps)."""
    return template


def Nn_(singular: str, plural: str) -> tuple[str, str]:
    """Marks a message with a plural form (Babel extracts the pair, as for ngettext)."""
    return singular, plural


class Listing(NamedTuple):
    """Names in a message, joined as a list: "x, pi and e", or "x or y" (`conjunction` "or")."""

    items: tuple[str, ...]
    conjunction: str = "and"

    def __str__(self) -> str:
        items = list(self.items)
        return items[0] if len(items) == 1 else ", ".join(items[:-1]) + f" {self.conjunction} " + items[-1]


@dataclass(frozen=True)
class Phrase:
    """A message without its language: an English `template` with {name} fields, and `params`,
    the values of the fields (text quoted from the user, numbers, names, a Listing, or another
    Phrase). A message about a count has a `plural` template too, chosen when params[count] != 1.
    str() gives the English; an app translates the template and fills the same fields."""

    template: str
    params: Mapping[str, object] = field(default_factory=dict)
    plural: str | None = None
    count: str | None = None

    def __str__(self) -> str:
        template = self.plural if self.plural and self.params[self.count] != 1 else self.template
        return template.format(**{name: str(value) for name, value in self.params.items()})


def _say(template: str, **params) -> Phrase:
    return Phrase(template, params)


class ExpressionError(ValueError):
    """A mistake in the typed text: `.code` (one of ERROR_CODES), `.position` (0-based index
    into the text, or None) and a one-line `.message` that says how to fix it, in English.
    `.phrase` is the same message without its language (`.template` and `.params`), for an app
    that shows it in another; code and position are the same in every language."""

    def __init__(self, code: str, message: str | Phrase, position: int | None = None):
        phrase = message if isinstance(message, Phrase) else Phrase(message)
        super().__init__(str(phrase))
        self.code = code
        self.phrase = phrase
        self.message = str(phrase)
        self.position = position

    @property
    def template(self) -> str:
        return self.phrase.template

    @property
    def params(self) -> Mapping[str, object]:
        return self.phrase.params

    def __reduce__(self):  # picklable, so it survives caches and process boundaries
        return type(self), (self.code, self.phrase, self.position)


# ---- 1. tokens ------------------------------------------------------------------------------

_DIGITS = frozenset(string.digits)  # ASCII only: str.isdigit() would accept '٣'
_NAME_START = frozenset(string.ascii_letters + "_")
_NAME_CHARS = _NAME_START | _DIGITS
_SYMBOLS = frozenset("+-*/^(),")

_NUMBER, _NAME, _OPERATOR, _END = "number", "name", "operator", "end"  # token kinds; ( ) , are their own


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str
    text: str
    start: int

    @property
    def end(self) -> int:
        return self.start + len(self.text)


def _tokenize(text: str, names: frozenset[str]) -> list[_Token]:
    """The tokens of `text`, ending with an end token. A bad character is reported before a bad
    number, even when the number comes first, so the scan goes on after a bad number. `names`
    are the variables and constants (see _scan_number)."""
    tokens: list[_Token] = []
    bad_number: ExpressionError | None = None
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in " \t":
            i += 1
        elif c in _DIGITS or (c == "." and i + 1 < n and text[i + 1] in _DIGITS):
            end, error = _scan_number(text, i, names)
            bad_number = bad_number or error
            tokens.append(_Token(_NUMBER, text[i:end], i))
            i = end
        elif c in _NAME_START:
            end = i + 1
            while end < n and text[end] in _NAME_CHARS:
                end += 1
            tokens.append(_Token(_NAME, text[i:end], i))
            i = end
        elif text.startswith("**", i):
            tokens.append(_Token(_OPERATOR, "**", i))
            i += 2
        elif c in _SYMBOLS:
            tokens.append(_Token(c if c in "()," else _OPERATOR, c, i))
            i += 1
        else:
            raise _bad_character(c, i)
    if bad_number:
        raise bad_number
    tokens.append(_Token(_END, "", n))
    return tokens


def _scan_number(text: str, start: int, names: frozenset[str]) -> tuple[int, ExpressionError | None]:
    """Where the number at `start` ends, and what is wrong with it. A number is digits, an
    optional '.' and digits, then an optional exponent; 'e' starts an exponent only when digits
    follow, so 2e is 2 times e while 2e-1 is 0.2. `names` are the ones the expression knows
    (variables and constants), which may follow a number: 2x."""
    written_otherwise = _in_another_base(text, start, names) or _grouped(text, start, names)
    if written_otherwise:
        return written_otherwise
    n, i = len(text), start
    while i < n and text[i] in _DIGITS:
        i += 1
    if i < n and text[i] == ".":
        i += 1
        while i < n and text[i] in _DIGITS:
            i += 1
    if i < n and text[i] in "eE":
        j = i + 1 + (i + 1 < n and text[i + 1] in "+-")
        if j < n and text[j] in _DIGITS:
            i = j
            while i < n and text[i] in _DIGITS:
                i += 1
    if i + 1 < n and text[i] == "." and text[i + 1] in _DIGITS:  # 1.2.3 or 1e5.5
        exponent = "e" in text[start:i].lower()
        while i < n and (text[i] in _DIGITS or text[i] == "."):
            i += 1
        template = (N_("'{number}' is not a valid number: an exponent is a whole number.") if exponent
                    else N_("'{number}' is not a valid number: it has two decimal points."))
        return i, ExpressionError("BAD_NUMBER", _say(template, number=_short(text[start:i])), start)
    if i - start > MAX_NUMBER_LENGTH:
        return i, ExpressionError("BAD_NUMBER", _say(N_("This number is too long ({length} characters; the "
                                                        "limit is {limit})."),
                                                     length=i - start, limit=MAX_NUMBER_LENGTH), start)
    return i, None


_BASES = MappingProxyType({"x": (16, N_("hexadecimal")), "b": (2, N_("binary")), "o": (8, N_("octal"))})  # 0x10...


def _in_another_base(text: str, start: int, names: frozenset[str]) -> tuple[int, ExpressionError] | None:
    """0x10, 0b101 or 0o17, as in Python or C: numbers are decimal here, so say so and give the
    decimal. (0x alone is 0 times x, and 0xy is 0 times the name xy: only base digits count, and
    not when the letters after the 0 are a name the expression knows.)"""
    base = text[start + 1:start + 2].lower()
    if text[start] != "0" or base not in _BASES:
        return None
    end = start + 2
    while end < len(text) and text[end] in _NAME_CHARS:
        end += 1
    if text[start + 1:end] in names:
        return None
    radix, name = _BASES[base]
    try:
        value = int(text[start + 2:end].replace("_", ""), radix)  # 0x_ff, as Python allows
    except ValueError:  # no digits, or not all of that base: 0x_, 0xy, 0b12
        return None
    number, base = _short(text[start:end]), Phrase(name)
    try:
        message = _say(N_("'{number}' is written in {base}, which is not supported: write it in decimal, "
                          "as {decimal}."), number=number, base=base, decimal=_format_number(float(value)))
    except OverflowError:  # more than 1e308: too big for any number here
        message = _say(N_("'{number}' is written in {base}, which is not supported: write it in decimal."),
                       number=number, base=base)
    return end, ExpressionError("BAD_NUMBER", message, start)


def _grouped(text: str, start: int, names: frozenset[str]) -> tuple[int, ExpressionError] | None:
    """1_000 or 3.141_592: digits grouped with '_', as Python allows. Say to leave it out (unless
    the '_' starts a name the expression knows: 2_1 is 2 times a variable called _1)."""
    end, seen = start, False
    while end < len(text) and (text[end] in _DIGITS or text[end] == "." or
                               (text[end] == "_" and text[end + 1:end + 2] in _DIGITS)):
        if text[end] == "_" and not seen:
            name_end = end + 1
            while name_end < len(text) and text[name_end] in _NAME_CHARS:
                name_end += 1
            if text[end:name_end] in names:
                return None
            seen = True
        end += 1
    if not seen:
        return None
    plain = text[start:end].replace("_", "")
    if plain.count(".") <= 1:
        message = _say(N_("'{number}' has '_' between its digits, which numbers cannot have: write {plain}."),
                       number=_short(text[start:end]), plain=plain)
    else:
        message = _say(N_("'{number}' has '_' between its digits, which numbers cannot have: leave the '_' out."),
                       number=_short(text[start:end]))
    return end, ExpressionError("BAD_NUMBER", message, start)


_CHAR_HINTS = MappingProxyType({c: hint for chars, hint in (
    ("'\"", N_("Quotes are not part of the language: type only the formula.")),
    ("=", N_("Type only the right-hand side, for example x^2 rather than y = x^2.")),
    ("[]{}", N_("Use round brackets ( ) to group.")),
    (".", N_("A '.' can only be the decimal point of a number, as in 1.5.")),
    ("#", N_("Comments are not supported.")),
    ("!", N_("There is no factorial.")),
    ("%", N_("There is no percent sign: for 10 percent, write 10/100 or 0.1.")),
    (";:", N_("Type a single expression.")),
    ("<>", N_("Comparisons are not supported; max(a, b) and min(a, b) may help.")),
    ("|", N_("Write abs(x) for the absolute value.")),
    ("\u00d7\u00b7\u22c5\u2217", N_("Use * to multiply.")),
    ("\u00f7\u2215", N_("Use / to divide.")),
    ("\u2212\u2013\u2014", N_("Use the ordinary minus sign -.")),
    ("\u00b2\u00b3\u00b9\u2070\u2074\u2075\u2076\u2077\u2078\u2079", N_("Write powers with ^, as in x^2.")),
    ("\u03c0", N_("Write pi.")),
    ("\u221a", N_("Write sqrt(x).")),
) for c in chars})


def _bad_character(c: str, position: int) -> ExpressionError:
    # Anything but printable ASCII is shown by its code: lookalikes and invisible characters
    # (line breaks, direction marks) cannot be shown safely or told apart on screen.
    if c == "'":
        shown = "\"'\""
    elif " " < c < "\x7f":
        shown = f"'{c}'"
    else:
        shown = f"U+{ord(c):04X}"
    hint = Phrase(_CHAR_HINTS[c]) if c in _CHAR_HINTS else None
    if hint is None:
        plain = unicodedata.normalize("NFKC", c)
        if c.isspace():
            hint = Phrase(N_("Only spaces and tabs may separate the parts of an expression."))
        elif plain != c and plain.isascii() and plain.isprintable() and plain.strip():
            hint = _say(N_("It looks like '{plain}' but is another character: type a plain {plain}."), plain=plain)
        else:
            hint = Phrase(N_("Use only letters, digits, spaces and + - * / ^ ( ) , ."))
    return ExpressionError("BAD_CHAR", _say(N_("This character is not allowed: {character}. {hint}"),
                                            character=shown, hint=hint), position)


# ---- 2. parser: text -> post-order steps ----------------------------------------------------

# Step kinds (instructions). An operation takes `arity` results off the stack and pushes its own.
_PUSH_NUMBER, _PUSH_CONSTANT, _PUSH_VARIABLE = "push number", "push constant", "push variable"
_NEGATE, _BINARY, _CALL = "negate", "binary", "call"


@dataclass(frozen=True, slots=True)
class _Step:
    kind: str
    name: str  # the number's canonical text, the name, the operator (+ - * / ^) or the function
    arity: int = 0
    value: float = 0.0  # of a number or a constant


class _Parser:
    """Recursive descent over the grammar in docs/expression-language.md, one method per
    precedence level. Operators that chain (+ - * /) are loops; only brackets, calls, signs and
    exponents recurse, through `nested`, which stops at MAX_DEPTH."""

    def __init__(self, text: str, tokens: list[_Token], variables: tuple[str, ...]):
        self.text = text  # for messages that quote the user's operands
        self.tokens = tokens
        self.variables = variables
        self.i = 0
        self.steps: list[_Step] = []
        self.operations = 0
        self.depth = 0
        self.open: list[tuple[int, str | None]] = []  # the '(' not closed yet: position, function or None

    # -- token access --

    @property
    def tok(self) -> _Token:
        return self.tokens[self.i]

    @property
    def prev(self) -> _Token | None:
        return self.tokens[self.i - 1] if self.i else None

    def advance(self) -> _Token:
        self.i += 1
        return self.tokens[self.i - 1]

    def nested(self, token: _Token, parse):
        """Parse one level deeper. The parser's only recursion goes through here, so the
        Python stack grows with MAX_DEPTH at most, never with the length of the text."""
        if self.depth >= MAX_DEPTH:
            raise ExpressionError("TOO_DEEP", _say(N_("Too deeply nested (more than {limit} levels)."),
                                                   limit=MAX_DEPTH), token.start)
        self.depth += 1
        result = parse()
        self.depth -= 1
        return result

    def emit(self, kind: str, name: str, position: int, arity: int) -> None:
        self.operations += 1
        if self.operations > MAX_NODES:
            raise ExpressionError("TOO_COMPLEX", _say(N_("Too many operations (more than {limit}). "
                                                         "Try a shorter expression."), limit=MAX_NODES), position)
        self.steps.append(_Step(kind, name, arity))

    # -- grammar, lowest precedence first --

    def parse(self) -> list[_Step]:
        self.sum()
        if self.tok.kind != _END:
            self.unexpected_after_operand()
        return self.steps

    def sum(self) -> None:  # sum = product { ("+" | "-") product }
        self.product()
        while self.tok.text in ("+", "-"):
            op = self.advance()
            self.product()
            self.emit(_BINARY, op.text, op.start, 2)

    def product(self) -> None:  # product = signed { ("*" | "/") signed | implicit power }
        self.signed()
        while True:
            if self.tok.text in ("*", "/"):
                op = self.advance()
                self.signed()
                self.emit(_BINARY, op.text, op.start, 2)
            elif self.implicit_product():
                position = self.tok.start
                self.power()
                self.emit(_BINARY, "*", position, 2)
            else:
                return

    def implicit_product(self) -> bool:
        """A number immediately followed by a name or '(' multiplies: 2x, 2pi, 2(x+1)."""
        prev, tok = self.prev, self.tok
        return prev.kind == _NUMBER and tok.kind in (_NAME, "(") and tok.start == prev.end

    def signed(self) -> None:  # signed = ("+" | "-") signed | power
        sign = self.tok
        if sign.text not in ("+", "-"):
            self.power()
            return
        self.advance()
        self.nested(sign, self.signed)
        if sign.text == "-":  # a '+' sign changes nothing, so it builds nothing
            self.emit(_NEGATE, "-", sign.start, 1)

    def power(self) -> None:  # power = atom [ ("^" | "**") signed ], so 2^3^2 = 2^(3^2)
        self.atom()
        if self.tok.text in ("^", "**"):
            op = self.advance()
            self.nested(op, self.signed)
            self.emit(_BINARY, "^", op.start, 2)

    def atom(self) -> None:  # atom = number | name | call | "(" sum ")"
        tok = self.tok
        if tok.kind == _NUMBER:
            self.advance()
            value = float(tok.text)  # always float64; 1e999 is inf
            self.steps.append(_Step(_PUSH_NUMBER, _format_number(value), value=value))
        elif tok.kind == _NAME:
            self.name()
        elif tok.kind == "(":
            self.nested(tok, self.group)
        else:
            self.missing_operand()

    def name(self) -> None:
        tok = self.advance()
        name, called = tok.text, self.tok.kind == "("
        if name in FUNCTIONS:
            if not called:
                raise ExpressionError("SYNTAX", self.uncalled(name), tok.start)
            self.call(tok)
        elif called:
            raise self.not_a_function(tok)
        elif name in self.variables:
            self.steps.append(_Step(_PUSH_VARIABLE, name))
        elif name in CONSTANTS:
            self.steps.append(_Step(_PUSH_CONSTANT, name, value=CONSTANTS[name]))
        elif name.lower() in _FUNCTION_ALIASES:  # ln x
            fix = f"{_FUNCTION_ALIASES[name.lower()]}({self.argument()})"
            raise ExpressionError("UNKNOWN_NAME", _say(N_("Unknown name '{name}'. {suggestion}"), name=name,
                                                       suggestion=_say(_DID_YOU_MEAN, guess=fix)), tok.start)
        else:
            raise ExpressionError("UNKNOWN_NAME", _say(N_("Unknown name '{name}'. {suggestion}"), name=_short(name),
                                                       suggestion=_name_suggestion(name, self.variables)), tok.start)

    def argument(self) -> str:
        """What follows a function name written without brackets, for the fix: x in 'sin x'."""
        return self.tok.text if self.tok.kind in (_NAME, _NUMBER) else "..."

    def uncalled(self, name: str) -> Phrase:
        """A function name without its brackets: sin x, or sin^2(x) and sin^-1(x) as in a maths book."""
        power = self.tok.text in ("^", "**")
        if power and self.ahead(1).kind == _NUMBER and self.ahead(2).kind == "(":  # sin^2(x)
            fix = f"{name}{self.operand_at(self.i + 2)}^{self.ahead(1).text}"
            return _say(N_("A power of {name} goes after its brackets: write '{fix}'."), name=name, fix=fix)
        if power and self.ahead(1).text == "-" and self.ahead(2).text == "1" and self.ahead(3).kind == "(" \
                and "a" + name in FUNCTIONS:  # sin^-1(x): the inverse, not 1/sin
            return _say(N_("{name}^-1 is the inverse function, which is written a{name} here: write '{fix}'."),
                        name=name, fix=f"a{name}{self.operand_at(self.i + 3)}")
        return _say(N_("{name} is a function: write {fix}, with brackets."), name=name,
                    fix=f"{name}({self.argument()})")

    def ahead(self, k: int) -> _Token:
        """The token k places after the current one (the end, past it)."""
        return self.tokens[min(self.i + k, len(self.tokens) - 1)]

    def group(self) -> None:  # "(" sum ")"
        self.open.append((self.advance().start, None))
        self.sum()
        self.close()

    def arguments(self, function: str) -> tuple[int, list[str]]:  # "(" [ sum { "," sum } ] ")"
        """How many arguments there were, and the ones that look like a decimal comma (1,5)."""
        self.open.append((self.advance().start, function))
        count, commas = 0, []
        if self.tok.kind != ")":
            self.sum()
            count = 1
            while self.tok.kind == ",":
                if fix := self.decimal_comma():
                    commas.append(fix)
                self.advance()
                self.sum()
                count += 1
        self.close()
        return count, commas

    def call(self, name: _Token) -> None:  # call = function "(" [ sum { "," sum } ] ")"
        count, commas = self.nested(name, lambda: self.arguments(name.text))
        arity = FUNCTIONS[name.text][0]
        if count != arity:
            params = {"name": name.text, "arity": arity, "count": count}
            if commas and count - len(commas) == arity:  # sin(1,5): one number with a decimal comma
                forms = Nn_("{name} takes {arity} argument, got {count}. To write a decimal number, use a point: "
                            "{fix}.", "{name} takes {arity} arguments, got {count}. To write a decimal number, "
                            "use a point: {fix}.")
                params["fix"] = commas[0]
            else:
                forms = Nn_("{name} takes {arity} argument, got {count}.",
                            "{name} takes {arity} arguments, got {count}.")
            raise ExpressionError("ARITY", Phrase(forms[0], params, forms[1], "arity"), name.start)
        self.emit(_CALL, name.text, name.start, arity)

    def close(self) -> None:
        if self.tok.kind != ")":
            self.unexpected_after_operand()
        self.advance()
        self.open.pop()

    # -- the user's own words, for messages --

    def span(self, first: int, last: int) -> str:
        """The text of tokens first..last as typed (spaces and tabs as one space), shortened."""
        return _short(" ".join(self.text[self.tokens[first].start:self.tokens[last].end].split()))

    def closing(self, i: int) -> int:
        """The index of the ')' that closes the '(' at token i (or of the last token, if none does)."""
        depth = 0
        for j in range(i, len(self.tokens) - 1):
            depth += {"(": 1, ")": -1}.get(self.tokens[j].kind, 0)
            if depth == 0:
                return j
        return len(self.tokens) - 2

    def operand_at(self, i: int) -> str:
        """The operand that starts at token i, as typed: 2, x, (x+1), sin(x)."""
        last = i
        if self.tokens[i].kind == _NAME and self.tokens[i + 1].kind == "(":
            last = self.closing(i + 1)
        elif self.tokens[i].kind == "(":
            last = self.closing(i)
        return self.span(i, last)

    def operand_before(self, i: int) -> str:
        """The operand that ends just before token i, as typed: 2, x, (x+1), sin(x)."""
        last = first = i - 1
        if self.tokens[last].kind == ")":
            depth = 0
            for first in range(last, -1, -1):
                depth += {")": 1, "(": -1}.get(self.tokens[first].kind, 0)
                if depth == 0:
                    break
            if first and self.tokens[first - 1].kind == _NAME:  # a call: sin(x)
                first -= 1
        return self.span(first, last)

    def decimal_comma(self) -> str | None:
        """At a ',' between two numbers with nothing in between (1,5): what the user most
        likely meant, written with a point ('1.5'), or None."""
        prev, comma, after = self.prev, self.tok, self.tokens[self.i + 1]
        glued = prev.kind == _NUMBER and after.kind == _NUMBER and prev.end == comma.start == after.start - 1
        if glued and prev.text.isdigit() and after.text[0] in _DIGITS:
            return f"'{prev.text}.{after.text}'"
        return None

    # -- errors that need the parser's context --

    def not_a_function(self, tok: _Token) -> ExpressionError:
        name = tok.text
        if name in self.variables or name in CONSTANTS:
            template = (N_("'{name}' is a variable, not a function: to multiply, write '{fix}'.")
                        if name in self.variables else
                        N_("'{name}' is a constant, not a function: to multiply, write '{fix}'."))
            return ExpressionError("NOT_CALLABLE", _say(template, name=name, fix=f"{name}*{self.operand_at(self.i)}"),
                                   tok.start)
        return ExpressionError("UNKNOWN_FUNCTION", _say(N_("Unknown function '{name}'. {suggestion}"),
                                                        name=_short(name),
                                                        suggestion=_function_suggestion(name, self.operand_at(self.i))),
                               tok.start)

    def unexpected_after_operand(self):
        """After a complete operand comes an operator, a ')' or ',' that closes something, or
        the end. Anything else is explained here."""
        tok = self.tok
        if tok.kind == _END:
            raise ExpressionError("SYNTAX", _say(N_("Missing ')' to close the '(' at character {character}."),
                                                 character=self.open[-1][0] + 1), tok.start)
        if tok.kind == ")":
            raise ExpressionError("UNBALANCED", _NO_OPENING, tok.start)
        if tok.kind == ",":
            raise ExpressionError("SYNTAX", self.misplaced_comma(), tok.start)
        raise ExpressionError("SYNTAX", self.missing_operator(), tok.start)

    def misplaced_comma(self) -> Phrase:
        fix = self.decimal_comma()
        after = self.tokens[self.i + 1].text
        if fix and len(after) == 3 and after.isdigit() and len(self.prev.text) <= 3:  # 1,000: ambiguous
            return _say(N_("Numbers are written without ',': write '{whole}' for a whole number, or {fix} with a "
                           "decimal point."), whole=self.prev.text + after, fix=fix)
        if fix:
            return _say(N_("Decimal numbers are written with a point: write {fix}."), fix=fix)
        return Phrase(N_("A ',' can only separate the arguments of max(a, b) or min(a, b)."))

    def missing_operator(self) -> Phrase:
        """Two operands side by side: 2 x, x 2, (x+1)(x-1), 1 000. Quote both and the fix."""
        tok, prev = self.tok, self.prev
        a, b = self.operand_before(self.i), self.operand_at(self.i)
        spaced = tok.start > prev.end
        if prev.kind == _NUMBER and tok.kind == _NUMBER and spaced and _digit_group(prev.text, tok.text):
            groups = [prev.text]  # 12 345 678
            for t in self.tokens[self.i:]:
                if t.kind != _NUMBER or not _digit_group(groups[-1], t.text):
                    break
                groups.append(t.text)
            return _say(N_("Numbers cannot contain spaces: write '{number}' for one number, or put an operator "
                           "between '{a}' and '{b}'."), number=_short("".join(groups)), a=a, b=b)
        if prev.kind == _NUMBER and tok.kind in (_NAME, "(") and spaced:  # implicit products take no space
            if b.endswith("..."):  # a long operand is cut: then the fix in words
                template = N_("There is a space between '{a}' and '{b}': remove the space (or put * in its place) "
                              "to multiply.")
            elif b[0] in "eE":  # 2 e-1: 2e-1 is 0.2
                template = N_("There is a space between '{a}' and '{b}': write '{a}*{b}' to multiply.")
            else:
                template = N_("There is a space between '{a}' and '{b}': write '{a}{b}' or '{a}*{b}' to multiply.")
            return _say(template, a=a, b=b)
        call = self.open[-1][1] if self.open else None
        if call and FUNCTIONS[call][0] > 1:
            return _say(N_("Missing an operator between '{a}' and '{b}', such as * in '{a}*{b}', or a ',' between "
                           "the arguments of {call}."), a=a, b=b, call=call)
        return _say(N_("Missing an operator between '{a}' and '{b}', such as * in '{a}*{b}'."), a=a, b=b)

    def missing_operand(self):
        tok, prev = self.tok, self.prev
        if tok.kind == ")" and not self.open:
            raise ExpressionError("UNBALANCED", _NO_OPENING, tok.start)
        if tok.kind == _END:
            message = _say(N_("The expression ends too early: add something after '{before}'."), before=prev.text)
        elif prev is None:
            message = _say(N_("An expression cannot start with '{token}'."), token=tok.text)
        elif prev.kind == "(" and tok.kind == ")":
            message = Phrase(N_("Empty brackets: put an expression between '(' and ')'."))
        else:
            message = _say(N_("Expected a number, a name or '(' after '{before}', not '{token}'."), before=prev.text,
                           token=tok.text)
        raise ExpressionError("SYNTAX", message, tok.start)


# ---- suggestions ----------------------------------------------------------------------------

_FUNCTION_ALIASES = MappingProxyType({"ln": "log", "arcsin": "asin", "arccos": "acos", "arctan": "atan",
                                      "maximum": "max", "minimum": "min", "sqr": "sqrt"})
_NAME_HINTS = MappingProxyType({
    "inf": N_("Write 1e999 for infinity."), "infinity": N_("Write 1e999 for infinity."),
    "nan": N_("There is no 'not a number' constant."),
    "i": N_("Complex numbers are not supported."), "j": N_("Complex numbers are not supported."),
})
_DID_YOU_MEAN = N_("Did you mean {guess}?")
_NO_OPENING = Phrase(N_("This ')' has no matching '('."))


def _digit_group(before: str, after: str) -> bool:
    """1 000: digits grouped with a space, as in print."""
    return before.isdigit() and len(before) <= 3 and after.isdigit() and len(after) == 3


def _short(text: str, limit: int = 24) -> str:
    return text if len(text) <= limit else text[:limit] + "..."


def _close_match(name: str, candidates: Iterable[str]) -> str | None:
    candidates = list(candidates)
    for c in candidates:  # 'Sin' or 'PI': only the case is wrong
        if c.lower() == name.lower():
            return c
    close = difflib.get_close_matches(name, candidates, n=1)
    return close[0] if close else None


def _as_product(name: str, known: tuple[str, ...]) -> str | None:
    """'xy' -> 'x*y', 'pix' -> 'pi*x', 'x2' -> 'x*2': several names (or digits) glued together."""
    if len(name) > 16:
        return None
    ways: list[list[str] | None] = [[]] + [None] * len(name)  # ways[j]: name[:j] as known pieces
    for i in range(len(name)):
        if ways[i] is None:
            continue
        for j in range(i + 1, len(name) + 1):
            piece = name[i:j]
            if ways[j] is None and (piece in known or set(piece) <= _DIGITS):
                ways[j] = ways[i] + [piece]
    parts = ways[-1]
    return "*".join(parts) if parts and len(parts) > 1 else None


def _as_call(name: str, known: tuple[str, ...]) -> str | None:
    """'sinx' -> 'sin(x)', 'cos2x' -> 'cos(2*x)': a function name glued to its argument."""
    for f, (arity, _) in FUNCTIONS.items():
        rest = name[len(f):]
        if arity == 1 and rest and name.startswith(f):
            inner = rest if rest in known else _as_product(rest, known)
            if inner:
                return f"{f}({inner})"
    return None


def _name_suggestion(name: str, variables: tuple[str, ...]) -> Phrase:
    """'Did you mean ...?' for an unknown name, or a list of the names there are."""
    if name.lower() in _NAME_HINTS:
        return Phrase(_NAME_HINTS[name.lower()])
    known = variables + tuple(CONSTANTS)
    guess = _as_product(name, known) or _as_call(name, known) or _close_match(name, known + tuple(FUNCTIONS))
    stem = name.rstrip(string.digits)
    if stem in variables and stem != name:  # x2: x squared typed without the ^, or x times 2
        guess = Listing((f"{stem}^{name[len(stem):]}", str(guess)), "or")
    if guess is None and len(name) == 1 and variables:  # z: most likely meant the variable
        guess = Listing(variables, "or")
    if guess:
        return _say(_DID_YOU_MEAN, guess=guess)
    return _say(N_("The names you can use are {names}."), names=Listing(known))


_OTHER_BASES = MappingProxyType({"log10": "10", "lg": "10", "log2": "2", "lb": "2", "ld": "2"})


def _function_suggestion(name: str, arguments: str) -> Phrase:
    """What to write instead of an unknown function called with `arguments` (as typed: '(x)')."""
    guess = _FUNCTION_ALIASES.get(name.lower()) or _close_match(name, FUNCTIONS)
    if name.lower() == "pow":
        return Phrase(N_("Write a^b for a power."))
    if name.lower() in _OTHER_BASES:  # log10(x): 'Did you mean log?' would change its value
        base = _OTHER_BASES[name.lower()]
        return _say(N_("log is the natural logarithm: for base {base}, write '{fix}'."), base=base,
                    fix=f"log{arguments}/log({base})")
    if guess:
        return _say(_DID_YOU_MEAN, guess=guess)
    return _say(N_("The functions are {names}."), names=Listing(tuple(FUNCTIONS)))


# ---- 3. text of every step: canonical form, labels, Python ----------------------------------

_SUM, _PRODUCT, _UNARY, _POWER, _ATOM = 1, 2, 3, 4, 5
_PRECEDENCE = MappingProxyType({"+": _SUM, "-": _SUM, "*": _PRODUCT, "/": _PRODUCT, "^": _POWER})


def _format_number(value: float) -> str:
    """The shortest text that reads back as the same float, without '.0' and without '+' or
    leading zeros in the exponent: 2, 0.5, 1.5e-7, 1e16. Infinity (from 1e400) is 1e999."""
    if value == math.inf:
        return "1e999"
    mantissa, _, exponent = repr(value).partition("e")
    mantissa = mantissa.removesuffix(".0")
    return f"{mantissa}e{int(exponent)}" if exponent else mantissa


class _Piece(NamedTuple):
    text: str
    precedence: int
    is_number: bool  # a number literal (only these may start an implicit product)
    is_plain: bool  # Python mode: a plain Python number, not a Tensor


def _render(steps: Iterable[_Step]) -> list[_Piece]:
    """The canonical text of each step's sub-expression: x^3+2x, sin(x)*exp(-x^2), max(x,0)."""
    pieces: list[_Piece] = []
    stack: list[_Piece] = []
    for step in steps:
        args = stack[len(stack) - step.arity:]
        del stack[len(stack) - step.arity:]
        stack.append(_render_step(step, args, python=False))
        pieces.append(stack[-1])
    return pieces


def _render_step(step: _Step, args: list[_Piece], python: bool) -> _Piece:
    """One step's text from its inputs' texts, with the fewest brackets that keep its meaning:
    canonical (2x, max(x,0)) or, with python=True, tinytorch code (2*x, tt.maximum(x, 0))."""
    if step.kind == _PUSH_NUMBER:
        return _Piece(step.name, _ATOM, True, True)
    if step.kind == _PUSH_CONSTANT:
        return _Piece(f"math.{step.name}" if python else step.name, _ATOM, False, True)
    if step.kind == _PUSH_VARIABLE:
        return _Piece(step.name, _ATOM, False, False)
    if step.kind == _NEGATE:
        (a,) = args
        return _Piece("-" + _bracket(a.text, a.precedence < _UNARY), _UNARY, False, a.is_plain)
    if step.kind == _CALL:
        name = f"tt.{FUNCTIONS[step.name][1].__name__}" if python else step.name
        return _Piece(f"{name}({(', ' if python else ',').join(a.text for a in args)})", _ATOM, False, False)
    a, b = args
    return _binary(step.name, a, b, python)


def _binary(op: str, a: _Piece, b: _Piece, python: bool) -> _Piece:
    if python and a.is_plain and b.is_plain:
        # Two Python numbers would be combined by Python (9**9**9 as a huge int, 1/0 raising);
        # making one of them a Tensor lets tinytorch compute in float64, as parse() does.
        a = _constant_free(a)
    precedence = _PRECEDENCE[op]
    if op == "^":  # the base is an atom; the exponent may carry a sign: (-x)^2, 2^-x, 2^3^2
        left, right = a.precedence < _ATOM, b.precedence < _UNARY
    else:  # left associative: x-(y-z) keeps its brackets, (x-y)-z loses them
        left, right = a.precedence < precedence, b.precedence <= precedence
    lhs, rhs = _bracket(a.text, left), _bracket(b.text, right)
    if python:
        symbol = "**" if op == "^" else f" {op} "
    elif op == "*" and a.is_number and rhs[0] in "(" + string.ascii_letters and rhs[0] not in "eE":
        symbol = ""  # 2x, 2pi, 2sin(x), 2(x+1); but 2*e and 2*exp(x), since 2e-1 is a number
    else:
        symbol = op
    return _Piece(lhs + symbol + rhs, precedence, False, False)


def _bracket(text: str, needed: bool) -> str:
    return f"({text})" if needed else text


# ---- the Expression -------------------------------------------------------------------------

_OPERATIONS = MappingProxyType({
    "+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv, "^": operator.pow,
    **{name: fn for name, (_, fn) in FUNCTIONS.items()},
})
_RESERVED = frozenset({"tt", "Tensor", "math", "print"})  # names the Python snippet uses


@dataclass(frozen=True, slots=True, eq=False)
class Expression:
    """A parsed expression. Immutable and holds no Tensors: each call builds a fresh graph.

    `text` is the canonical form (parse(text) gives the same expression back) and `variables`
    the declared variable names. Equal canonical text and variables mean equal expressions.
    """

    text: str
    variables: tuple[str, ...]
    _steps: tuple[_Step, ...] = field(repr=False)
    _labels: tuple[str, ...] = field(repr=False)

    @property
    def node_count(self) -> int:
        """How many operations (graph nodes other than inputs and constants) a call builds."""
        return sum(1 for step in self._steps if step.arity)

    def __eq__(self, other) -> bool:
        if not isinstance(other, Expression):
            return NotImplemented
        return (self.text, self.variables) == (other.text, other.variables)

    def __hash__(self) -> int:
        return hash((self.text, self.variables))

    def __str__(self) -> str:
        return self.text

    def __call__(self, **values) -> Tensor:
        """Build the graph for these variable values (Tensors or numbers) and return its output.

        Each node's `label` is the text of the sub-expression it computes; numbers, pi and e
        become constant Tensors, and the variables' Tensors are labelled with their names.
        A sub-expression written twice is built once and used twice, as a programmer would
        name it: in (x^2+1)*sin(x^2+1) the node x^2+1 gets two edges, and backward adds up
        the gradients arriving along both. (Numbers are not shared: each is its own node.)
        """
        built: dict[str, Tensor] = {label: t for label, t in self._inputs(values).items()}
        stack: list[Tensor] = []
        for step, label in zip(self._steps, self._labels, strict=True):
            if step.arity:
                args = stack[-step.arity:]
                del stack[-step.arity:]
            if step.kind in (_PUSH_NUMBER, _PUSH_CONSTANT):  # each number its own node: tidier
                stack.append(Tensor.constant(step.value, label=label))
                continue
            if label not in built:
                out = operator.neg(*args) if step.kind == _NEGATE else _OPERATIONS[step.name](*args)
                out.label = label
                built[label] = out
            stack.append(built[label])
        return stack[0]

    def _inputs(self, values: dict) -> dict[str, Tensor]:
        missing = [name for name in self.variables if name not in values]
        unknown = [name for name in values if name not in self.variables]
        if missing or unknown:
            raise TypeError(f"expected values for {self.variables}, got {tuple(values)}")
        inputs = {}
        for name in self.variables:
            value = values[name]
            tensor = value if isinstance(value, Tensor) else Tensor(value)
            tensor.label = name
            inputs[name] = tensor
        return inputs

    def to_python(self, **values: float) -> str:
        """A short tinytorch script that builds the same graph at these values (1.0 by default),
        calls backward and prints the value and the gradients in full, as `python_output` says.

        The same graph: a sub-expression written twice gets a name (u = x^2+1), so that it is one
        node with two edges, as in the app, and its gradients add up in the same order. A variable
        that f does not use gets no gradient from backward (its .grad stays None), and the app
        shows 0 for it: so does the script, saying why.
        """
        out = _fresh("f", self.variables)
        used = {step.name for step in self._steps if step.kind == _PUSH_VARIABLE}
        body, temporaries = _python_body(self._steps, self._labels, taken={out, *self.variables})
        lines = [f"# {out}({', '.join(self.variables)}) = {self.text}"]
        if any(step.kind == _CALL for step in self._steps):
            lines.append("import tinytorch as tt")
        lines.append("from tinytorch import Tensor")
        if any(step.kind == _PUSH_CONSTANT for step in self._steps):
            lines.append("import math")
        lines.append("")
        for name in self.variables:
            value = float(values.get(name, 1.0))
            lines.append(f"{name} = Tensor([{value!r}])" if math.isfinite(value)
                         else f'{name} = Tensor([float("{value}")])')
        lines.extend(temporaries)
        lines.append(f"{out} = {body}")
        if used:
            lines.append(f"{out}.backward()")
        else:
            lines.append(f"# {out} does not depend on {' or '.join(self.variables)}: nothing to differentiate")
        label, derivatives = _printed_labels(out, self.variables)
        lines.append(f'print("{label}", {out}.item())')
        for name, printed in zip(self.variables, derivatives, strict=True):
            lines.append(f'print("{printed}", {name}.grad.item())' if name in used
                         else f'print("{printed}", 0.0)  # {name}.grad stays None: {out} does not use {name}')
        return "\n".join(lines) + "\n"

    def python_output(self, value: float, gradients: dict[str, float]) -> str:
        """What the script from `to_python` prints when f = `value` and its partial derivatives
        are `gradients` (by variable): every number in full, as Python prints a float."""
        label, derivatives = _printed_labels(_fresh("f", self.variables), self.variables)
        lines = [f"{label} {float(value)!r}"]
        lines.extend(f"{printed} {float(gradients[name])!r}"
                     for name, printed in zip(self.variables, derivatives, strict=True))
        return "\n".join(lines) + "\n"


def _fresh(name: str, taken) -> str:
    """`name`, with _ added until it is not taken (f_ when there is a variable called f)."""
    while name in taken:
        name += "_"
    return name


def _printed_labels(out: str, variables: tuple[str, ...]) -> tuple[str, list[str]]:
    """The script's print labels: 'f(x) =' and 'df/dx =' for each variable (ASCII: a console
    on any system can print them)."""
    return f"{out}({', '.join(variables)}) =", [f"d{out}/d{name} =" for name in variables]


def _python_body(steps: tuple[_Step, ...], labels: tuple[str, ...], taken: set[str]) -> tuple[str, list[str]]:
    """The Python expression of the output, and the lines that name what it uses more than once.

    Expression.__call__ builds a sub-expression written twice (the same label) once; here it
    becomes a named line, used by name. Uses are counted per distinct node, so in
    (x^2+1)*sin(x^2+1) only x^2+1 is named (x^2 inside it is built once, used once)."""
    arguments: dict[str, list[str]] = {}  # each operation's label -> the labels of its inputs
    stack: list[str] = []
    for step, label in zip(steps, labels, strict=True):
        inputs = stack[len(stack) - step.arity:]
        del stack[len(stack) - step.arity:]
        if step.arity:
            arguments.setdefault(label, inputs)
        stack.append(label)
    uses = Counter(label for inputs in arguments.values() for label in inputs if label in arguments)
    shared = {label for label, count in uses.items() if count > 1}

    names: dict[str, str] = {}
    lines: list[str] = []
    pieces: list[_Piece] = []
    for step, label in zip(steps, labels, strict=True):
        args = pieces[len(pieces) - step.arity:]
        del pieces[len(pieces) - step.arity:]
        if label in names:  # built already: use it (the pieces for its inputs were written again)
            pieces.append(_Piece(names[label], _ATOM, False, False))
            continue
        piece = _render_step(step, args, python=True)
        if label in shared:
            name = names[label] = _fresh(_TEMPORARIES[min(len(names), len(_TEMPORARIES) - 1)], taken)
            taken.add(name)
            times = "twice" if uses[label] == 2 else f"{uses[label]} times"
            lines.append(f"{name} = {_constant_free(piece).text}  # used {times}: one node, its gradients add up")
            piece = _Piece(name, _ATOM, False, False)
        pieces.append(piece)
    result = pieces[-1]
    return _constant_free(result).text, lines


_TEMPORARIES = ("u", "v", "w", "t")  # names for shared sub-expressions, then t_, t__, ...


def _constant_free(piece: _Piece) -> _Piece:
    """A plain Python number as a Tensor: '2' has no backward, and 2**3 would be Python's."""
    return _Piece(f"Tensor.constant({piece.text})", _ATOM, False, False) if piece.is_plain else piece


def parse(text: str, variables: Iterable[str] = ("x",)) -> Expression:
    """Check `text` and turn it into an Expression of the given variables.

    Raises ExpressionError for anything outside the language. The checks come in a fixed
    order: EMPTY, TOO_LONG, BAD_CHAR (the first bad character), then the rest from left to right.
    """
    if not isinstance(text, str):
        raise TypeError(f"expression text must be a str, not {type(text).__name__}")
    variables = _check_variables(variables)
    if not text.strip(" \t"):
        example = f"{variables[0]}^2+1" if variables else "2^10"
        raise ExpressionError("EMPTY", _say(N_("The expression is empty. Type a formula, for example {example}."),
                                            example=example))
    if len(text) > MAX_LENGTH:
        raise ExpressionError("TOO_LONG", _say(N_("The expression is too long ({length} characters; the limit is "
                                                  "{limit})."), length=len(text), limit=MAX_LENGTH), MAX_LENGTH)
    steps = tuple(_Parser(text, _tokenize(text, frozenset((*variables, *CONSTANTS))), variables).parse())
    labels = tuple(piece.text for piece in _render(steps))
    if len(labels[-1]) > MAX_LENGTH:  # share links must parse again
        raise ExpressionError("TOO_LONG", _say(N_("The expression is too long when written out in full "
                                                  "({length} characters; the limit is {limit})."),
                                               length=len(labels[-1]), limit=MAX_LENGTH))
    return Expression(labels[-1], variables, steps, labels)


def _check_variables(variables: Iterable[str]) -> tuple[str, ...]:
    """The app's variable names (a programmer's mistake here is a plain ValueError)."""
    names = (variables,) if isinstance(variables, str) else tuple(variables)
    for name in names:
        valid = isinstance(name, str) and name[:1] in _NAME_START and set(name) <= _NAME_CHARS
        taken = name in FUNCTIONS or name in CONSTANTS or name in _RESERVED or keyword.iskeyword(name)
        if not valid or taken:
            raise ValueError(f"{name!r} cannot be a variable name")
    if len(set(names)) != len(names):
        raise ValueError(f"variable names must differ: {names}")
    return names
