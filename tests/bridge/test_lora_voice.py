"""The LoRA voice: a tiny god and a tiny adapter trained in seconds, and the shipped voice."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest
import torch

from core.bridge.protocol import Bridge
from core.language.corpus import build_corpus
from core.language.graphemes import graphemes
from core.language.oracle import load_rules
from core.model.decoding import left_pad
from core.model.god import PACKAGED_CHECKPOINT, God, Request
from core.model.train import TrainSettings, train_god
from core.voice.measure import base_intact, glyph_view, typo_records
from core.voice.model import frozen_hash, voice_base, weights_hash
from core.voice.runtime import ADAPTER_FILE, PACKAGED_VOICE, LoraVoice, VoiceError
from core.voice.tokens import TASK_TOKENS
from core.voice.training import (
    VoiceSettings,
    hear_row,
    make_batch,
    save_voice,
    target_loss,
    train_voice,
)

TINY_VOICE = VoiceSettings(
    steps=12,
    batch_size=32,
    hear_pool=1500,
    speak_pool=500,
    text_vocab=300,
    concepts=40,
    probe_every=0,
    probe_size=20,
    warmup_steps=4,
    dev_size=40,
)
QUESTIONS = [("fire", "time", "candle"), ("alembic", "growth", "flame"), ("opposition", "fire")]


@pytest.fixture(scope="module")
def tiny_god() -> God:
    corpus = build_corpus(load_rules(), seed=0, contemplations=300, silences=30)
    god, _ = train_god(TrainSettings(size="tiny", steps=25, batch_size=32), corpus=corpus)
    return god


@pytest.fixture(scope="module")
def trained(tiny_god: God, tmp_path_factory: pytest.TempPathFactory) -> tuple[LoraVoice, str, Path]:
    before = weights_hash(tiny_god.model)
    folder = tmp_path_factory.mktemp("voice")
    voice = train_voice(tiny_god, TINY_VOICE, folder)
    return voice, before, folder


def test_training_leaves_the_god_bit_identical(tiny_god: God, trained) -> None:
    voice, before, _ = trained
    assert weights_hash(tiny_god.model) == before
    assert voice.card["base_god_sha256"] == before
    # The voice's frozen copy is the grown god, weight for weight.
    assert frozen_hash(voice.model) == frozen_hash(
        voice_base(tiny_god.model, voice.codec.vocab_size)
    )


def test_training_learns_from_the_writers_sentences(trained) -> None:
    voice, _, _ = trained
    assert voice.card["data"]["natural_pairs"] > 0
    assert voice.card["data"]["natural_dev"] > 0
    # It reads beside the dictionary's reading, and a glyph both heard needs no more.
    assert voice.card["hints"] is True and voice.hints is not None
    assert voice.card["agreed_confidence"] <= voice.card["confidence"]


def test_training_is_deterministic(tiny_god: God, trained) -> None:
    voice, _, _ = trained
    again = train_voice(tiny_god, TINY_VOICE)
    assert again.codec.tokenizer.get_vocab() == voice.codec.tokenizer.get_vocab()
    first, second = voice.model.state_dict(), again.model.state_dict()
    assert first.keys() == second.keys()
    assert all(torch.equal(first[name], second[name]) for name in first)


def test_training_goes_on_from_a_saved_voice(tiny_god: God, trained) -> None:
    voice, before, folder = trained
    settings = dataclasses.replace(TINY_VOICE, steps=4, start_from=str(folder))
    again = train_voice(tiny_god, settings)
    assert weights_hash(tiny_god.model) == before
    assert again.codec.tokenizer.get_vocab() == voice.codec.tokenizer.get_vocab()
    assert again.card["started_from"]["settings"]["steps"] == TINY_VOICE.steps
    assert again.card["warm_started_rows"] == 0
    first, second = voice.model.state_dict(), again.model.state_dict()
    assert first.keys() == second.keys()
    assert any(not torch.equal(first[name], second[name]) for name in first if "lora_" in name)


def test_vocabulary_keeps_the_gods_ids(tiny_god: God, trained) -> None:
    voice, _, _ = trained
    vocab = voice.codec.tokenizer.get_vocab()
    for token, index in tiny_god.codec.tokenizer.get_vocab().items():
        assert vocab[token] == index
    assert all(vocab[t] >= tiny_god.codec.vocab_size for t in TASK_TOKENS)
    fire = tiny_god.codec.key_to_id["fire"]
    candle = tiny_god.codec.key_to_id["candle"]
    assert voice.codec.encode(["🜂🕯️"])[0] == [fire, candle]
    # Text becomes pieces of the new vocabulary (lower-cased, ё folded): no unknown token.
    ids = voice.codec.encode(["Огонь и ЗВЁЗДЫ"])[0]
    assert ids and min(ids) >= voice.codec.text_ids[0]
    assert ids == voice.codec.encode(["огонь и звезды"])[0]


def test_disable_adapter_restores_the_base_exactly(tiny_god: God, trained) -> None:
    voice, _, _ = trained
    prompts = [tiny_god.codec.prompt_ids(q) for q in QUESTIONS]
    input_ids, attention, positions = left_pad(prompts, tiny_god.codec.pad_id)
    with torch.inference_mode():
        original = tiny_god.model(
            input_ids=input_ids, attention_mask=attention, position_ids=positions
        ).logits
        adapter_off = glyph_view(voice)(
            input_ids=input_ids, attention_mask=attention, position_ids=positions
        ).logits
        adapter_on = voice.model(
            input_ids=input_ids, attention_mask=attention, position_ids=positions
        ).logits[..., : tiny_god.codec.vocab_size]
    assert torch.equal(original, adapter_off)
    assert not torch.equal(original, adapter_on)


def test_base_intact_measures_the_same_answers(tiny_god: God, trained) -> None:
    voice, _, _ = trained
    voice.god = tiny_god
    figures = base_intact(voice, tiny_god, sample=40)
    assert figures["base_intact"] is True
    assert (
        figures["base_heldout_exact_match_god"] == figures["base_heldout_exact_match_adapter_off"]
    )


def test_save_then_load_gives_identical_outputs(tiny_god: God, trained) -> None:
    voice, _, folder = trained
    loaded = LoraVoice.load(tiny_god, folder)
    texts = ["огонь и время", "What is the opposite of water?", "звёзды над морем"]
    assert loaded.hear_scenes(texts) == voice.hear_scenes(texts)
    scenes = [("growth", "law", "sun", "unity"), ("steam",)]
    for language in ("ru", "en"):
        assert loaded.speak_scenes(scenes, language) == voice.speak_scenes(scenes, language)
    prompt = [voice.codec.hear_prompt(voice.codec.encode(["огонь"])[0])]
    with torch.inference_mode():
        assert torch.equal(
            loaded.model(input_ids=torch.tensor(prompt)).logits,
            voice.model(input_ids=torch.tensor(prompt)).logits,
        )


def test_the_confidence_floor_only_ever_silences(tiny_god: God, trained) -> None:
    voice, _, folder = trained
    texts = ["огонь и время", "What is the opposite of water?", "звёзды над морем", "qwrtp"]
    scored = voice.hear_scored(texts)
    assert all(0.0 < chance <= 1.0 for keys in scored for _, chance in keys)
    assert voice.card["confidence"] in (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8)
    loaded = LoraVoice.load(tiny_god, folder)
    assert loaded.confidence == voice.card["confidence"]
    for floor in (0.0, 0.5, 0.9):
        strict = LoraVoice.load(tiny_god, folder, confidence=floor)
        wanted = [tuple(k for k, chance in keys if chance >= floor) for keys in scored]
        assert strict.hear_scenes(texts) == wanted
        assert [strict.hear(t).concepts for t in texts] == wanted
    # Above every probability: the voice hears nothing rather than guessing.
    deaf = LoraVoice.load(tiny_god, folder, confidence=1.01)
    assert all(deaf.hear(t).concepts == () for t in texts)


def test_the_voice_is_a_bridge(tiny_god: God, trained) -> None:
    voice, _, _ = trained
    assert isinstance(voice, Bridge) and voice.name == "lora"
    heard = voice.hear("Что будет, если смешать огонь с водой? 🜂 qwertyuiop ♞", "ru")
    assert heard.direction == "text_to_glyphs" and heard.language == "ru"
    glyphs = tiny_god.lexicon.glyph_set
    assert all(g in glyphs for g in graphemes(heard.glyphs))
    assert all(key in tiny_god.lexicon for key in heard.concepts)
    assert "♞" in heard.unknown
    spoken = voice.speak("🜂⧖🕯 ♞", "en")
    assert spoken.direction == "glyphs_to_text" and isinstance(spoken.text, str)
    assert spoken.concepts == ("fire", "time", "candle") and spoken.unknown == ("♞",)
    assert voice.translate("⟁☰☉⚭", "ru").direction == "glyphs_to_text"
    assert voice.translate("fire and time").direction == "text_to_glyphs"
    assert voice.hear("").concepts == () and voice.speak("", "ru").text == ""


def test_the_voice_does_not_change_how_the_god_thinks(tiny_god: God, trained) -> None:
    voice, _, _ = trained
    requests = [Request(q) for q in QUESTIONS]
    before = tiny_god.answer_batch(requests)
    voice.hear("огонь и время")
    voice.speak("🜂⧖🕯", "ru")
    assert tiny_god.answer_batch(requests) == before
    assert voice.model is not tiny_god.model


def test_loading_fails_clearly(tiny_god: God, trained, tmp_path: Path) -> None:
    _, _, folder = trained
    with pytest.raises(VoiceError, match=str(tmp_path / "nowhere")):
        LoraVoice.load(tiny_god, tmp_path / "nowhere")
    corrupt = tmp_path / "corrupt"
    shutil.copytree(folder, corrupt)
    (corrupt / ADAPTER_FILE).write_bytes(b"not a safetensors file")
    with pytest.raises(VoiceError, match=str(corrupt)):
        LoraVoice.load(tiny_god, corrupt)
    other = God(voice_base(tiny_god.model, tiny_god.codec.vocab_size), tiny_god.codec)
    with torch.no_grad():
        other.model.lm_head.weight[0, 0] += 1.0
    with pytest.raises(VoiceError, match="another god"):
        LoraVoice.load(other, folder)


def test_target_loss_is_the_causal_lm_loss(trained) -> None:
    voice, _, _ = trained
    codec = voice.codec
    rows = [
        hear_row(codec, codec.encode([text])[0], scene)
        for text, scene in (("огонь и время", ("fire", "time")), ("water", ("water",)))
    ]
    input_ids, attention, labels = make_batch([r for r in rows if r], codec.pad_id)
    with torch.no_grad():
        full = voice.model(input_ids=input_ids, attention_mask=attention, labels=labels).loss
        mine = target_loss(voice.model, input_ids, attention, labels)
    assert torch.allclose(full, mine, atol=1e-5)


def test_save_writes_the_card_and_tokenizer(trained, tmp_path: Path) -> None:
    voice, _, _ = trained
    folder = save_voice(voice, tmp_path / "again")
    names = {p.name for p in folder.iterdir()}
    assert {"adapter_config.json", ADAPTER_FILE, "tokenizer.json", "card.json"} <= names
    assert 0 < voice.card["adapter_bytes"] < 8_000_000


def test_typo_copy_is_deterministic() -> None:
    records = [{"lang": "ru", "text": "огонь и время", "concepts": ["fire", "time"]}] * 5
    first, second = typo_records(records), typo_records(records)
    assert first == second
    assert any(r["text"] != "огонь и время" for r in first)


def test_the_shipped_voice_hears_fire_and_time() -> None:
    if not (PACKAGED_VOICE / ADAPTER_FILE).is_file():
        pytest.skip(f"no shipped LoRA voice in {PACKAGED_VOICE} (run `silentgod train-voice`)")
    if not (PACKAGED_CHECKPOINT / "config.json").is_file():
        pytest.skip(f"no shipped god in {PACKAGED_CHECKPOINT} (run `silentgod train`)")
    god = God.load()
    voice = LoraVoice.load(god)
    heard = voice.hear("огонь и время", "ru")
    assert "fire" in heard.concepts and "time" in heard.concepts
    # Its confidence in what it hears: fire and time, well above the floor; nothing at all
    # above every probability.
    (scored,) = voice.hear_scored(["огонь и время"])
    assert [key for key, chance in scored if chance > 0.5] == ["fire", "time"]
    assert LoraVoice.load(god, confidence=1.01).hear("огонь и время", "ru").concepts == ()
