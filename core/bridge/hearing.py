"""Text → concept keys: the word index of one language and the reader that walks a message.

A message is read left to right. Words that neither the index nor the morphology knows are
first corrected where a known form is near (``spelling``: typos, phonetic and colloquial
spellings, words run together). At each word the longest phrase that matches wins (lexicon
multi-word expressions, the bridge's own template phrases, filler phrases); a lexicon phrase
whose first word means nothing alone may have up to ``MAX_GAP`` words between its first and
second word ("turn lead into gold"), which are read on their own. Otherwise the word alone is
looked up by its surface form and then by each lemma, most probable first, then as a member
of a concept's word family (derived by the morphology or listed in the hearing table).
Glyphs of the lexicon are kept where they stand; symbols and words that mean nothing to the
lexicon are collected as unknown.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import regex

from core.language.lexicon import HearingTable, Lexicon, load_hearing_table
from core.language.oracle import MIXTURE, OPERATORS, THEN, UNARY_OPERATORS
from core.types import Language

from . import stopwords
from .morphology import en_derived, en_lemmas, fold_yo, ru_derived, ru_lemmas
from .spelling import Speller, known_word
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
# Words that may stand between the first and the second word of a lexicon phrase.
MAX_GAP = 2
# Unknown words of one message looked for among near forms (the rest stay unknown): a few
# milliseconds each, so a page of gibberish stays well within a second.
MAX_CORRECTIONS = 24


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
    family: dict[str, str] = field(default_factory=dict)
    spellings: dict[str, str] = field(default_factory=dict)
    _speller: Speller | None = None

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

    @property
    def speller(self) -> Speller:
        """The corrections of this language (built on first use: about a second)."""
        if self._speller is None:
            self._speller = self._build_speller()
        return self._speller

    def without_speller(self) -> tuple[WordIndex, dict[str, int] | None]:
        """This index with its speller taken out, and the speller's ranked forms (None
        when it was never built): what ``index_cache`` keeps on disk."""
        rank = self._speller.rank if self._speller is not None else None
        return replace(self, _speller=None), rank

    def with_speller(self, rank: dict[str, int] | None) -> WordIndex:
        """This index with a speller over forms ranked before (``without_speller``)."""
        if rank is not None:
            self._speller = self._build_speller(rank)
        return self

    def _build_speller(self, rank: dict[str, int] | None = None) -> Speller:
        if rank is not None:
            return Speller.ranked(self.language, rank, self.spellings, self._means)
        words: list[tuple[str, int]] = [(word, 3) for word in self.single]
        words += [(word, 2) for word in (*self.by_lemma, *self.overrides, *self.template)]
        words += [(word, 2) for word in (*self.surface_stop, *self.lemma_stop)]
        words += [(word, 2) for word in (*self.content_phrase_words, *self.phrases)]
        words += [(word, 1) for word in self.family]
        return Speller(self.language, words, self.spellings, self._means)

    def _means(self, word: str) -> bool:
        return bool(Reader.word(self, word))

    def hears(self, norm: str) -> bool:
        """True when the index reads a word by itself: as a concept, a stop word or a phrase."""
        return (
            norm in self.phrases
            or norm in self.content_phrase_words
            or Reader.word(self, norm) is not None
        )

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


def build_index(
    lexicon: Lexicon, language: Language, table: HearingTable | None = None
) -> WordIndex:
    """The word index of ``language`` over ``lexicon``, the hearing table (default: the
    shipped one) and the bridge's own word lists."""
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
    _families(index, lexicon, table if table is not None else load_hearing_table())
    for phrase in sorted(phrases, key=_weight, reverse=True):
        first = phrase.words[0]
        starts = {first}
        if first in index.content_phrase_words and (lemmas := index.lemmas(first)):
            # «растущая луна» also starts at «растущую»: participles share the verb's lemma.
            starts.add(lemmas[0])
        for start in starts:
            index.phrases.setdefault(start, []).append(phrase)
    return index


def _families(index: WordIndex, lexicon: Lexicon, table: HearingTable) -> None:
    """Word families (the table's, then the morphology's derivations) and spellings."""
    language = index.language
    taken = (
        set(index.single)
        | set(index.by_lemma)
        | index.surface_stop
        | index.template
        | index.lemma_stop
        | set(index.overrides)
    )
    unrelated = {fold_yo(w) for w in table.unrelated.get(language, ())}
    family: dict[str, str] = {}
    for word, key in table.family.get(language, {}).items():
        if key in lexicon:
            family.setdefault(fold_yo(word), key)
    derive = ru_derived if language == "ru" else en_derived
    for entry in lexicon:
        for word in entry.words(language):
            if " " not in word:
                for derived in derive(fold_yo(word)):
                    family.setdefault(fold_yo(derived), entry.key)
    index.family = {w: k for w, k in family.items() if w not in taken and w not in unrelated}
    index.spellings = {
        fold_yo(written): fold_yo(meant)
        for written, meant in table.spelling.get(language, {}).items()
    }


def _weight(phrase: Phrase) -> tuple[int, int]:
    return len(phrase.words), phrase.rank


@dataclass(frozen=True, slots=True)
class Heard:
    """What a reading found: concept keys in order, unknown pieces, and the words per key."""

    keys: tuple[str, ...]
    unknown: tuple[str, ...]
    spans: tuple[str, ...]
    corrected: tuple[tuple[str, str], ...] = ()


class Reader:
    """Reads tokens into concept keys with the indexes of both languages."""

    def __init__(
        self, lexicon: Lexicon, indexes: dict[Language, WordIndex], spelling: bool = True
    ) -> None:
        self.lexicon = lexicon
        self.spelling = spelling
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

    def correct(self, tokens: Sequence[Token]) -> tuple[list[Token], list[tuple[str, str]]]:
        """Tokens with misspelt words replaced by the known words they stand for, and the
        corrections made: (as written, as read)."""
        out: list[Token] = []
        corrected: list[tuple[str, str]] = []
        budget = MAX_CORRECTIONS
        for token in tokens:
            index = self.indexes.get(token.script) if token.kind == "word" else None  # type: ignore[arg-type]
            words = None
            if index is not None and budget and not index.hears(token.norm):
                budget -= 1
                words = self._correction(index, token.norm)
            if not words:
                out.append(token)
                continue
            corrected.append((token.text, " ".join(words)))
            if len(words) == 1:
                out.append(Token("word", token.text, words[0], token.script))
            else:
                out.extend(Token("word", word, word, token.script) for word in words)
        return out, corrected

    @staticmethod
    def _correction(index: WordIndex, norm: str) -> tuple[str, ...] | None:
        if "-" in norm:
            return None
        if norm in index.spellings:
            return (index.spellings[norm],)
        if known_word(norm, index.language):
            return None
        return index.speller.correct(norm)

    def read(self, tokens: Sequence[Token]) -> Heard:
        """Concept keys of a token sequence, unknown pieces, the text that gave each key, and
        the corrections of misspelt words."""
        tokens, corrected = self.correct(tokens) if self.spelling else (tokens, [])
        found: list[_Found] = []
        unknown: dict[str, None] = {}
        skip: set[int] = set()  # later words of a phrase read across a gap
        i = 0
        while i < len(tokens):
            token = tokens[i]
            start, i = i, i + 1
            if start in skip:
                continue
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
            keys = self.word(index, token.norm)
            # Only a word that means nothing alone and is no function word ("turn", not
            # "what") may open a phrase across a gap.
            opens = not keys and not (
                token.norm in index.surface_stop or token.norm in index.template
            )
            gapped = self._gapped(index, tokens, start) if opens else None
            if gapped is not None:
                phrase, rest = gapped
                end = rest + len(phrase.words) - 1
                skip.update(range(rest, end))
                span = " ".join(t.text for t in (token, *tokens[rest:end]))
                found.extend(_Found(key, span, start, i) for key in phrase.keys)
                continue
            if keys is None:
                unknown.setdefault(token.text, None)
            else:
                found.extend(_Found(key, token.text, start, i) for key in keys)
        return _collapse(found, tuple(unknown), tuple(corrected))

    def _gapped(
        self, index: WordIndex, tokens: Sequence[Token], start: int
    ) -> tuple[Phrase, int] | None:
        """A lexicon phrase whose first word is ``tokens[start]`` and whose other words follow
        after one to ``MAX_GAP`` words: the phrase and where its second word stands."""
        for gap in range(1, MAX_GAP + 1):
            rest = start + 1 + gap
            between = tokens[start + 1 : rest]
            if len(between) < gap or any(t.kind != "word" for t in between):
                return None
            for candidate in dict.fromkeys(index.candidates(tokens[start].norm)):
                for phrase in index.phrases.get(candidate, ()):
                    if phrase.rank == 1 and self._matches(index, phrase, tokens, rest - 1):
                        return phrase, rest
        return None

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
        """True when the phrase's words after the first stand from ``tokens[start + 1]`` on."""
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
    def word(index: WordIndex, norm: str) -> tuple[str, ...] | None:
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
        for candidate in candidates:
            if candidate in index.family:
                return (index.family[candidate],)
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


def _collapse(
    found: Sequence[_Found],
    unknown: tuple[str, ...],
    corrected: tuple[tuple[str, str], ...] = (),
) -> Heard:
    """Drop an operator repeated by the very next word ("next after"), or ever repeated
    side by side when it cannot repeat (⚗, ⤳); "opposite of the opposite" stays two."""
    kept: list[_Found] = []
    for item in found:
        repeated = bool(kept) and item.key == kept[-1].key and item.key in OPERATORS
        if repeated and (item.key in COLLAPSE or item.start == kept[-1].end):
            continue
        kept.append(item)
    return Heard(tuple(f.key for f in kept), unknown, tuple(f.span for f in kept), corrected)
