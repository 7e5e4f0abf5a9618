"""Conditions written as text in a spreadsheet (`distance_km <= 5 et classe == oui`) to and from the JSON form."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<num>-?\d+(?:\.\d+)?)(?![\w.])
  | (?P<op><=|>=|!=|==|=|<|>|≤|≥|≠)
  | (?P<str>"(?:[^"]|"")*"|«[^»]*»)
  | (?P<punct>[(),\[\]])
  | (?P<word>[^\s()\[\],<>=!"«»≤≥≠]+)
""", re.VERBOSE)
_OPS = {"=": "==", "==": "==", "!=": "!=", "≠": "!=", "<": "<", "<=": "<=", "≤": "<=", ">": ">", ">=": ">=",
        "≥": ">="}
KEY_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_BARE_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
_AND, _OR, _NOT, _IN = ("et", "and"), ("ou", "or"), ("non", "not"), ("dans", "in")
_TRUE, _FALSE = ("oui", "vrai", "true"), ("non", "faux", "false")
_RESERVED = frozenset(_AND + _OR + _NOT + _IN + _TRUE + _FALSE)


class ExpressionError(ValueError):
    """A condition that cannot be read; the message says where and why, in French."""


class _Tok:
    __slots__ = ("kind", "text", "start", "end")

    def __init__(self, kind: str, text: str, start: int, end: int):
        self.kind, self.text, self.start, self.end = kind, text, start, end

    def word(self) -> str:
        return self.text.casefold() if self.kind == "word" else ""


def _tokens(text: str) -> list[_Tok]:
    out: list[_Tok] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            raise ExpressionError(f"caractère inattendu « {text[pos]} » (position {pos + 1})")
        if m.lastgroup != "space":
            out.append(_Tok(m.lastgroup or "", m.group(), m.start(), m.end()))
        pos = m.end()
    return out


class _Parser:
    def __init__(self, text: str):
        self.toks = _tokens(text)
        self.i = 0

    def peek(self) -> _Tok | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self) -> _Tok:
        tok = self.peek()
        if tok is None:
            raise ExpressionError("condition incomplète")
        self.i += 1
        return tok

    def expect(self, text: str) -> None:
        tok = self.peek()
        if tok is None or tok.text != text:
            found = f"« {tok.text} »" if tok else "la fin"
            raise ExpressionError(f"« {text} » attendu, trouvé {found}")
        self.i += 1

    def parse(self) -> dict[str, Any]:
        if not self.toks:
            raise ExpressionError("condition vide")
        cond = self.disjunction()
        tok = self.peek()
        if tok is not None:
            raise ExpressionError(f"« {tok.text} » inattendu : reliez les conditions par « et » ou « ou »")
        return cond

    def disjunction(self) -> dict[str, Any]:
        items = [self.conjunction()]
        while (tok := self.peek()) is not None and tok.word() in _OR:
            self.i += 1
            items.append(self.conjunction())
        return items[0] if len(items) == 1 else {"any": items}

    def conjunction(self) -> dict[str, Any]:
        items = [self.unary()]
        while (tok := self.peek()) is not None and tok.word() in _AND:
            self.i += 1
            items.append(self.unary())
        return items[0] if len(items) == 1 else {"all": items}

    def unary(self) -> dict[str, Any]:
        tok = self.peek()
        if tok is None:
            raise ExpressionError("condition incomplète après « et », « ou » ou « non »")
        if tok.word() in _NOT:
            self.i += 1
            return {"not": self.unary()}
        if tok.text == "(":
            self.i += 1
            inner = self.disjunction()
            self.expect(")")
            return inner
        return self.leaf()

    def leaf(self) -> dict[str, Any]:
        key = self.take()
        if key.kind != "word" or not KEY_RE.match(key.text) or key.word() in _RESERVED:
            raise ExpressionError(f"nom de clé de contexte attendu, trouvé « {key.text} »")
        op_tok = self.peek()
        if op_tok is not None and op_tok.word() in _IN:
            self.i += 1
            return {"key": key.text, "op": "in", "value": self.items()}
        if op_tok is None or op_tok.kind != "op":
            raise ExpressionError(f"opérateur attendu après « {key.text} » (==, !=, <, <=, >, >= ou dans)")
        self.i += 1
        return {"key": key.text, "op": _OPS[op_tok.text], "value": self.value(in_list=False)}

    def items(self) -> list[Any]:
        tok = self.take()
        closing = {"(": ")", "[": "]"}.get(tok.text)
        if closing is None:
            raise ExpressionError(f"liste entre parenthèses attendue après « dans », trouvé « {tok.text} »")
        values = [self.value(in_list=True)]
        while (nxt := self.peek()) is not None and nxt.text == ",":
            self.i += 1
            values.append(self.value(in_list=True))
        self.expect(closing)
        return values

    def value(self, *, in_list: bool) -> Any:
        tok = self.take()
        if tok.kind == "num":
            text = tok.text
            nxt = self.toks[self.i:self.i + 2]
            if (not in_list and len(nxt) == 2 and nxt[0].text == "," and nxt[1].kind == "num"
                    and nxt[0].start == tok.end and nxt[1].start == nxt[0].end and "." not in text):
                text = f"{text}.{nxt[1].text}"  # French decimal comma: 2,5
                self.i += 2
            return float(text) if "." in text else int(text)
        if tok.kind == "str":
            return tok.text[1:-1].replace('""', '"') if tok.text.startswith('"') else tok.text[1:-1].strip()
        if tok.kind == "word":
            if tok.word() in _TRUE:
                return True
            if tok.word() in _FALSE:
                return False
            return tok.text
        raise ExpressionError(f"valeur attendue, trouvé « {tok.text} »")


def parse_condition(text: str) -> dict[str, Any]:
    """`a <= 5 et (b == oui ou non c == x)` -> {"all": [...]}: `et` binds tighter than `ou`, parentheses group."""
    return _Parser(text).parse()


def _value_text(value: Any) -> str:
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, str):
        if _BARE_RE.match(value) and value.casefold() not in _RESERVED:
            return value
        return '"' + value.replace('"', '""') + '"'
    raise ValueError(f"valeur {value!r} non représentable")


def _group(cond: Mapping[str, Any]) -> str:
    text = format_condition(cond)
    return f"({text})" if "all" in cond or "any" in cond else text


def format_condition(cond: Mapping[str, Any]) -> str:
    """The text form of a JSON condition (ValueError when it has no text form, e.g. a value of another type)."""
    if "all" in cond:
        return " et ".join(_group(c) for c in cond["all"])
    if "any" in cond:
        return " ou ".join(_group(c) for c in cond["any"])
    if "not" in cond:
        return "non " + _group(cond["not"])
    key = cond["key"]
    if not isinstance(key, str) or not KEY_RE.match(key) or key.casefold() in _RESERVED:
        raise ValueError(f"clé {key!r} non représentable")
    if cond["op"] == "in":
        if not isinstance(cond["value"], list) or not cond["value"]:
            raise ValueError("liste vide")
        return f"{key} dans ({', '.join(_value_text(v) for v in cond['value'])})"
    return f"{key} {cond['op']} {_value_text(cond['value'])}"
