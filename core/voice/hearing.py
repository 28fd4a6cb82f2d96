"""What the voice's hearing needs besides the network: languages asked for, function words
(never unknown), and one message on its way through the batched decode."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from core.bridge.morphology import en_lemmas, fold_yo, ru_lemmas
from core.bridge.stopwords import LEMMAS, SURFACE, TEMPLATE
from core.bridge.text import BridgeInputError, Token
from core.types import LANGUAGES, Language

if TYPE_CHECKING:
    from core.bridge.lexicon_bridge import LexiconBridge
    from core.language.lexicon import Lexicon
    from core.voice.tokens import VoiceCodec

MAX_TEXT = 48  # text pieces of one training row (and of one word heard alone)
# Text pieces one hearing prompt holds at run time: a longer message is heard in parts cut at
# word boundaries. The voice hears short texts best: on the development split of the writers'
# sentences (core/voice/natural.py) concept F1 was 0.876 (ru and en averaged) at 48 pieces,
# 0.898 at 24, 0.904 at 16 and 0.905 at 12, with the test set unchanged.
PART_TEXT = 16
MAX_SCENE = 12  # glyphs one hearing may produce, and glyphs one speaking prompt holds


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


def hint_reader(lexicon: Lexicon) -> LexiconBridge:
    """The dictionary whose reading a hinted voice reads beside the text: exact words only (its
    typo search would cost ~15 ms a misspelt sentence; the voice hears misspellings itself)."""
    from core.bridge.lexicon_bridge import LexiconBridge

    return LexiconBridge(lexicon, spelling=False)


def hinted(codec: VoiceCodec, reader: LexiconBridge, text: str, ids: Sequence[int]) -> list[int]:
    """A text's ids preceded by the dictionary's reading of it (the same in training and at
    run time: the language is the dictionary's own guess)."""
    return codec.with_hint(reader.hear(text).concepts[:MAX_SCENE], ids)


def agreement(prompt: Sequence[int], heard: Sequence[int], hear_id: int | None) -> list[bool]:
    """For each heard glyph id, whether the prompt's reading (the glyphs before its second
    <hear>) holds it too, each glyph of the reading counted once; all False without one."""
    reading = Counter(prompt[: prompt.index(hear_id)] if hear_id in prompt else ())
    out: list[bool] = []
    for glyph in heard:
        out.append(reading[glyph] > 0)
        reading[glyph] -= 1
    return out


def chunk_prompts(
    codec: VoiceCodec,
    hints: LexiconBridge | None,
    cleaned: str,
    tokens: list[Token],
    whole: list[int] | None = None,
) -> list[tuple[list[int], int]]:
    """Prompt ids of a message (cut at word boundaries when it is long, each part preceded by
    the dictionary's reading of it when ``hints`` is given) and for each the most glyphs it
    may give (its words and glyphs, plus two)."""

    def prompt(text: str, ids: list[int]) -> list[int]:
        return ids if hints is None else hinted(codec, hints, text, ids)

    content = sum(t.kind in ("word", "glyph", "number") for t in tokens)
    whole = whole if whole is not None else codec.encode([cleaned])[0]
    if len(whole) <= PART_TEXT:
        return [(prompt(cleaned, whole), min(MAX_SCENE, content + 2))] if whole else []
    kept = [t for t in tokens if t.kind != "break" or t.text.strip()]
    sizes = [len(ids) for ids in codec.encode([t.text for t in kept])]
    parts: list[tuple[str, int]] = []  # each part's text and how many of its words count
    words: list[str] = []
    count = used = 0
    for token, size in zip(kept, sizes, strict=True):
        if words and used + size > PART_TEXT:
            parts.append((" ".join(words), count))
            words, count, used = [], 0, 0
        words.append(token.text)
        used += size
        count += token.kind in ("word", "glyph", "number")
    if words:
        parts.append((" ".join(words), count))
    return [
        (prompt(text, codec.encode([text])[0][:PART_TEXT]), min(MAX_SCENE, count + 2))
        for text, count in parts
    ]
