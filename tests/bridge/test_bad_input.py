"""Hostile and odd input: always a result or a BridgeInputError, in bounded time."""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.bridge.lexicon_bridge import MAX_CHARS, BridgeInputError

BOUND_S = 1.0


def bounded(call, *args):
    start = time.perf_counter()
    result = call(*args)
    assert time.perf_counter() - start < BOUND_S
    return result


def encodable(result) -> None:
    """Everything handed to a frontend can be sent: valid UTF-8 throughout."""
    for piece in (result.text, result.glyphs, *result.unknown, *result.concepts):
        piece.encode("utf-8")


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        "\n\t\r",
        "\x00\x01\x07 fire \x1b[31m",
        "fi\u200bre and wa\u200cter\u200d",
        "\ufeffогонь\u2060",
        "\u202eeritf\u202c",
        "\u200f\u05d0\u05e9 \u0646\u0627\u0631 fire",
        "\ud800",
        "fire \udfff water \ud83d",
        "🔥" * 500,
        "😀🙃🤯🫠👩‍👩‍👧‍👦🏳️‍🌈🇺🇦" * 50,
        "🜂⧖🕯" * 100,
        "Φωτιά και νερό",
        "火和水",
        "نار وماء",
        "a" * 5000,
        "-" * 3000,
        "'''---'''",
        "\u0301\u0301\u0301 огонь",
        "e\u0301 ё",
        "\U000e0001\U000e0067",
        "\ue000\uf8ff",
        "огонь-вода-воздух",
    ],
)
def test_odd_text_gives_a_result(bridge, text: str) -> None:
    for call in (bridge.hear, bridge.translate):
        result = bounded(call, text)
        encodable(result)
    for language in ("en", "ru"):
        encodable(bounded(bridge.speak, text, language))


def test_invisible_characters_do_not_hide_words(bridge) -> None:
    assert bridge.hear("fi\u200bre").concepts == ("fire",)
    assert bridge.hear("\ufeffогонь\u2060").concepts == ("fire",)


def test_a_hundred_thousand_characters_are_cut_and_fast(bridge) -> None:
    text = "огонь и вода " * 8_000
    result = bounded(bridge.hear, text)
    assert result.extra["truncated"] is True
    assert result.extra["max_chars"] == MAX_CHARS
    assert 0 < len(result.concepts) <= MAX_CHARS
    assert bounded(bridge.hear, "x" * 100_000).extra["truncated"] is True
    assert bounded(bridge.speak, "🜂" * 100_000, "en").extra["truncated"] is True


def test_short_text_is_not_truncated(bridge) -> None:
    assert bridge.hear("fire").extra["truncated"] is False


@pytest.mark.parametrize("value", [None, b"fire", 42, ["fire"]])
def test_not_text_is_a_bridge_input_error(bridge, value) -> None:
    with pytest.raises(BridgeInputError):
        bridge.hear(value)
    with pytest.raises(BridgeInputError):
        bridge.speak(value, "en")
    with pytest.raises(ValueError):
        bridge.translate(value)


def test_unknown_language_is_a_bridge_input_error(bridge) -> None:
    with pytest.raises(BridgeInputError):
        bridge.hear("fire", "de")
    with pytest.raises(BridgeInputError):
        bridge.speak("🜂", "auto")
    assert bridge.hear("fire", "auto").language == "en"


# Any code point (surrogates included), weighted towards the troublesome categories and
# towards pieces the bridge knows, so that words and glyphs meet the noise.
CHARACTERS = st.one_of(
    st.characters(exclude_categories=()),
    st.characters(categories=["Cs", "Cf", "Cc", "Mn", "So", "Zs", "Pd"]),
    st.sampled_from(list("огоньfireё'-🜂⚭◌🕯\ufe0f\u200d")),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=CHARACTERS, max_size=300))
def test_never_crashes_always_bounded(bridge, text: str) -> None:
    for call in (bridge.hear, bridge.translate):
        encodable(bounded(call, text))
    encodable(bounded(bridge.speak, text, "ru"))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.sampled_from(
            [
                "огонь",
                "fire",
                "🜂",
                "⚭",
                "🙂",
                "\ud800",
                "\u200d",
                "\ufe0f",
                " ",
                ",",
                "-",
                "'",
                "é",
                "火",
                "\u0301",
                "one",
                "are",
                "один",
                "едины",
                "бог",
                "молчит",
                "and",
                "then",
            ]
        ),
        max_size=60,
    )
)
def test_never_crashes_on_word_soup(bridge, pieces: list[str]) -> None:
    text = "".join(pieces)
    encodable(bounded(bridge.hear, text))
    encodable(bounded(bridge.translate, text, "ru"))
