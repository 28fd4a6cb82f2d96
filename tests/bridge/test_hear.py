"""Text → glyphs: morphology, synonyms and phrases, stop words, glyphs in place, unknowns."""

from __future__ import annotations

import pytest

from core.bridge.protocol import Bridge
from core.types import BridgeResult


def keys(bridge, text: str, language=None) -> tuple[str, ...]:
    return bridge.hear(text, language).concepts


def test_is_a_bridge(bridge) -> None:
    assert isinstance(bridge, Bridge)
    assert bridge.name == "lexicon"
    result = bridge.hear("fire")
    assert isinstance(result, BridgeResult)
    assert result.direction == "text_to_glyphs"
    assert result.glyphs == "🜂" and result.concepts == ("fire",)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("огонь", "fire"),
        ("огня", "fire"),
        ("огнём", "fire"),
        ("огнем", "fire"),
        ("огни", "fire"),
        ("свечой", "candle"),
        ("свечи", "candle"),
        ("звёзд", "star"),
        ("звезд", "star"),
        ("звёздами", "star"),
        ("времени", "time"),
        ("временем", "time"),
        ("воду", "water"),
        ("водой", "water"),
        ("солнца", "sun"),
        ("луной", "moon"),
        ("ночью", "night"),
        ("деревьев", "tree"),
        ("детей", "child"),
        ("людей", "human"),
        ("матери", "mother"),
        ("птицами", "bird"),
        ("ЛЬДА", "ice"),
        ("пламени", "flame"),
    ],
)
def test_russian_inflections_reach_their_concept(bridge, text: str, expected: str) -> None:
    assert keys(bridge, text) == (expected,)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("candles", "candle"),
        ("Candles", "candle"),
        ("stronger", "strength"),
        ("strongest", "strength"),
        ("stars", "star"),
        ("trees", "tree"),
        ("children", "child"),
        ("mothers", "mother"),
        ("seeds", "seed"),
        ("birds", "bird"),
        ("fire's", "fire"),
        ("rivers", "river"),
        ("growing", "growth"),
    ],
)
def test_english_forms_reach_their_concept(bridge, text: str, expected: str) -> None:
    assert keys(bridge, text) == (expected,)


def test_burning_reaches_a_concept(bridge) -> None:
    assert len(keys(bridge, "burning")) == 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("opposite of fire", ("opposition", "fire")),
        ("mix fire and water", ("alembic", "fire", "water")),
        ("what comes of growth and flame", ("alembic", "growth", "flame")),
        ("fire, time and a candle", ("fire", "time", "candle")),
        ("and then?", ("then",)),
        ("А потом?", ("then",)),
        ("Что будет, если смешать огонь с водой?", ("alembic", "fire", "water")),
        ("what is the opposite of the opposite of fire?", ("opposition", "opposition", "fire")),
        ("flame", ("flame",)),
        ("пламя", ("flame",)),
    ],
)
def test_phrases_and_word_order(bridge, text: str, expected: tuple[str, ...]) -> None:
    assert keys(bridge, text) == expected


def test_every_lexicon_word_reads_as_its_concept(bridge, lexicon) -> None:
    wrong = []
    for entry in lexicon:
        for language in ("en", "ru"):
            for word in entry.words(language):
                heard = bridge.hear(word, language)
                if heard.concepts != (entry.key,):
                    wrong.append((language, word, entry.key, heard.concepts, heard.unknown))
    total = sum(len(e.en) + len(e.ru) for e in lexicon)
    assert len(wrong) <= total * 0.02, wrong


def test_every_lemma_reads_as_its_concept(bridge, lexicon) -> None:
    for entry in lexicon:
        for language in ("en", "ru"):
            assert keys(bridge, entry.lemma(language), language) == (entry.key,), (
                language,
                entry.lemma(language),
            )


@pytest.mark.parametrize(
    "text",
    [
        "the a an of and is are what which please tell me",
        "и в на что это будет пожалуйста скажи мне",
        "hello! how are you?",
        "привет, как дела у тебя?",
    ],
)
def test_stop_words_are_dropped_and_not_unknown(bridge, text: str) -> None:
    result = bridge.hear(text)
    assert result.concepts == ()
    assert set(result.unknown) <= {"дела", "how"}


def test_template_one_is_not_the_concept_one(bridge) -> None:
    assert keys(bridge, "which one is stronger?") == ("strength",)
    assert keys(bridge, "one candle") == ("one", "candle")


def test_glyphs_are_kept_in_place_with_or_without_variation_selector(bridge) -> None:
    assert keys(bridge, "🕯️ and time") == ("candle", "time")
    assert keys(bridge, "🕯 and time") == ("candle", "time")
    assert keys(bridge, "what comes of 🜂 and water") == ("alembic", "fire", "water")
    assert keys(bridge, "огонь 🔥 вода") == ("fire", "flame", "water")
    assert bridge.hear("🜂⧖🕯").glyphs == "🜂⧖🕯"
    assert bridge.hear("🜂 ⧖ 🕯️").glyphs == "🜂⧖🕯"


def test_unknown_words_and_symbols_are_reported(bridge) -> None:
    result = bridge.hear("fire and blorptastic zibble 🙂 χάος 火")
    assert result.concepts == ("fire",)
    assert result.unknown == ("blorptastic", "zibble", "🙂", "χάος", "火")
    ru = bridge.hear("огонь и куздра глокая")
    assert ru.concepts == ("fire",)
    assert set(ru.unknown) == {"куздра", "глокая"}


def test_unknown_is_deduplicated_in_order(bridge) -> None:
    assert bridge.hear("zork fire zork 🙂 🙂").unknown == ("zork", "🙂")


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("огонь и вода", "ru"),
        ("fire and water", "en"),
        ("огонь and water и воздух", "ru"),
        ("🜂⧖🕯", "en"),
        ("Что такое fire?", "ru"),
    ],
)
def test_language_is_detected(bridge, text: str, language: str) -> None:
    assert bridge.hear(text).language == language


def test_language_can_be_given(bridge) -> None:
    assert bridge.hear("fire", "ru").language == "ru"
    assert bridge.hear("огонь", "en").concepts == ("fire",)


def test_mixed_languages_in_one_message(bridge) -> None:
    assert keys(bridge, "огонь and water") == ("fire", "water")


def test_homoglyph_slips_are_read_in_the_main_script(bridge) -> None:
    # "огонь" typed with a Latin "o" in the middle.
    assert keys(bridge, "огoнь") == ("fire",)


def test_yo_and_ye_are_one_letter(bridge) -> None:
    assert keys(bridge, "лёд") == keys(bridge, "лед") == ("ice",)


def test_translate_picks_the_direction(bridge) -> None:
    assert bridge.translate("🜂⧖🕯").direction == "glyphs_to_text"
    assert bridge.translate("🜂, ⧖; 🕯!").direction == "glyphs_to_text"
    assert bridge.translate("fire 🜂").direction == "text_to_glyphs"
    assert bridge.translate("").direction == "text_to_glyphs"
    spoken = bridge.translate("⟁☰☉⚭", "ru")
    assert spoken.text.rstrip(".") == "Рост, закон и солнце едины"


def test_digits_that_name_a_concept(bridge) -> None:
    result = bridge.hear("3 candles and 10 keys")
    assert result.concepts == ("three", "candle", "key")
    assert result.unknown == ("10",)


def test_operator_named_last_in_a_question_goes_first(bridge) -> None:
    assert keys(bridge, "What does fire become?") == ("becoming", "fire")
    assert keys(bridge, "What is the tree part of?") == ("part", "tree")
    assert keys(bridge, "Огонь — часть чего?") == ("part", "fire")
    assert keys(bridge, "fire causes smoke") == ("fire", "cause", "smoke")
    assert bridge.hear("what does rain cause?").extra["reordered"] is True


def test_spans_name_the_words_behind_each_concept(bridge) -> None:
    result = bridge.hear("What comes of mixing огня and water?")
    assert result.concepts == ("alembic", "fire", "water")
    assert result.extra["spans"] == ["What comes of", "огня", "water"]
