"""Completion of typed words into glyphs, as they are typed: "fire ti" → "🜂⧖ — fire, time".

Everything the words before the last one mean is heard once (through a cheap bridge, so
inflections and typos are understood; glyphs stay as they are); the last word, unfinished, is
matched as a prefix against every word of the lexicon in both languages. All of it is
in-memory data: no model, no store, microseconds per call — fit for Discord's 3 s
autocomplete window and for the console's Tab key alike. Platform limits (how many choices,
how long each may be) come in as arguments.
"""

from __future__ import annotations

import bisect
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import regex

from core.bridge.protocol import Bridge
from core.language.graphemes import normalize
from core.language.lexicon import Entry, Lexicon
from core.types import Language

if TYPE_CHECKING:
    from core.service import GodService

Measure = Callable[[str], int]

_PIECE = regex.compile(r"(?P<word>[\p{L}\p{M}]+(?:['\-][\p{L}\p{M}]+)*)|(?P<space>\s+)|\X")
ELLIPSIS = "…"


def fold(word: str) -> str:
    """A word as the index compares it: lower case, ё as е."""
    return word.lower().replace("ё", "е")


@dataclass(frozen=True, slots=True)
class Completion:
    """One suggested scene: its glyphs and, one per glyph, its word in the reader's language."""

    glyphs: str
    words: tuple[str, ...]

    def label(self, max_chars: int | None = None, measure: Measure = len) -> str:
        """``🜂⧖ — fire, time``, words cut (with an ellipsis) to fit ``max_chars``."""
        words = list(self.words)
        while True:
            tail = ", ".join(words) + (ELLIPSIS if len(words) < len(self.words) else "")
            text = f"{self.glyphs} — {tail}" if tail else self.glyphs
            if max_chars is None or measure(text) <= max_chars or not words:
                return text
            words.pop()


class Completer:
    """Completes typed words (ru or en, glyphs mixed in) into glyph scenes."""

    def __init__(self, lexicon: Lexicon, bridge: Bridge | None = None) -> None:
        self.lexicon = lexicon
        self.bridge = bridge
        entries = lexicon.entries
        self._position = {entry.key: i for i, entry in enumerate(entries)}
        # (folded word, 0 for a headword / 1 for a synonym, position): sorted, so that every
        # word starting with a prefix is one contiguous run found by bisection
        rows = set()
        for i, entry in enumerate(entries):
            for language in ("en", "ru"):
                for n, word in enumerate(entry.words(language)):
                    rows.add((fold(word), min(n, 1), i))
        self._words = sorted(rows)
        self._folded = [row[0] for row in self._words]

    def complete(
        self,
        typed: str,
        language: Language,
        *,
        limit: int = 25,
        max_chars: int | None = None,
        measure: Measure = len,
    ) -> tuple[Completion, ...]:
        """Up to ``limit`` scenes the typed text may mean, the likeliest first.

        A finished text (ending in a space or a glyph) gives its one scene; an unfinished last
        word gives a scene per lexicon word it begins. Scenes longer than ``max_chars`` are
        left out (the platform could not carry them).
        """
        typed = normalize(typed)
        head, prefix = _split_last_word(typed)
        keys = self._hear(head)
        candidates: list[Entry | None] = [None]
        if prefix:
            candidates = [*self._candidates(prefix)] or [None]  # an unknown word: the rest alone
        found: list[Completion] = []
        seen: set[str] = set()
        for entry in candidates:
            scene = keys + ((entry.key,) if entry is not None else ())
            if not scene:
                continue
            entries = [self.lexicon.by_key(key) for key in scene]
            glyphs = "".join(e.glyph for e in entries)
            if glyphs in seen or (max_chars is not None and measure(glyphs) > max_chars):
                continue
            seen.add(glyphs)
            found.append(Completion(glyphs, tuple(e.lemma(language) for e in entries)))
            if len(found) >= limit:
                break
        return tuple(found)

    def _hear(self, text: str) -> tuple[str, ...]:
        """The concept keys of finished text: glyphs as they stand, words as heard."""
        if not text.strip():
            return ()
        pieces = [m for m in _PIECE.finditer(text) if not m.group("space")]
        if not any(m.group("word") for m in pieces):
            return tuple(k for k in self.lexicon.keys_of(text) if k is not None)
        bridge = self.bridge
        if bridge is not None and len(text) <= bridge.inline_chars:  # cheap: microseconds
            return bridge.hear(text).concepts
        keys: list[str] = []
        for piece in pieces:
            found = self.lexicon.lookup(piece.group())
            if len(found) == 1 or (found and piece.group("word")):
                keys.append(found[0].key)
        return tuple(keys)

    def _candidates(self, prefix: str) -> list[Entry]:
        """Entries with a word starting with ``prefix``: exact words first, then headwords,
        then synonyms, shorter words before longer ones; a misspelt whole word as heard."""
        folded = fold(prefix)
        start = bisect.bisect_left(self._folded, folded)
        ranked: list[tuple[int, int, int]] = []
        for word, tier, position in self._words[start:]:
            if not word.startswith(folded):
                break
            rank = -1 if word == folded else tier
            ranked.append((rank, len(word), position))
        entries = self.lexicon.entries
        chosen = [entries[position] for _, _, position in sorted(ranked)]
        if not chosen and self.bridge is not None and self.bridge.inline_chars:
            chosen = [self.lexicon.by_key(key) for key in self.bridge.hear(prefix).concepts]
        return list(dict.fromkeys(chosen))


def _split_last_word(typed: str) -> tuple[str, str]:
    """The finished text, and the last word when it is still being typed (else "")."""
    last = None
    for match in _PIECE.finditer(typed):
        last = match
    if last is None or not last.group("word") or last.end() != len(typed):
        return typed, ""
    return typed[: last.start()], last.group()


_completers: weakref.WeakKeyDictionary[object, Completer] = weakref.WeakKeyDictionary()


def completer_for(service: GodService) -> Completer:
    """The service's completer, built on first use and kept in memory beside it."""
    found = _completers.get(service)
    if found is None:
        found = _completers[service] = Completer(service.lexicon, service.bridge)
    return found
