"""Reading people's text: what is safe to store, which script it is in, which client language."""

from __future__ import annotations

from core.types import Language

_CONTROL = str.maketrans({code: None for code in (*range(0, 9), 11, 12, *range(14, 32), 127)})


def clean_text(text: str) -> str:
    """Text safe to store and show: lone surrogates become U+FFFD, control characters go."""
    text = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return text.translate(_CONTROL).strip()


def script_language(text: str) -> Language | None:
    """ "ru" when Cyrillic letters outnumber Latin ones, "en" for the reverse, else None."""
    cyrillic = sum(1 for c in text if "а" <= c.lower() <= "я" or c in "ёЁ")
    latin = sum(1 for c in text if "a" <= c.lower() <= "z")
    if cyrillic == latin == 0:
        return None
    return "ru" if cyrillic > latin else "en"


def client_language(code: str | None) -> Language | None:
    """The language of a platform client code ("ru", "en-US", "uk"…), if we speak it."""
    if not code:
        return None
    base = code.lower().split("-")[0].split("_")[0]
    if base in ("ru", "uk", "be", "kk"):
        return "ru"
    if base == "en":
        return "en"
    return None
