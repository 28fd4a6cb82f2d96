"""How well the voice hears and speaks, and proof that the god underneath is untouched.

Plain synchronous code for ``silentgod eval`` and ``train-voice``: it calls the voice's batched
directions in-process and never goes through the service's worker.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING

import torch

from core.types import LANGUAGES
from core.voice.model import weights_hash
from core.voice.runtime import ADAPTER_FILE, LoraVoice
from core.voice.samples import Sample, typo_copy

if TYPE_CHECKING:
    from core.bridge.lexicon_bridge import LexiconBridge

TYPO_SEED = 2024


def glyph_view(voice: LoraVoice) -> torch.nn.Module:
    """The voice's copy of the god with the adapter off, logits cut to the god's vocabulary:
    a drop-in model for ``God`` (for measurements only)."""
    return _GlyphView(voice)


def _ratio(part: int, whole: int) -> float:
    return part / whole if whole else 1.0


class _GlyphView(torch.nn.Module):
    """The voice's base with ``disable_adapter()``, answering like the god's own model."""

    def __init__(self, voice: LoraVoice) -> None:
        super().__init__()
        self._voice = voice
        self._width = voice.codec.god_vocab_size

    def forward(self, **kwargs: object) -> SimpleNamespace:
        voice = self._voice
        with voice.lock, voice.model.disable_adapter():
            output = voice.model(**kwargs)
        return SimpleNamespace(logits=output.logits[..., : self._width], cache=output.cache)


def typo_records(records: Sequence[dict], seed: int = TYPO_SEED) -> list[dict]:
    """A typo'd copy of a test set (deterministic: the same seed, the same typos)."""
    rng = random.Random(seed)
    return [{**record, "text": typo_copy(str(record["text"]), rng)} for record in records]


def voice_concept_scores(voice: LoraVoice, records: Sequence[dict]) -> dict[str, float]:
    """``metrics.concept_scores`` for the voice, heard in batches (same definitions)."""
    heard = voice.hear_scenes([str(r["text"]) for r in records])
    found, gold_total, heard_total = Counter[str](), Counter[str](), Counter[str]()
    for record, scene in zip(records, heard, strict=True):
        language = str(record["lang"])
        gold = Counter(str(k) for k in record["concepts"])
        got = Counter(scene)
        found[language] += sum((gold & got).values())
        gold_total[language] += sum(gold.values())
        heard_total[language] += sum(got.values())
    scores: dict[str, float] = {}
    for language in LANGUAGES:
        scores[f"concept_recall_{language}"] = round(
            _ratio(found[language], gold_total[language]), 4
        )
        scores[f"concept_precision_{language}"] = round(
            _ratio(found[language], heard_total[language]), 4
        )
    return scores


def base_intact(voice: LoraVoice, god, sample: int = 300, seed: int = 1) -> dict[str, object]:
    """With the adapter off, the voice's copy answers like the god: glyph logits bit-identical
    on a sample of held-out prompts, and the same held-out answers (so the same accuracy)."""
    from core.language.corpus import build_corpus
    from core.language.oracle import load_rules
    from core.model.decoding import left_pad
    from core.model.evaluate import exact_match, sample_per_family
    from core.model.god import God

    rules = load_rules()
    data_seed = int(god.card.get("settings", {}).get("data_seed", 0))
    corpus = build_corpus(rules, seed=data_seed)
    rng = random.Random(seed)
    examples = sample_per_family(corpus.heldout, max(1, sample // 5), rng)[:sample]
    prompts = [god.codec.prompt_ids(e.question, e.context) for e in examples]
    input_ids, attention, positions = left_pad(prompts, god.codec.pad_id)
    view = glyph_view(voice)
    with torch.inference_mode():
        original = god.model(input_ids=input_ids, attention_mask=attention, position_ids=positions)
        copied = view(input_ids=input_ids, attention_mask=attention, position_ids=positions)
    identical = torch.equal(original.logits, copied.logits)
    twin = God(view, god.codec, god.card)
    god_score, _, _, _ = exact_match(god, examples)
    twin_score, _, _, _ = exact_match(twin, examples)
    same_answers = god.answer_batch([_request(e) for e in examples]) == twin.answer_batch(
        [_request(e) for e in examples]
    )
    return {
        "base_intact": bool(identical and same_answers and god_score == twin_score),
        "base_logits_identical": bool(identical),
        "base_same_answers": bool(same_answers),
        "base_heldout_exact_match_god": round(god_score, 4),
        "base_heldout_exact_match_adapter_off": round(twin_score, 4),
        "base_prompts_compared": len(examples),
        "base_god_sha256": weights_hash(god.model),
    }


def _request(example):  # -> Request
    from core.model.god import Request

    return Request(example.question, example.context)


def evaluate_voice(voice: LoraVoice, dataset_path: str | Path) -> dict[str, object]:
    """Every figure ``silentgod eval`` shows under ``bridge.lora``."""
    from core.bridge.lexicon_bridge import LexiconBridge
    from core.bridge.metrics import answer_scenes, concept_scores, load_sentences

    records = load_sentences(dataset_path)
    report: dict[str, object] = {}
    started = time.perf_counter()
    report.update(voice_concept_scores(voice, records))
    seconds = time.perf_counter() - started
    typos = typo_records(records)
    voice_typos = voice_concept_scores(voice, typos)
    report["on_typos"] = voice_typos
    teacher = LexiconBridge(voice.lexicon)
    report["lexicon_on_typos"] = {k: round(v, 4) for k, v in concept_scores(teacher, typos).items()}
    scenes = answer_scenes()
    for language in LANGUAGES:
        spoken = voice.speak_scenes(scenes, language)
        hits = 0
        for scene, text in zip(scenes, spoken, strict=True):
            heard = teacher.hear(text, language)
            hits += heard.concepts == tuple(scene) and not heard.unknown
        report[f"roundtrip_{language}"] = round(hits / max(1, len(scenes)), 4)
    report["roundtrip_scenes"] = len(scenes)
    if voice.god is not None:
        report.update(base_intact(voice, voice.god))
    adapter = voice.path / ADAPTER_FILE if voice.path else None
    report["adapter_bytes"] = adapter.stat().st_size if adapter and adapter.is_file() else None
    trainable = sum(p.numel() for n, p in voice.model.named_parameters() if _adapter_name(n))
    total = sum(p.numel() for p in voice.model.parameters())
    report["trainable_parameters"] = trainable
    report["trainable_share"] = round(trainable / total, 4)
    report["sentences_per_s"] = round(len(records) / seconds, 1) if seconds > 0 else None
    report["train_seconds"] = voice.card.get("train_seconds")
    report["base_god_sha256_card"] = voice.card.get("base_god_sha256")
    return report


def _adapter_name(name: str) -> bool:
    return "lora_" in name or ".modules_to_save." in name


FLOORS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)


def choose_floors(voice: LoraVoice, dev: Sequence[Sample]) -> tuple[float, float]:
    """The confidence floors of the best concept F1 (micro, both languages) on ``dev``: one for
    glyphs the dictionary's reading did not hold, and one (never higher) for glyphs it did
    (the same for a voice without hints)."""
    judged = voice.hear_judged([s.text for s in dev])
    best, chosen = -1.0, (0.0, 0.0)
    for floor in FLOORS:
        for agreed in [f for f in FLOORS if f <= floor] if voice.hints else [floor]:
            found = gold = heard = 0
            floors = (floor, agreed)
            for sample, keys in zip(dev, judged, strict=True):
                got = Counter(k for k, chance, sure in keys if chance >= floors[sure])
                want = Counter(sample.scene)
                found += sum((want & got).values())
                gold += sum(want.values())
                heard += sum(got.values())
            f1 = 2 * found / max(1, gold + heard)
            if f1 > best + 1e-9:
                best, chosen = f1, (floor, agreed)
    return chosen


def probe(
    voice: LoraVoice,
    teacher: LexiconBridge,
    hear: Sequence[Sample],
    noisy: Sequence[Sample],
    speak: Sequence[Sample],
) -> dict[str, float]:
    """Exact match on held-out generated pairs: hearing clean and noised text, speaking
    (the spoken sentence reads back through the lexicon bridge as its scene)."""
    figures: dict[str, float] = {}
    for name, samples in (("hear", hear), ("hear_noisy", noisy)):
        scenes = voice.hear_scenes([s.text for s in samples])
        hits = sum(tuple(a) == tuple(s.scene) for a, s in zip(scenes, samples, strict=True))
        figures[name] = round(hits / max(1, len(samples)), 4)
    hits = 0
    for language in ("ru", "en"):
        chosen = [s for s in speak if s.language == language]
        texts = voice.speak_scenes([s.scene for s in chosen], language)
        for text, sample in zip(texts, chosen, strict=True):
            hits += teacher.hear(text, language).concepts == tuple(sample.scene)
    figures["speak"] = round(hits / max(1, len(speak)), 4)
    return figures
