"""HyperBridge: a dictionary-and-morphology translator between chat text and glyph scenes.

``hear`` turns a Russian or English message (glyphs may be mixed in) into the glyphs the god
hears: every word is lemmatised (pymorphy3 / lemminflect), multi-word expressions are read
longest first, stop words are dropped, glyphs stay where they stand, word order is kept.
``speak`` writes the god's answer scene as a sentence built from the scene's structure
(see ``realise``), and that sentence reads back as the same scene.

Only the first ``MAX_CHARS`` (2 000) characters of a message are analysed. Every result's
``extra`` holds ``max_chars`` and ``truncated`` (the message was longer and was cut); a heard
result also holds ``spans``, the words that gave each concept, in order, and ``corrected``:
the misspelt words heard as known ones, as [written, read as] pairs (``[["врмея", "время"]]``,
a pair run together: ``[["сегоднявечером", "сегодня вечером"]]``), so that a reply can say
«услышано: время».
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from core.language.lexicon import Lexicon, load_lexicon
from core.language.text import detect_language
from core.types import LANGUAGES, BridgeResult, Language

from .hearing import Reader, WordIndex, reorder
from .index_cache import word_indexes
from .protocol import cheap_or_thread
from .realise import Realiser
from .text import MAX_CHARS, BridgeInputError, Token, clean, glyph_keys

if TYPE_CHECKING:
    from core.model.runner import GodRunner

logger = logging.getLogger(__name__)

__all__ = ["MAX_CHARS", "BridgeInputError", "LexiconBridge"]


def _glyph_only(tokens: list[Token]) -> bool:
    kinds = {token.kind for token in tokens}
    return "glyph" in kinds and kinds <= {"glyph", "break"}


def _language(language: object, allow_auto: bool = True) -> Language | None:
    if language is None or (allow_auto and language == "auto"):
        return None
    if language not in LANGUAGES:
        raise BridgeInputError(f"unknown language {language!r} (expected 'ru' or 'en')")
    return language  # type: ignore[return-value]


class LexiconBridge:
    """The rule-and-dictionary bridge (``name = "lexicon"``); see the module docstring."""

    name = "lexicon"
    inline_chars = 256  # about 0.3 ms of hearing on one core

    def __init__(self, lexicon: Lexicon | None = None, spelling: bool = True) -> None:
        """``spelling`` False: no typo tolerance (misspelt words stay unknown)."""
        self.lexicon = lexicon if lexicon is not None else load_lexicon()
        self.indexes: dict[Language, WordIndex] = word_indexes(self.lexicon, spelling)
        self.reader = Reader(self.lexicon, self.indexes, spelling)
        self.realiser = Realiser(self.lexicon, self._keys_of_text)
        for problem in self.realiser.problems:
            logger.warning("lexicon bridge: %s", problem)

    # -- the Bridge protocol -------------------------------------------------------------

    def prepare(self) -> None:
        """Load both languages' dictionaries (pymorphy3, lemminflect: about a second)."""
        for text, language in (("Огонь и время", "ru"), ("Fires and time", "en")):
            self.speak(self.hear(text, language).glyphs, language)

    def hear(self, text: str, language: Language | None = None) -> BridgeResult:
        """Text (ru/en, possibly with glyphs mixed in) → glyphs; ``language`` None: detect."""
        wanted = _language(language)
        cleaned, extra = clean(text)
        return self._hear(cleaned, self.reader.tokens(cleaned), extra, wanted)

    def speak(self, glyphs: str, language: Language) -> BridgeResult:
        """Glyphs → a sentence in ``language``; glyphs outside the lexicon are named unknown."""
        wanted = _language(language, allow_auto=False)
        if wanted is None:
            raise BridgeInputError("speak needs a language: 'ru' or 'en'")
        cleaned, extra = clean(glyphs)
        return self._speak(self.reader.tokens(cleaned), extra, wanted)

    def translate(self, text_or_glyphs: str, language: Language | None = None) -> BridgeResult:
        """Either direction: glyph-only input is spoken, anything else is heard."""
        wanted = _language(language)
        cleaned, extra = clean(text_or_glyphs)
        tokens = self.reader.tokens(cleaned)
        if _glyph_only(tokens):
            return self._speak(tokens, extra, wanted or "en")
        return self._hear(cleaned, tokens, extra, wanted)

    def bind(self, runner: GodRunner) -> None:
        """No model to run: the dictionary works where it is called."""

    async def hear_async(
        self, text: str, language: Language | None = None, asker: str = ""
    ) -> BridgeResult:
        """``hear``: on the loop for short texts, in a thread for long ones."""
        return await cheap_or_thread(self.hear, text, language, self.inline_chars)

    async def speak_async(self, glyphs: str, language: Language, asker: str = "") -> BridgeResult:
        """``speak``: on the loop for short texts, in a thread for long ones."""
        return await cheap_or_thread(self.speak, glyphs, language, self.inline_chars)

    async def translate_async(
        self, text_or_glyphs: str, language: Language | None = None, asker: str = ""
    ) -> BridgeResult:
        """``translate``: on the loop for short texts, in a thread for long ones."""
        return await cheap_or_thread(self.translate, text_or_glyphs, language, self.inline_chars)

    # -- the two directions ----------------------------------------------------------------

    def _hear(
        self, cleaned: str, tokens: list[Token], extra: dict[str, object], wanted: Language | None
    ) -> BridgeResult:
        heard = self.reader.read(tokens)
        keys = reorder(heard.keys, cleaned)
        spans = list(heard.spans)
        if keys != heard.keys:
            extra["reordered"] = True
            spans.reverse()
        extra["spans"] = spans
        extra["corrected"] = [list(pair) for pair in heard.corrected]
        return BridgeResult(
            glyphs=self.lexicon.glyphs(keys),
            text=cleaned,
            concepts=keys,
            unknown=heard.unknown,
            language=wanted or detect_language(cleaned),
            direction="text_to_glyphs",
            extra=extra,
        )

    def _speak(
        self, tokens: list[Token], extra: dict[str, object], language: Language
    ) -> BridgeResult:
        keys, unknown = glyph_keys(self.lexicon, tokens)
        return BridgeResult(
            glyphs=self.lexicon.glyphs(keys),
            text=self.realiser.sentence(keys, language),
            concepts=tuple(keys),
            unknown=unknown,
            language=language,
            direction="glyphs_to_text",
            extra=extra,
        )

    def _keys_of_text(self, text: str) -> tuple[str, ...] | None:
        heard = self.reader.read(self.reader.tokens(clean(text)[0]))
        return None if heard.unknown else heard.keys

    @property
    def problems(self) -> tuple[str, ...]:
        """Lexicon words the bridge could not use as they are (logged at construction)."""
        return tuple(self.realiser.problems)

    def __repr__(self) -> str:
        return f"LexiconBridge({len(self.lexicon)} entries)"
