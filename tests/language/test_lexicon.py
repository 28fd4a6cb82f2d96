"""The shipped lexicon and the loader's validation of broken lexicon files."""

from __future__ import annotations

import tomllib
import unicodedata
from pathlib import Path

import pytest

from core.language.graphemes import graphemes, is_assigned
from core.language.lexicon import (
    CATEGORIES,
    DEFAULT_PATH,
    LexiconError,
    load_lexicon,
    read_lexicon,
)

REQUIRED_CONCEPTS = """
fire water air earth aether salt sulfur mercury gold silver iron copper lead stone
ash smoke steam glass sun moon star sky night day dawn dusk time past future
now cycle eternity life death birth growth decay seed tree flower root fruit
heart eye hand mind soul dream memory sleep voice silence word light darkness
heat cold old new strength weakness purity unity separation law chaos order
balance harmony conflict love fear hope truth lie power peace war freedom
transformation creation destruction matter energy motion rest path door key home
candle flame human god animal bird fish snake child mother father friend enemy
mountain sea river rain storm wind cloud snow ice forest field sand question
yes no many one all nothing alembic
""".split()

SEED_GLYPHS = {
    "🜂": "fire",
    "⧖": "time",
    "🕯": "candle",
    "⟁": "growth",
    "☰": "law",
    "☉": "sun",
    "⚭": "unity",
    "♁": "matter",
    "🜍": "transformation",
    "🜁": "air",
    "⚗": "alembic",
    "🔥": "flame",
}

OPERATORS = {
    "alembic": "⚗",
    "opposition": "☍",
    "cycle": "↻",
    "becoming": "⇝",
    "cause": "∴",
    "part": "⊂",
    "then": "⤳",
}


@pytest.fixture(scope="module")
def lexicon():
    return load_lexicon()


def test_shipped_lexicon_loads_with_enough_entries(lexicon) -> None:
    assert len(lexicon) >= 300
    assert {entry.category for entry in lexicon} <= set(CATEGORIES)


@pytest.mark.parametrize("key", REQUIRED_CONCEPTS)
def test_every_required_concept_is_present(lexicon, key: str) -> None:
    assert key in lexicon


def test_seed_glyphs_keep_their_meanings(lexicon) -> None:
    for glyph, key in SEED_GLYPHS.items():
        assert lexicon.by_glyph(glyph).key == key
        assert lexicon.glyph(key) == glyph


def test_operators_and_silence(lexicon) -> None:
    operators = {entry.key: entry.glyph for entry in lexicon if entry.category == "operator"}
    assert operators == OPERATORS
    assert lexicon.glyph("silence") == "◌"
    assert lexicon.by_key("question").category != "operator"


def test_every_glyph_is_one_assigned_nfc_symbol(lexicon) -> None:
    for entry in lexicon:
        glyph = entry.glyph
        assert len(graphemes(glyph)) == 1, entry.key
        assert unicodedata.normalize("NFC", glyph) == glyph, entry.key
        assert all(is_assigned(char) for char in glyph), entry.key
        assert unicodedata.category(glyph[0])[0] in "SP", entry.key
        assert "\ufe0f" not in glyph, entry.key
    assert len(lexicon.glyph_set) == len(lexicon)


def test_data_file_stores_glyphs_without_variation_selectors() -> None:
    data = tomllib.loads(DEFAULT_PATH.read_text(encoding="utf-8"))
    assert all("\ufe0f" not in raw["glyph"] for raw in data["entry"])


def test_words_are_lower_case_and_unique_per_language(lexicon) -> None:
    for language in ("en", "ru"):
        seen: dict[str, str] = {}
        for entry in lexicon:
            for word in entry.words(language):
                assert word == word.lower()
                assert seen.setdefault(word, entry.key) == entry.key, word


def test_emoji_presentation_selector_finds_the_same_entry(lexicon) -> None:
    assert lexicon.by_glyph("🕯\ufe0f") is lexicon.by_glyph("🕯")
    assert lexicon.lookup("🕯\ufe0f") == [lexicon.by_key("candle")]


@pytest.mark.parametrize(
    ("query", "key"),
    [
        ("огонь", "fire"),
        ("Свеча", "candle"),
        ("пламя", "flame"),
        ("смешать", "alembic"),
        ("fire", "fire"),
        ("Quicksilver", "mercury"),
        ("turn into", "becoming"),
        ("transformation", "transformation"),
        ("philosophers_stone", "philosophers_stone"),
        ("⚗", "alembic"),
    ],
)
def test_lookup_by_word_key_or_glyph(lexicon, query: str, key: str) -> None:
    assert lexicon.lookup(query) == [lexicon.by_key(key)]


def test_lookup_of_a_glyph_string_and_of_nothing(lexicon) -> None:
    assert [entry.key for entry in lexicon.lookup("🜂⧖🕯")] == ["fire", "time", "candle"]
    assert lexicon.keys_of("⚗⟁🔥") == ["alembic", "growth", "flame"]
    assert lexicon.lookup("unknownword") == []
    assert lexicon.lookup("   ") == []


# ── validation of broken files ──


def entry(glyph: str, key: str, *, en: str | None = None, ru: str | None = "огонь", **extra) -> str:
    lines = ["[[entry]]", f'glyph = "{glyph}"', f'key = "{key}"']
    lines.append(f'category = "{extra.get("category", "element")}"')
    lines.append('gloss = "a test entry"')
    if en is not None:
        lines.append(f'en = ["{en}"]')
    if ru is not None:
        lines.append(f'ru = ["{ru}"]')
    return "\n".join(lines) + "\n"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "lexicon.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_small_valid_file_loads(tmp_path: Path) -> None:
    text = entry("🜂", "fire", en="fire", ru="огонь") + entry("🜄", "water", en="water", ru="вода")
    assert [e.key for e in read_lexicon(write(tmp_path, text))] == ["fire", "water"]


@pytest.mark.parametrize(
    ("text", "names", "problem"),
    [
        (
            entry("🜂", "fire", en="fire", ru="огонь") + entry("🜂", "blaze", en="blaze", ru="жар"),
            "blaze",
            "duplicate glyph",
        ),
        (
            entry("🜂", "fire", en="fire", ru="огонь") + entry("🜄", "fire", en="water", ru="вода"),
            "fire",
            "duplicate key",
        ),
        (entry("🜂", "fire", en="fire", ru=None), "fire", "missing 'ru'"),
        (entry("🜂", "fire", en=None, ru="огонь"), "fire", "missing 'en'"),
        (entry("🜂🜄", "steam", en="steam", ru="пар"), "steam", "single grapheme"),
        (entry("\U0001fae8", "shaking", en="shake", ru="дрожь"), "shaking", "Unicode 14.0"),
        (entry("=\\u0338", "unequal", en="unequal", ru="неравный"), "unequal", "NFC"),
        (
            entry("🜂", "fire", en="fire", ru="огонь", category="mineral"),
            "fire",
            "category 'mineral'",
        ),
        (
            entry("🜂", "fire", en="fire", ru="огонь") + entry("🜄", "water", en="fire", ru="вода"),
            "water",
            "already belongs to fire",
        ),
        (entry("A", "letter", en="letter", ru="буква"), "letter", "not a symbol"),
        (entry("🜂", "Fire", en="fire", ru="огонь"), "Fire", "lower-case"),
        (entry("🜂", "fire", en="огонь", ru="огонь"), "fire", "not written in that language"),
    ],
)
def test_broken_entries_are_reported_with_their_entry(
    tmp_path: Path, text: str, names: str, problem: str
) -> None:
    with pytest.raises(LexiconError) as caught:
        read_lexicon(write(tmp_path, text))
    message = str(caught.value)
    assert names in message
    assert problem in message


def test_malformed_toml_is_a_lexicon_error_naming_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, '[[entry]]\nglyph = "🜂\nkey = fire\n')
    with pytest.raises(LexiconError, match=r"lexicon\.toml"):
        read_lexicon(path)


def test_a_file_that_is_not_utf8_is_a_lexicon_error(tmp_path: Path) -> None:
    path = tmp_path / "lexicon.toml"
    path.write_bytes(b'[[entry]]\nglyph = "\xff"\n')
    with pytest.raises(LexiconError, match=r"lexicon\.toml"):
        read_lexicon(path)


def test_a_file_without_entries_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(LexiconError, match=r"no \[\[entry\]\]"):
        read_lexicon(write(tmp_path, "title = 'empty'\n"))


# ── the rule base speaks only of the lexicon's concepts ──


def test_rule_base_uses_only_lexicon_concepts_and_never_operators(lexicon) -> None:
    rules = tomllib.loads((DEFAULT_PATH.parent / "rules.toml").read_text(encoding="utf-8"))
    forbidden = {e.key for e in lexicon if e.category == "operator"} | {"silence"}
    mentioned: set[str] = set()
    for name in ("becomes", "causes", "part_of", "essence"):
        for pair in rules[name]["facts"]:
            mentioned.update(pair)
    for pair in rules["opposite"]["pairs"]:
        mentioned.update(pair)
    for cycle in rules["cycle"]["cycles"]:
        mentioned.update(cycle)
    for mixture in rules["mixture"]["pairs"]:
        mentioned.update(mixture["of"])
        mentioned.update(mixture["gives"])
    assert mentioned <= {e.key for e in lexicon}
    assert not mentioned & forbidden
