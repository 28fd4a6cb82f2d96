"""The god's dictionary: glyph ↔ concept, with Russian and English words.

The data lives in ``data/lexicon.toml``; it is validated at load and every problem is
reported with the entry it belongs to.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from core.errors import SilentGodError
from core.language.graphemes import graphemes, is_assigned, normalize

DATA_DIR = Path(__file__).parent / "data"
DEFAULT_PATH = DATA_DIR / "lexicon.toml"

CATEGORIES = (
    "element",
    "substance",
    "metal",
    "celestial",
    "time",
    "nature",
    "weather",
    "life",
    "body",
    "mind",
    "being",
    "quality",
    "force",
    "social",
    "emotion",
    "object",
    "place",
    "process",
    "logic",
    "operator",
)
LANGUAGE_FIELDS = ("en", "ru")
_KEY = re.compile(r"^[a-z][a-z0-9_]*$")
_SCRIPT = {"en": re.compile(r"^[a-z][a-z' -]*$"), "ru": re.compile(r"^[а-яё][а-яё' -]*$")}


class LexiconError(SilentGodError, ValueError):
    """A lexicon data file is malformed; the message names the entry."""


@dataclass(frozen=True, slots=True)
class Entry:
    """One glyph and the concept it carries."""

    glyph: str
    key: str
    category: str
    gloss: str
    en: tuple[str, ...]
    ru: tuple[str, ...]

    def words(self, language: str) -> tuple[str, ...]:
        """Lemma first, then synonyms, in ``language`` ("en" or "ru")."""
        return self.en if language == "en" else self.ru

    def lemma(self, language: str) -> str:
        """The headword in ``language``."""
        return self.words(language)[0]

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready mapping."""
        return {
            "glyph": self.glyph,
            "key": self.key,
            "category": self.category,
            "gloss": self.gloss,
            "en": list(self.en),
            "ru": list(self.ru),
        }


class Lexicon:
    """All entries, indexed by glyph, key and word."""

    def __init__(self, entries: Iterable[Entry]) -> None:
        self.entries: tuple[Entry, ...] = tuple(entries)
        self._by_glyph = {entry.glyph: entry for entry in self.entries}
        self._by_key = {entry.key: entry for entry in self.entries}
        self._by_word: dict[str, Entry] = {}
        for entry in self.entries:
            for language in LANGUAGE_FIELDS:
                for word in entry.words(language):
                    self._by_word.setdefault(word, entry)

    def __len__(self) -> int:
        return len(self.entries)

    def __iter__(self) -> Iterator[Entry]:
        return iter(self.entries)

    def __contains__(self, key: object) -> bool:
        return key in self._by_key

    def by_key(self, key: str) -> Entry:
        """The entry of a concept key; KeyError when there is none."""
        return self._by_key[key]

    def by_glyph(self, glyph: str) -> Entry | None:
        """The entry of a glyph (with or without variation selector), if any."""
        return self._by_glyph.get(normalize(glyph))

    def glyph(self, key: str) -> str:
        """The glyph of a concept key."""
        return self._by_key[key].glyph

    def glyphs(self, keys: Iterable[str]) -> str:
        """A scene (concept keys) written as glyphs."""
        return "".join(self._by_key[key].glyph for key in keys)

    def keys_of(self, glyph_text: str) -> list[str | None]:
        """Concept keys of every grapheme of ``glyph_text``; None for a non-glyph."""
        return [
            entry.key if (entry := self._by_glyph.get(g)) else None
            for g in graphemes(normalize(glyph_text))
            if not g.isspace()
        ]

    def lookup(self, query: str) -> list[Entry]:
        """Entries matching a glyph, a concept key or a word in either language."""
        query = normalize(query).strip()
        if not query:
            return []
        if entry := self._by_glyph.get(query):
            return [entry]
        lowered = query.lower()
        found = [e for e in (self._by_key.get(lowered), self._by_word.get(lowered)) if e]
        if found:
            return list(dict.fromkeys(found))
        if all(self._by_glyph.get(g) for g in graphemes(query) if not g.isspace()):
            return [self._by_glyph[g] for g in graphemes(query) if not g.isspace()]
        return []

    @property
    def glyph_set(self) -> frozenset[str]:
        """Every glyph of the lexicon."""
        return frozenset(self._by_glyph)


def _problem(index: int, raw: dict[str, object], message: str) -> LexiconError:
    name = raw.get("key") or raw.get("glyph") or "?"
    return LexiconError(f"lexicon entry #{index + 1} ({name}): {message}")


def _words(index: int, raw: dict[str, object], language: str) -> tuple[str, ...]:
    value = raw.get(language)
    if not isinstance(value, list) or not value:
        raise _problem(index, raw, f"missing {language!r} words (a non-empty list is required)")
    words: list[str] = []
    for word in value:
        if not isinstance(word, str) or not word.strip():
            raise _problem(index, raw, f"{language!r} holds an empty or non-text word")
        word = unicodedata.normalize("NFC", word.strip().lower())
        if not _SCRIPT[language].match(word):
            raise _problem(
                index, raw, f"{language!r} word {word!r} is not written in that language"
            )
        words.append(word)
    return tuple(words)


def _entry(index: int, raw: object) -> Entry:
    if not isinstance(raw, dict):
        raise LexiconError(f"lexicon entry #{index + 1}: not a table")
    glyph = raw.get("glyph")
    if not isinstance(glyph, str) or not glyph:
        raise _problem(index, raw, "missing glyph")
    if unicodedata.normalize("NFC", glyph) != glyph:
        raise _problem(index, raw, f"glyph {glyph!r} is not in NFC")
    canonical = normalize(glyph)
    if len(graphemes(canonical)) != 1:
        raise _problem(index, raw, f"glyph {glyph!r} is not a single grapheme")
    if not all(is_assigned(c) for c in canonical):
        raise _problem(index, raw, f"glyph {glyph!r} is not assigned in Unicode 14.0")
    if unicodedata.category(canonical[0])[0] not in "SP" or canonical.isascii():
        raise _problem(index, raw, f"glyph {glyph!r} is a letter, digit or space, not a symbol")
    key = raw.get("key")
    if not isinstance(key, str) or not _KEY.match(key):
        raise _problem(index, raw, f"key {key!r} must be lower-case English (a-z, 0-9, _)")
    category = raw.get("category")
    if category not in CATEGORIES:
        raise _problem(index, raw, f"category {category!r} is not one of {', '.join(CATEGORIES)}")
    gloss = raw.get("gloss")
    if not isinstance(gloss, str) or not gloss.strip():
        raise _problem(index, raw, "missing gloss")
    unknown_fields = set(raw) - {"glyph", "key", "category", "gloss", *LANGUAGE_FIELDS}
    if unknown_fields:
        raise _problem(index, raw, f"unknown field(s) {', '.join(sorted(unknown_fields))}")
    return Entry(
        glyph=canonical,
        key=key,
        category=category,
        gloss=gloss.strip(),
        en=_words(index, raw, "en"),
        ru=_words(index, raw, "ru"),
    )


def parse_lexicon(data: dict[str, object]) -> Lexicon:
    """Validate parsed TOML and build the lexicon; raises LexiconError naming the entry."""
    raw_entries = data.get("entry")
    if not isinstance(raw_entries, list) or not raw_entries:
        raise LexiconError("lexicon has no [[entry]] tables")
    entries = [_entry(i, raw) for i, raw in enumerate(raw_entries)]
    seen_glyph: dict[str, str] = {}
    seen_key: set[str] = set()
    seen_word: dict[tuple[str, str], str] = {}
    for entry in entries:
        if entry.glyph in seen_glyph:
            raise LexiconError(
                f"lexicon entry {entry.key}: duplicate glyph {entry.glyph} "
                f"(already used by {seen_glyph[entry.glyph]})"
            )
        if entry.key in seen_key:
            raise LexiconError(f"lexicon entry {entry.key}: duplicate key {entry.key!r}")
        seen_glyph[entry.glyph] = entry.key
        seen_key.add(entry.key)
        for language in LANGUAGE_FIELDS:
            for word in entry.words(language):
                owner = seen_word.setdefault((language, word), entry.key)
                if owner != entry.key:
                    raise LexiconError(
                        f"lexicon entry {entry.key}: {language} word {word!r} "
                        f"already belongs to {owner}"
                    )
    return Lexicon(entries)


def read_lexicon(path: Path) -> Lexicon:
    """Load and validate a lexicon file."""
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise LexiconError(f"lexicon file {path}: {error}") from error
    return parse_lexicon(data)


@cache
def load_lexicon() -> Lexicon:
    """The lexicon that ships with the package."""
    return read_lexicon(DEFAULT_PATH)


HEARING_PATH = DATA_DIR / "hearing.toml"


@dataclass(frozen=True, slots=True)
class HearingTable:
    """What the bridge hears beyond the lexicon's own words, per language: derived words of a
    concept's family (word → key) and colloquial spellings (spelling → the word meant)."""

    family: dict[str, dict[str, str]]
    spelling: dict[str, dict[str, str]]
    unrelated: dict[str, frozenset[str]]


def parse_hearing_table(data: dict[str, object], lexicon: Lexicon) -> HearingTable:
    """Validate a parsed hearing table against ``lexicon``; raises LexiconError naming the word."""
    family: dict[str, dict[str, str]] = {language: {} for language in LANGUAGE_FIELDS}
    spelling: dict[str, dict[str, str]] = {language: {} for language in LANGUAGE_FIELDS}
    for section in data:
        if section not in ("family", "spelling", "unrelated"):
            raise LexiconError(f"hearing table: unknown section [{section}]")
    for language in LANGUAGE_FIELDS:
        raw_family = _table(data, "family", language)
        for key, words in raw_family.items():
            if key not in lexicon:
                raise LexiconError(f"hearing table [family.{language}]: unknown concept {key!r}")
            if not isinstance(words, list) or not words:
                raise LexiconError(f"hearing table [family.{language}] {key}: a list of words")
            for word in words:
                _check_word(f"[family.{language}] {key}", word, language)
                owner = lexicon._by_word.get(word)
                if owner is not None and word in owner.words(language):
                    raise LexiconError(
                        f"hearing table [family.{language}] {key}: {word!r} is already a "
                        f"word of {owner.key} in the lexicon"
                    )
                if family[language].setdefault(word, key) != key:
                    raise LexiconError(
                        f"hearing table [family.{language}] {key}: {word!r} already belongs "
                        f"to {family[language][word]}"
                    )
        for written, meant in _table(data, "spelling", language).items():
            _check_word(f"[spelling.{language}]", written, language)
            _check_word(f"[spelling.{language}] {written}", meant, language)
            spelling[language][written] = meant
    unrelated: dict[str, frozenset[str]] = {}
    for language in LANGUAGE_FIELDS:
        words = data.get("unrelated", {}).get(language, [])  # type: ignore[attr-defined]
        if not isinstance(words, list):
            raise LexiconError(f"hearing table: unrelated.{language} must be a list of words")
        for word in words:
            _check_word(f"unrelated.{language}", word, language)
        unrelated[language] = frozenset(words)
    return HearingTable(family, spelling, unrelated)


def _table(data: dict[str, object], section: str, language: str) -> dict[str, object]:
    tables = data.get(section, {})
    if not isinstance(tables, dict):
        raise LexiconError(f"hearing table: [{section}] must be a table")
    table = tables.get(language, {})
    if not isinstance(table, dict):
        raise LexiconError(f"hearing table: [{section}.{language}] must be a table")
    return table


def _check_word(where: str, word: object, language: str) -> None:
    if not isinstance(word, str) or not _SCRIPT[language].match(word) or " " in word:
        raise LexiconError(f"hearing table {where}: {word!r} is not one lower-case {language} word")


@cache
def load_hearing_table() -> HearingTable:
    """The hearing table that ships with the package (validated against the shipped lexicon)."""
    try:
        with HEARING_PATH.open("rb") as handle:
            data = tomllib.load(handle)
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise LexiconError(f"hearing table {HEARING_PATH}: {error}") from error
    return parse_hearing_table(data, load_lexicon())
