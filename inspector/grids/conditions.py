"""A tiny condition language over the visit context: {"key", "op", "value"} leaves combined by all/any/not."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

OPERATORS = ("==", "!=", "<", "<=", ">", ">=", "in")


def evaluate(cond: Mapping[str, Any], context: Mapping[str, Any]) -> bool:
    """Evaluate a validated condition; a key absent from the context makes a leaf false."""
    if "all" in cond:
        return all(evaluate(c, context) for c in cond["all"])
    if "any" in cond:
        return any(evaluate(c, context) for c in cond["any"])
    if "not" in cond:
        return not evaluate(cond["not"], context)
    value = context.get(cond["key"])
    if value is None:
        return False
    op, ref = cond["op"], cond["value"]
    if op == "==":
        return value == ref
    if op == "!=":
        return value != ref
    if op == "in":
        return value in ref
    if op == "<":
        return value < ref
    if op == "<=":
        return value <= ref
    if op == ">":
        return value > ref
    return value >= ref


def leaves(cond: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    """Every comparison (`{"key", "op", "value"}`) of a condition, through all/any/not."""
    for combinator in ("all", "any"):
        if combinator in cond:
            for c in cond[combinator]:
                yield from leaves(c)
            return
    if "not" in cond:
        yield from leaves(cond["not"])
        return
    yield cond


def keys(cond: Mapping[str, Any]) -> Iterator[str]:
    """Every context key a condition reads."""
    for leaf in leaves(cond):
        yield leaf["key"]


def check(cond: Any, where: str) -> list[str]:
    """Structural problems of a condition, each prefixed by `where`."""
    if not isinstance(cond, dict):
        return [f"{where}: une condition doit être un objet, pas {type(cond).__name__}"]
    if len(cond) == 1 and ("all" in cond or "any" in cond):
        items = next(iter(cond.values()))
        if not isinstance(items, list) or not items:
            return [f"{where}: 'all'/'any' attend une liste non vide de conditions"]
        problems: list[str] = []
        for i, c in enumerate(items):
            problems += check(c, f"{where}[{i}]")
        return problems
    if len(cond) == 1 and "not" in cond:
        return check(cond["not"], where)
    missing = {"key", "op", "value"} - set(cond)
    extra = set(cond) - {"key", "op", "value"}
    if missing or extra:
        parts = []
        if missing:
            parts.append("champs manquants " + ", ".join(sorted(missing)))
        if extra:
            parts.append("champs inconnus " + ", ".join(sorted(extra)))
        return [f"{where}: condition mal formée ({'; '.join(parts)})"]
    if cond["op"] not in OPERATORS:
        return [f"{where}: opérateur inconnu {cond['op']!r} (attendu : {', '.join(OPERATORS)})"]
    if cond["op"] == "in" and not isinstance(cond["value"], list):
        return [f"{where}: l'opérateur 'in' attend une liste"]
    return []


def describe(cond: Mapping[str, Any]) -> str:
    """A compact, readable rendering of a condition (for explanations and `grid show`)."""
    if "all" in cond:
        return " et ".join(describe(c) for c in cond["all"])
    if "any" in cond:
        return "(" + " ou ".join(describe(c) for c in cond["any"]) + ")"
    if "not" in cond:
        return f"non ({describe(cond['not'])})"
    value = cond["value"]
    if isinstance(value, bool):
        value = "oui" if value else "non"
    return f"{cond['key']} {cond['op']} {value}"
