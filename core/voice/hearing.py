"""What the voice's hearing needs besides the network: languages asked for, function words
(never unknown), and one message on its way through the batched decode."""

from __future__ import annotations

from dataclasses import dataclass, field

from core.bridge.morphology import en_lemmas, fold_yo, ru_lemmas
from core.bridge.stopwords import LEMMAS, SURFACE, TEMPLATE
from core.bridge.text import BridgeInputError, Token
from core.types import LANGUAGES, Language


def language_of(language: object, allow_auto: bool = True) -> Language | None:
    if language is None or (allow_auto and language == "auto"):
        return None
    if language not in LANGUAGES:
        raise BridgeInputError(f"unknown language {language!r} (expected 'ru' or 'en')")
    return language  # type: ignore[return-value]


def speaking(language: object) -> Language:
    wanted = language_of(language, allow_auto=False)
    if wanted is None:
        raise BridgeInputError("speak needs a language: 'ru' or 'en'")
    return wanted


# The stop lists with ё written е, once (a set built per word cost ~0.1 ms a word).
_FOLDED_SURFACE = {language: frozenset(map(fold_yo, SURFACE[language])) for language in LANGUAGES}


def stop_word(token: Token) -> bool:
    """A function word the lexicon bridge drops (it is not an unknown word)."""
    language = token.script if token.script in LANGUAGES else None
    if language is None:
        return False
    norm = token.norm
    if norm in TEMPLATE[language] or norm in _FOLDED_SURFACE[language]:
        return True
    lemmas = ru_lemmas(norm) if language == "ru" else en_lemmas(norm)
    return any(lemma in LEMMAS[language] for lemma in lemmas)


@dataclass(slots=True)
class Hearing:
    """One message on its way to being heard: its prompts, then what they gave."""

    cleaned: str
    extra: dict[str, object]
    wanted: Language | None
    chunks: list[list[int]]  # the message, cut where it is long
    bounds: list[int]  # the most glyphs each chunk may give
    words: dict[str, str]  # each content word as written, and as it is heard alone
    unknown: dict[str, None] = field(default_factory=dict)
