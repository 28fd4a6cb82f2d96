"""Cleaning and cutting chat text into tokens: words, glyphs, foreign symbols, breaks.

Everything here is bounded: only the first ``MAX_CHARS`` characters of a message are read,
invisible and control characters are removed first, and the tokenizer is one compiled regex.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Literal

import regex

from core.errors import SilentGodError
from core.language.graphemes import normalize
from core.language.lexicon import Lexicon
from core.language.text import INVISIBLE, TO_CYRILLIC, TO_LATIN

from .morphology import fold_yo

MAX_CHARS = 2_000
"""Characters of one message the bridge analyses; the rest is ignored (reported in ``extra``)."""

TokenKind = Literal["word", "glyph", "foreign", "number", "break"]
Script = Literal["ru", "en", "other", ""]


class BridgeInputError(SilentGodError, ValueError):
    """Input a bridge cannot read at all (not text, an unknown language)."""


@dataclass(frozen=True, slots=True)
class Token:
    """One piece of a message.

    ``text`` is the surface as written (after cleaning); ``norm`` the lower-case form used for
    look-ups (ё folded to е, apostrophes unified); ``script`` the language a word is read in.
    """

    kind: TokenKind
    text: str
    norm: str = ""
    script: Script = ""


_CONTROL = regex.compile(r"[\p{Cc}\p{Zl}\p{Zp}]")
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'", "´": "'"})
_TOKEN = regex.compile(
    r"""
    (?P<word>[\p{L}\p{M}]+(?:['\-‐‑][\p{L}\p{M}]+)*(?:(?<=s)'(?!\p{L}))?)
  | (?P<number>\p{N}+)
  | (?P<space>\s+)
  | (?P<other>\X)
    """,
    regex.VERBOSE,
)
_CYRILLIC = regex.compile(r"\p{Cyrillic}")
_LATIN = regex.compile(r"\p{Latin}")


def clean(text: str) -> tuple[str, dict[str, object]]:
    """The analysed part of ``text``: cut to ``MAX_CHARS``, invisible characters removed.

    Returns the cleaned text and what was done (for ``BridgeResult.extra``).
    """
    if not isinstance(text, str):
        raise BridgeInputError(f"expected text (str), got {type(text).__name__}")
    info: dict[str, object] = {"max_chars": MAX_CHARS, "truncated": len(text) > MAX_CHARS}
    if len(text) > MAX_CHARS:
        cut = text[:MAX_CHARS]
        space = max(cut.rfind(" "), cut.rfind("\n"))
        # End on a word boundary when one is near, so no half word is reported unknown.
        text = cut[:space] if space > MAX_CHARS - 64 else cut
    text = INVISIBLE.sub("", text)
    text = _CONTROL.sub(" ", text)
    return normalize(text).translate(_APOSTROPHES), info


def script_of(word: str) -> Script:
    """The language a word is read in: "ru" (Cyrillic), "en" (Latin) or "other"."""
    cyrillic = len(_CYRILLIC.findall(word))
    latin = len(_LATIN.findall(word))
    if cyrillic > latin:
        return "ru"
    if latin > cyrillic:
        return "en"
    return "other" if not (cyrillic or latin) else "ru"


def _norm_word(word: str, script: Script) -> str:
    word = word.lower().replace("‐", "-").replace("‑", "-")
    if script == "ru":
        return fold_yo(word.translate(TO_CYRILLIC))
    if script == "en":
        return word.translate(TO_LATIN)
    return word


def tokenize(text: str, glyphs: frozenset[str]) -> list[Token]:
    """Tokens of cleaned text; a grapheme in ``glyphs`` is a glyph, any other symbol foreign."""
    tokens: list[Token] = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        piece = match.group()
        if kind == "word":
            script = script_of(piece)
            tokens.append(Token("word", piece, _norm_word(piece, script), script))
        elif kind == "number":
            tokens.append(Token("number", piece, piece))
        elif kind == "space":
            continue
        elif piece in glyphs:
            tokens.append(Token("glyph", piece, piece))
        elif _is_break(piece):
            if tokens and tokens[-1].kind == "break":
                continue
            tokens.append(Token("break", piece))
        else:
            tokens.append(Token("foreign", piece, piece))
    return tokens


def _is_break(grapheme: str) -> bool:
    """Punctuation and ASCII symbols separate words; other symbols are content."""
    if grapheme.isascii():
        return True
    category = unicodedata.category(grapheme[0])
    return category[0] in "PZM" or category == "Sk"


def glyph_keys(lexicon: Lexicon, tokens: list[Token]) -> tuple[list[str], tuple[str, ...]]:
    """Concept keys of the lexicon glyphs among ``tokens``, and everything else as unknown."""
    keys: list[str] = []
    unknown: dict[str, None] = {}
    for token in tokens:
        if token.kind == "glyph":
            entry = lexicon.by_glyph(token.text)
            if entry is not None:
                keys.append(entry.key)
        elif token.kind != "break":
            unknown.setdefault(token.text, None)
    return keys, tuple(unknown)
