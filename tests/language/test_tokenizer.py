"""The god's tokenizer: glyphs only, deaf to our words."""

from __future__ import annotations

import pytest

from core.language.lexicon import load_lexicon
from core.language.oracle import Exchange
from core.language.tokenizer import (
    SPECIAL_TOKENS,
    UNK,
    SceneCodec,
    build_tokenizer,
    load_tokenizer,
)


@pytest.fixture(scope="module")
def lexicon():
    return load_lexicon()


@pytest.fixture(scope="module")
def tokenizer(lexicon):
    return build_tokenizer(lexicon)


def test_vocabulary_is_glyphs_and_special_tokens_only(lexicon, tokenizer) -> None:
    vocab = tokenizer.get_vocab()
    assert set(vocab) == set(SPECIAL_TOKENS) | {entry.glyph for entry in lexicon}
    assert len(vocab) == len(lexicon) + len(SPECIAL_TOKENS)


def test_every_glyph_round_trips(lexicon, tokenizer) -> None:
    for entry in lexicon:
        ids = tokenizer.encode(entry.glyph, add_special_tokens=False)
        assert len(ids) == 1 and ids[0] != tokenizer.unk_token_id, entry.key
        assert tokenizer.convert_ids_to_tokens(ids) == [entry.glyph]
    scene = "".join(entry.glyph for entry in lexicon)
    ids = tokenizer.encode(scene, add_special_tokens=False)
    assert tokenizer.convert_ids_to_tokens(ids) == [entry.glyph for entry in lexicon]


def test_the_god_cannot_read_our_words(tokenizer) -> None:
    for word in ("fire", "огонь", "Fire and water", "время"):
        tokens = tokenizer.convert_ids_to_tokens(tokenizer.encode(word, add_special_tokens=False))
        assert tokens and set(tokens) == {UNK}, word


def test_variation_selectors_are_the_same_glyph(tokenizer) -> None:
    plain = tokenizer.encode("🕯🔥", add_special_tokens=False)
    assert tokenizer.encode("🕯\ufe0f🔥\ufe0f", add_special_tokens=False) == plain
    assert tokenizer.encode("🕯\ufe0e🔥", add_special_tokens=False) == plain


def test_zwj_sequences_and_combining_marks_are_one_token(tokenizer) -> None:
    family = "👨\u200d👩\u200d👧"
    assert tokenizer.convert_ids_to_tokens(tokenizer.encode(family, add_special_tokens=False)) == [
        UNK
    ]
    assert len(tokenizer.encode("🜂" + family + "🜄", add_special_tokens=False)) == 3
    assert tokenizer.encode("e\u0301", add_special_tokens=False) == [tokenizer.unk_token_id]
    assert tokenizer.encode("👍🏽", add_special_tokens=False) == [tokenizer.unk_token_id]


def test_save_and_load_keep_ids(tmp_path, lexicon, tokenizer) -> None:
    tokenizer.save_pretrained(tmp_path)
    loaded = load_tokenizer(tmp_path)
    text = "🜂⧖🕯 fire 🕯️"
    assert loaded.encode(text) == tokenizer.encode(text)
    assert loaded.get_vocab() == tokenizer.get_vocab()


def test_codec_lays_out_turns(lexicon, tokenizer) -> None:
    codec = SceneCodec(tokenizer, lexicon)
    context = Exchange(("cycle", "night"), ("dawn",))
    ids, start = codec.training_ids(("then",), ("day",), context)
    g = lexicon.glyph
    assert tokenizer.convert_ids_to_tokens(ids) == [
        "<bos>", "<ctx>", g("cycle"), g("night"), "<a>", g("dawn"),
        "<q>", g("then"), "<a>", g("day"), "<eos>",
    ]  # fmt: skip
    assert codec.scene_of(ids[start:]) == ("day",)
    assert codec.scene_of([codec.question_id]) is None
