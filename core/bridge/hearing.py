"""Text → concept keys: the word index of one language and the reader that walks a message.

A message is read left to right. At each word the longest phrase that matches wins (lexicon
multi-word expressions, the bridge's own template phrases, filler phrases); otherwise the
word alone is looked up by its surface form and then by each lemma, most probable first.
Glyphs of the lexicon are kept where they stand; symbols and words that mean nothing to the
lexicon are collected as unknown.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

import regex

from core.language.lexicon import Lexicon
from core.language.oracle import MIXTURE, OPERATORS, THEN, UNARY_OPERATORS
from core.types import Language

from . import stopwords
from .morphology import en_lemmas, fold_yo, ru_lemmas
from .text import Token, tokenize

_HYPHEN = regex.compile(r"[-‐‑]")

logger = logging.getLogger(__name__)

# The bridge's own sentence patterns (see realise.py) and what they mean when read back:
# "… are one." is unity, "The god is silent." is silence. ``final`` phrases count only at the
# end of a sentence, so "one" elsewhere stays the concept *one*.
TEMPLATE_PHRASES: dict[Language, tuple[tuple[str, tuple[str, ...], bool], ...]] = {
    "en": (
        ("are one", ("unity",), True),
        ("is one", ("unity",), True),
        ("the god is silent", ("silence",), False),
        ("god is silent", ("silence",), False),
    ),
    "ru": (
        ("бог молчит", ("silence",), False),
        ("боги молчат", ("silence",), False),
    ),
}
# Words that always mean a concept, whatever the lexicon says: the short adjective «един»
# agreeing with the subjects of a contemplation answer.
TEMPLATE_WORDS: dict[Language, dict[str, tuple[str, ...]]] = {
    "en": {},
    "ru": {word: ("unity",) for word in ("един", "едина", "едино", "едины")},
}
# Numbers written as digits that name a concept of their own (where the lexicon has it).
DIGITS = {"1": "one", "2": "two", "3": "three"}
# Operators that cannot meaningfully repeat side by side: "what comes of mixing …" names the
# alembic twice, "and then? what next?" asks once.
COLLAPSE = frozenset({MIXTURE, THEN})


@dataclass(frozen=True, slots=True)
class Phrase:
    """A multi-word expression and the concept keys it stands for (none: filler)."""

    words: tuple[str, ...]
    keys: tuple[str, ...]
    final: bool = False
    rank: int = 1  # equal length: template (2) beats lexicon (1) beats filler (0)


@dataclass
class WordIndex:
    """Every way one language's words reach concepts."""

    language: Language
    single: dict[str, str] = field(default_factory=dict)
    by_lemma: dict[str, str] = field(default_factory=dict)
    phrases: dict[str, list[Phrase]] = field(default_factory=dict)
    overrides: dict[str, tuple[str, ...]] = field(default_factory=dict)
    template: frozenset[str] = frozenset()
    surface_stop: frozenset[str] = frozenset()
    lemma_stop: frozenset[str] = frozenset()
    content_phrase_words: frozenset[str] = frozenset()

    def lemmas(self, norm: str) -> tuple[str, ...]:
        """Lemmas of a normalised word of this language."""
        if self.language == "ru":
            return ru_lemmas(norm)
        base = norm[:-2] if norm.endswith("'s") else norm.rstrip("'")
        lemmas = en_lemmas(base)
        return (base, *lemmas) if base != norm else lemmas

    def candidates(self, norm: str) -> tuple[str, ...]:
        """Forms to look a word up by: as written, then its lemmas, likeliest first.

        The word as written comes first so that every lexicon word (and so every sentence the
        bridge speaks) reads as its own concept: «горе» is grief, even where it is «гора».
        """
        return (norm, *self.lemmas(norm))

    def known(self, norm: str) -> bool:
        """True when a whole word (e.g. hyphenated) is in this index in any role."""
        return (
            norm in self.single
            or norm in self.phrases
            or norm in self.overrides
            or norm in self.surface_stop
            or norm in self.template
        )


def _phrase_words(text: str) -> tuple[str, ...]:
    return tuple(t.norm for t in tokenize(text, frozenset()) if t.kind == "word")


def build_index(lexicon: Lexicon, language: Language) -> WordIndex:
    """The word index of ``language`` over ``lexicon`` and the bridge's own word lists."""
    index = WordIndex(language)
    phrases: list[Phrase] = []
    for entry in lexicon:
        for word in entry.words(language):
            words = _phrase_words(word)
            if len(words) == 1:
                index.single.setdefault(words[0], entry.key)
            elif words:
                phrases.append(Phrase(words, (entry.key,)))
    for entry in lexicon:
        for word in entry.words(language):
            words = _phrase_words(word)
            lemmas = index.lemmas(words[0]) if len(words) == 1 else ()
            # A lexicon word written in an inflected form («небеса», "ashes") also answers
            # to its lemma, below every word written as such.
            if lemmas and lemmas[0] not in index.single:
                index.by_lemma.setdefault(lemmas[0], entry.key)
    for text, keys, final in TEMPLATE_PHRASES[language]:
        phrases.append(Phrase(_phrase_words(text), keys, final, rank=2))
    for words in stopwords.PHRASES[language]:
        phrases.append(Phrase(tuple(fold_yo(w) for w in words), (), rank=0))
    index.overrides = dict(TEMPLATE_WORDS[language])
    index.template = frozenset(stopwords.TEMPLATE[language])
    lexical = set(index.single)
    index.surface_stop = frozenset(
        fold_yo(w) for w in stopwords.SURFACE[language] if fold_yo(w) not in lexical
    )
    index.lemma_stop = frozenset(stopwords.LEMMAS[language])
    stop = index.surface_stop | index.template
    index.content_phrase_words = frozenset(
        w for p in phrases if p.rank == 1 for w in p.words if w not in stop
    )
    for phrase in sorted(phrases, key=_weight, reverse=True):
        first = phrase.words[0]
        starts = {first}
        if first in index.content_phrase_words and (lemmas := index.lemmas(first)):
            # «растущая луна» also starts at «растущую»: participles share the verb's lemma.
            starts.add(lemmas[0])
        for start in starts:
            index.phrases.setdefault(start, []).append(phrase)
    return index


def _weight(phrase: Phrase) -> tuple[int, int]:
    return len(phrase.words), phrase.rank


@dataclass(frozen=True, slots=True)
class Heard:
    """What a reading found: concept keys in order, unknown pieces, and the words per key."""

    keys: tuple[str, ...]
    unknown: tuple[str, ...]
    spans: tuple[str, ...]


class Reader:
    """Reads tokens into concept keys with the indexes of both languages."""

    def __init__(self, lexicon: Lexicon, indexes: dict[Language, WordIndex]) -> None:
        self.lexicon = lexicon
        self.indexes = indexes
        self.glyphs = lexicon.glyph_set
        self.digits = {digit: key for digit, key in DIGITS.items() if key in lexicon}

    def tokens(self, text: str) -> list[Token]:
        """Tokens of cleaned text, hyphenated words split unless known whole."""
        out: list[Token] = []
        for token in tokenize(text, self.glyphs):
            if token.kind == "word" and "-" in token.norm and token.script in self.indexes:
                index = self.indexes[token.script]
                if not index.known(token.norm) and not any(
                    c in index.single for c in index.candidates(token.norm)
                ):
                    parts = zip(_HYPHEN.split(token.text), token.norm.split("-"), strict=True)
                    out.extend(Token("word", t, n, token.script) for t, n in parts if n)
                    continue
            out.append(token)
        return out

    def read(self, tokens: Sequence[Token]) -> Heard:
        """Concept keys of a token sequence, unknown pieces, and the text that gave each key."""
        found: list[_Found] = []
        unknown: dict[str, None] = {}
        i = 0
        while i < len(tokens):
            token = tokens[i]
            start, i = i, i + 1
            if token.kind == "glyph":
                entry = self.lexicon.by_glyph(token.text)
                if entry is not None:
                    found.append(_Found(entry.key, token.text, start, i))
                continue
            if token.kind == "number" and token.text in self.digits:
                found.append(_Found(self.digits[token.text], token.text, start, i))
                continue
            if token.kind in ("foreign", "number"):
                unknown.setdefault(token.text, None)
                continue
            if token.kind != "word":
                continue
            index = self.indexes.get(token.script)  # type: ignore[arg-type]
            if index is None:
                unknown.setdefault(token.text, None)
                continue
            phrase = self._phrase(index, tokens, start)
            if phrase is not None:
                i = start + len(phrase.words)
                span = " ".join(t.text for t in tokens[start:i])
                found.extend(_Found(key, span, start, i) for key in phrase.keys)
                continue
            keys = self._word(index, token.norm)
            if keys is None:
                unknown.setdefault(token.text, None)
            else:
                found.extend(_Found(key, token.text, start, i) for key in keys)
        return _collapse(found, tuple(unknown))

    def _phrase(self, index: WordIndex, tokens: Sequence[Token], start: int) -> Phrase | None:
        """The longest phrase (then the highest ranked) that starts at ``tokens[start]``."""
        best: Phrase | None = None
        for candidate in dict.fromkeys(index.candidates(tokens[start].norm)):
            # Phrases under one start word are sorted longest first: the first match is the
            # best one there, and none after a phrase no better than ``best`` can win.
            for phrase in index.phrases.get(candidate, ()):
                if best is not None and _weight(phrase) <= _weight(best):
                    break
                if self._matches(index, phrase, tokens, start):
                    best = phrase
                    break
        return best

    def _matches(
        self, index: WordIndex, phrase: Phrase, tokens: Sequence[Token], start: int
    ) -> bool:
        end = start + len(phrase.words)
        if end > len(tokens):
            return False
        for word, token in zip(phrase.words[1:], tokens[start + 1 : end], strict=True):
            if token.kind != "word" or token.script != index.language:
                return False
            if word == token.norm or word in index.lemmas(token.norm):
                continue
            if word in index.content_phrase_words:
                lemmas = index.lemmas(word)
                if lemmas and lemmas[0] in index.lemmas(token.norm):
                    continue
            return False
        return not phrase.final or end == len(tokens) or tokens[end].kind == "break"

    @staticmethod
    def _word(index: WordIndex, norm: str) -> tuple[str, ...] | None:
        """Keys of one word, () when it is a stop word, None when unknown."""
        if norm in index.overrides:
            return index.overrides[norm]
        if norm in index.template or norm in index.surface_stop:
            return ()
        candidates = index.candidates(norm)
        for candidate in candidates:
            if candidate in index.single:
                return (index.single[candidate],)
        for candidate in candidates:
            if candidate in index.by_lemma:
                return (index.by_lemma[candidate],)
        if any(c in index.lemma_stop for c in candidates):
            return ()
        return None


def reorder(keys: tuple[str, ...], text: str) -> tuple[str, ...]:
    """A question that names its operator last ("What does fire become?", "What is the tree
    part of?", «Огонь — часть чего?») asks the operator of that concept: put it in front, as
    the god's grammar wants. Only a question of exactly one concept and one unary operator
    is turned; every other word order is kept as written."""
    if (
        len(keys) == 2
        and keys[1] in UNARY_OPERATORS
        and keys[0] not in OPERATORS
        and text.rstrip().endswith("?")
    ):
        return (keys[1], keys[0])
    return keys


@dataclass(frozen=True, slots=True)
class _Found:
    key: str
    span: str
    start: int
    end: int


def _collapse(found: Sequence[_Found], unknown: tuple[str, ...]) -> Heard:
    """Drop an operator repeated by the very next word ("next after"), or ever repeated
    side by side when it cannot repeat (⚗, ⤳); "opposite of the opposite" stays two."""
    kept: list[_Found] = []
    for item in found:
        repeated = bool(kept) and item.key == kept[-1].key and item.key in OPERATORS
        if repeated and (item.key in COLLAPSE or item.start == kept[-1].end):
            continue
        kept.append(item)
    return Heard(tuple(f.key for f in kept), unknown, tuple(f.span for f in kept))
