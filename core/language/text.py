"""Reading people's text: what is safe to store, which script it is in, which client language.

The one home of these rules: the service, the bridges and the voice's training data all
read scripts and look-alike letters the same way.
"""

from __future__ import annotations

import regex

from core.types import Language

_CYRILLIC = regex.compile(r"\p{Cyrillic}")
_LATIN = regex.compile(r"\p{Latin}")

# Letters that look alike in both scripts: a word written mostly in one script with a stray
# letter of the other (a common slip on a two-layout keyboard) is read in its main script.
TO_CYRILLIC = str.maketrans("aeopcxyk", "аеорсхук")
TO_LATIN = str.maketrans("аеорсхук", "aeopcxyk")

_CONTROL = str.maketrans({code: None for code in (*range(0, 9), 11, 12, *range(14, 32), 127)})
# Lone surrogates and format characters (zero-width spaces, bidi overrides, soft hyphens, BOM)
# are invisible and can reorder what a reader sees; zero-width joiners survive only between
# non-letters, where they hold emoji and glyph sequences together.
INVISIBLE = regex.compile(r"[[\p{Cs}\p{Cf}]--[\u200d]]|(?<=\p{L})\u200d|\u200d(?=\p{L})", regex.V1)


def clean_text(text: str) -> str:
    """Text safe to store, show and echo: lone surrogates become U+FFFD, control and
    invisible format characters go."""
    text = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return INVISIBLE.sub("", text.translate(_CONTROL)).strip()


def script_language(text: str) -> Language | None:
    """ "ru" when Cyrillic letters outnumber Latin ones, "en" for the reverse or a tie, None
    without any letter of either script."""
    cyrillic = len(_CYRILLIC.findall(text))
    latin = len(_LATIN.findall(text))
    if cyrillic == latin == 0:
        return None
    return "ru" if cyrillic > latin else "en"


def detect_language(text: str) -> Language:
    """The script's language, English when the text has no letters of either."""
    return script_language(text) or "en"


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
