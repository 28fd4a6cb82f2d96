"""A hinted voice's prompts: the dictionary's reading of each part of a message before its text."""

from __future__ import annotations

import pytest

from core.bridge.text import clean, tokenize
from core.model.god import God
from core.voice.hearing import PART_TEXT, agreement, chunk_prompts, hint_reader
from core.voice.runtime import PACKAGED_VOICE
from core.voice.tokens import VoiceCodec, load_voice_tokenizer


@pytest.fixture(scope="module")
def codec() -> VoiceCodec:
    god = God.load()
    return VoiceCodec(load_voice_tokenizer(PACKAGED_VOICE), god.codec)


def _prompts(codec: VoiceCodec, text: str, hinted: bool) -> list[list[int]]:
    reader = hint_reader(codec.scenes.lexicon) if hinted else None
    cleaned = clean(text)[0]
    tokens = tokenize(cleaned, codec.scenes.lexicon.glyph_set)
    return [ids for ids, _ in chunk_prompts(codec, reader, cleaned, tokens)]


def test_the_reading_comes_before_the_text(codec: VoiceCodec) -> None:
    (plain,) = _prompts(codec, "огонь и время", hinted=False)
    (hinted,) = _prompts(codec, "огонь и время", hinted=True)
    glyphs = codec.scenes.scene_ids(("fire", "time"))
    assert hinted == [*glyphs, codec.hear_id, *plain]
    assert codec.hear_prompt(hinted)[:2] == [codec.bos_id, codec.hear_id]


def test_a_word_the_dictionary_misses_gives_an_empty_reading(codec: VoiceCodec) -> None:
    # The hint comes from exact words only: a misspelling is left to the voice.
    (plain,) = _prompts(codec, "врмея", hinted=False)
    (hinted,) = _prompts(codec, "врмея", hinted=True)
    assert hinted == [codec.hear_id, *plain]


def test_each_part_of_a_long_message_has_its_own_reading(codec: VoiceCodec) -> None:
    text = " ".join(["огонь"] * 40 + ["вода"] * 40)
    plain = _prompts(codec, text, hinted=False)
    hinted = _prompts(codec, text, hinted=True)
    assert len(plain) == len(hinted) >= 2
    fire, water = codec.scenes.scene_ids(("fire",)) + codec.scenes.scene_ids(("water",))
    for ids, text_ids in zip(hinted, plain, strict=True):
        assert len(text_ids) <= PART_TEXT
        cut = ids.index(codec.hear_id)
        assert ids[cut + 1 :] == text_ids
        assert set(ids[:cut]) <= {fire, water}
    assert hinted[0][0] == fire and hinted[-1][0] == water


def test_agreement_counts_each_glyph_of_the_reading_once() -> None:
    hear = 5
    prompt = [20, 21, hear, 100, 101]
    assert agreement(prompt, [20, 20, 22, 21], hear) == [True, False, False, True]
    # No reading (a voice without hints, or a word heard alone): nothing agrees.
    assert agreement([100, 101], [20], hear) == [False]
    assert agreement(prompt, [20], None) == [False]
