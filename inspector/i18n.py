"""One translation mechanism for the core (CLI, reports, domain messages): message codes to French or English."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

DEFAULT_LANGUAGE = "fr"
LANGUAGES = ("fr", "en")

_CATALOGUE: dict[str, dict[str, str]] = {}


def register(code: str, fr: str, en: str) -> None:
    """Declare a message in both languages (French is the reference wording)."""
    _CATALOGUE[code] = {"fr": fr, "en": en}


def number(value: Any, lang: str = DEFAULT_LANGUAGE) -> str:
    """A number for people: no useless trailing zeros, decimal comma in French."""
    if isinstance(value, Decimal):
        text = format(value.normalize(), "f") if value == value.to_integral_value() else format(value, "f")
        if "." in text:
            text = text.rstrip("0").rstrip(".")
    elif isinstance(value, float):
        text = f"{value:.2f}".rstrip("0").rstrip(".")
    else:
        text = str(value)
    return text.replace(".", ",") if lang == "fr" else text


def tr(code: str, lang: str = DEFAULT_LANGUAGE, **params: Any) -> str:
    """Render a message; numbers are formatted for the language."""
    entry = _CATALOGUE[code]
    template = entry.get(lang) or entry[DEFAULT_LANGUAGE]
    shown = {k: number(v, lang) if isinstance(v, (Decimal, float, int)) and not isinstance(v, bool) else v
             for k, v in params.items()}
    return template.format(**shown)
