"""Glyphs → text: the seed's sentences, agreement, every kind of answer scene."""

from __future__ import annotations

import pytest


def say(bridge, glyphs: str, language: str) -> str:
    return bridge.speak(glyphs, language).text


def test_seed_sentences_exactly(bridge) -> None:
    assert say(bridge, "♁🜂🜍", "en").rstrip(".") == "Matter passes through fire into transformation"
    assert say(bridge, "♁🜂🜍", "ru").rstrip(".") == "Материя через огонь проходит трансформацию"
    assert say(bridge, "⟁☰☉⚭", "en") == "Growth, law and the sun are one."
    assert say(bridge, "⟁☰☉⚭", "ru") == "Рост, закон и солнце едины."


def test_result_fields(bridge) -> None:
    result = bridge.speak("⟁☰☉⚭", "en")
    assert result.direction == "glyphs_to_text"
    assert result.concepts == ("growth", "law", "sun", "unity")
    assert result.glyphs == "⟁☰☉⚭"
    assert result.language == "en"
    assert result.unknown == ()


def test_silence(bridge) -> None:
    assert say(bridge, "◌", "en") == "The god is silent."
    assert say(bridge, "◌", "ru") == "Бог молчит."


def test_single_concept(bridge, lexicon) -> None:
    water = lexicon.glyph("water")
    assert say(bridge, water, "en") == "Water."
    assert say(bridge, water, "ru") == "Вода."
    assert say(bridge, "☉", "en") == "The sun."


@pytest.mark.parametrize(
    ("keys", "expected"),
    [
        (("fire", "unity"), "Огонь един."),
        (("water", "unity"), "Вода едина."),
        (("sun", "unity"), "Солнце едино."),
        (("fire", "water", "unity"), "Огонь и вода едины."),
        (("dusk", "unity"), "Сумерки едины."),
        (("old", "unity"), "Старое едино."),
        (("old", "new", "unity"), "Старое и новое едины."),
    ],
)
def test_russian_agreement_of_unity(bridge, lexicon, keys, expected: str) -> None:
    assert say(bridge, lexicon.glyphs(keys), "ru") == expected


def test_russian_accusative_after_through(bridge, lexicon) -> None:
    text = say(bridge, lexicon.glyphs(("matter", "water", "human")), "ru")
    assert "через воду" in text
    assert text.endswith("человека.")


def test_russian_verb_agrees_with_a_plural_subject(bridge, lexicon) -> None:
    text = say(bridge, lexicon.glyphs(("dusk", "fire", "human")), "ru")
    assert text == "Сумерки через огонь проходят человека."


def test_english_articles(bridge, lexicon) -> None:
    assert say(bridge, lexicon.glyphs(("fire", "unity")), "en") == "Fire is one."
    assert say(bridge, lexicon.glyphs(("tree",)), "en") == "A tree."
    assert say(bridge, lexicon.glyphs(("eye",)), "en") == "An eye."
    assert (
        say(bridge, lexicon.glyphs(("seed", "earth", "tree")), "en")
        == "The seed passes through earth into the tree."
    )


def test_unknown_glyphs_are_reported_never_dropped(bridge) -> None:
    result = bridge.speak("🜂 🙂 ⧖ zz", "en")
    assert result.concepts == ("fire", "time")
    assert result.unknown == ("🙂", "zz")
    assert result.text


def test_generic_and_question_scenes_have_text(bridge, lexicon) -> None:
    for keys in (
        ("opposition", "fire"),
        ("alembic", "fire", "water"),
        ("alembic", "fire", "water", "air"),
        ("opposition", "cycle", "fire"),
        ("then",),
        ("fire", "water"),
        ("fire", "water", "air", "earth", "aether"),
        ("unity",),
        ("alembic",),
        ("fire", "silence"),
    ):
        for language in ("en", "ru"):
            text = say(bridge, lexicon.glyphs(keys), language)
            assert text and text[0].isupper(), (keys, language, text)


def test_empty_scene_is_empty_text(bridge) -> None:
    assert say(bridge, "", "en") == ""
    assert bridge.speak("  ", "ru").concepts == ()


def test_bridge_problems_are_few(bridge) -> None:
    assert len(bridge.problems) <= 3, bridge.problems
