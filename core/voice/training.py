"""Training the LoRA voice on a frozen god: deterministic, CPU-sized, read top to bottom.

Generate the pairs (``data``), read the writers' labelled sentences (``natural``), learn the
text pieces and extend the god's vocabulary (``tokens``), copy the god and grow its embeddings
(``model``), wrap the copy in LoRA plus trainable embedding/output copies, train on mixed
batches of both directions with the loss on the output only (most hearing rows carry the
dictionary's exact-word reading of their noised text before it: ``hearing.hinted``), probe
held-out generated pairs as it goes, check that the god's weights did not move, save the
adapter, the tokenizer and the card.
"""

from __future__ import annotations

import argparse
import functools
import json
import logging
import math
import platform
import random
import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
from peft import PeftModel, get_peft_model

from core.bridge.lexicon_bridge import LexiconBridge
from core.bridge.metrics import answer_scenes
from core.language.lexicon import Lexicon
from core.language.oracle import RuleBase, Scene, load_rules
from core.model.god import God
from core.report import print_json
from core.voice.data import VoiceData
from core.voice.hearing import hint_reader
from core.voice.measure import choose_floors, probe
from core.voice.model import (
    frozen_hash,
    lora_config,
    voice_base,
    warm_start,
    weights_hash,
)
from core.voice.natural import natural_samples
from core.voice.rows import Row, hear_row, make_batch, speak_row, target_loss
from core.voice.runtime import CARD_NAME, LoraVoice
from core.voice.samples import HEAR, Sample, noise
from core.voice.shapes import Shapes, spoken_typos
from core.voice.tokens import VoiceCodec, build_voice_tokenizer, check_ids, load_voice_tokenizer

logger = logging.getLogger(__name__)

BUCKET = 8  # batches drawn at once and grouped by length


@dataclass(frozen=True, slots=True)
class VoiceSettings:
    """Everything that determines a voice training run."""

    steps: int = 5600
    batch_size: int = 128
    learning_rate: float = 6e-3
    warmup_steps: int = 150
    rank: int = 16
    alpha: int = 16
    targets: tuple[str, ...] = ("q_proj", "k_proj", "v_proj", "o_proj")
    layers: str = "all"  # "all", "ends" (first and last) or "0,3"
    text_vocab: int = 3000
    hear_pool: int = 80_000
    speak_pool: int = 20_000
    speak_share: float = 0.15
    noise_share: float = 0.35
    # Hearing texts misspelt as people write (spelt as heard, doubles, words run together).
    spoken_share: float = 0.3
    # Hearing pairs built in frames (talk, clauses, long sentences, mixed scripts: ``shapes``).
    shape_share: float = 0.25
    # Hearing rows drawn from the writers' labelled natural sentences (``natural``).
    natural_share: float = 0.3
    # Hearing rows that carry the dictionary's reading before the text (0: a voice without
    # hints); the rest teach it to hear without one, as it hears a word alone.
    hint_share: float = 0.85
    seed: int = 0
    concepts: int = 0  # 0: every concept of the lexicon; n: a seeded subset (quick runs)
    warm_start: bool = True  # text pieces start at the embedding of the glyphs they spell
    # One thread: on a shared two-core machine two OpenMP threads stalled each other 6-15x
    # (0.7-1.8 s a step against 0.11 s with one), and one is as fast when the machine is idle.
    threads: int = 1
    probe_every: int = 1000
    # A safety net for the "at most 15 minutes" promise on a busy machine: training stops
    # early (and the card says so) when the loop has run this long. 0: no limit.
    max_seconds: float = 0.0
    probe_size: int = 200
    dev_size: int = 600
    # A saved voice to go on training (its tokenizer and adapter; "": a new voice). Its card
    # is kept in the new card's "started_from", so the chain of runs is on record.
    start_from: str = ""


def _learning_rate(settings: VoiceSettings, step: int, elapsed: float = 0.0) -> float:
    """Warm-up, then a cosine decay over the steps, or over ``max_seconds`` when the machine is
    so busy that the time limit comes first: a run cut short still ends at a low rate."""
    if step < settings.warmup_steps:
        return settings.learning_rate * (step + 1) / settings.warmup_steps
    progress = (step - settings.warmup_steps) / max(1, settings.steps - settings.warmup_steps)
    if settings.max_seconds:
        progress = min(1.0, max(progress, elapsed / settings.max_seconds))
    return settings.learning_rate * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * progress)))


def _warm_start(model: PeftModel, codec: VoiceCodec) -> int:
    """Seed the trainable embedding copy's text rows from the glyphs they spell."""
    from core.bridge.morphology import fold_yo

    weight = next(
        p
        for n, p in model.named_parameters()
        if n.endswith("embed_tokens.modules_to_save.default.weight")
    )
    lexicon = codec.scenes.lexicon
    words = {codec.scenes.key_to_id[e.key]: [fold_yo(w) for w in (*e.en, *e.ru)] for e in lexicon}
    vocab = codec.tokenizer.get_vocab()
    text_ids = set(codec.text_ids)
    pieces = {i: t for t, i in vocab.items() if i in text_ids}
    return warm_start(weight, pieces, words)


def _earlier_card(folder: str) -> dict[str, object] | None:
    """What a continued run started from: the earlier voice's settings, time and origin."""
    if not folder:
        return None
    card = json.loads((Path(folder) / CARD_NAME).read_text("utf-8"))
    kept = ("command", "settings", "train_seconds", "stopped_early_at_step", "started_from")
    return {key: card.get(key) for key in kept}


def eval_scenes(rules: RuleBase | None = None) -> frozenset[tuple[str, ...]]:
    """The sampled answer scenes the round-trip metric speaks (contemplations and paths):
    never trained on. Single concepts and mixture results are facts of the rule base, a
    finite set the voice must learn; they are trained and measured alike."""
    rules = rules or load_rules()
    facts = set(rules.mixture.values())
    return frozenset(s for s in answer_scenes(rules) if len(s) > 1 and s not in facts)


def train_voice(
    god: God,
    settings: VoiceSettings,
    out_dir: str | Path | None = None,
    *,
    rules: RuleBase | None = None,
    progress: Callable[[int, dict[str, float]], None] | None = None,
    command: str = "",
) -> LoraVoice:
    """Train a voice on ``god`` (left untouched); save it to ``out_dir`` if given."""
    threads = torch.get_num_threads()
    torch.set_num_threads(settings.threads)
    try:
        return _train_voice(god, settings, out_dir, rules, progress, command)
    finally:
        torch.set_num_threads(threads)


def _train_voice(
    god: God,
    settings: VoiceSettings,
    out_dir: str | Path | None,
    rules: RuleBase | None,
    progress: Callable[[int, dict[str, float]], None] | None,
    command: str,
) -> LoraVoice:
    torch.manual_seed(settings.seed)
    rng = random.Random(settings.seed)
    started = time.perf_counter()
    lexicon: Lexicon = god.lexicon
    rules = rules or load_rules()
    god_hash = weights_hash(god.model)

    # 1. Data: generated pairs, and held-out probes drawn with another seed.
    teacher = LexiconBridge(lexicon)
    data = VoiceData(
        lexicon,
        rules,
        teacher,
        seed=settings.seed,
        exclude_speak=eval_scenes(rules),
        concepts=settings.concepts,
    )
    shapes = Shapes(data)
    framed = round(settings.hear_pool * settings.shape_share)
    hear = data.hear_samples(settings.hear_pool - framed, rng)
    hear += shapes.samples(framed, rng)
    speak = data.speak_samples(settings.speak_pool, rng)
    known = set(data.keys)
    natural, natural_dev = (
        [s for s in natural_samples(dev=split) if known.issuperset(s.scene)]
        if settings.natural_share
        else []
        for split in (False, True)
    )
    probe_rng = random.Random(settings.seed + 1_000)
    probe_hear = data.hear_samples(settings.probe_size, probe_rng)
    probe_speak = data.speak_samples(settings.probe_size, probe_rng)
    probe_noisy = [Sample(HEAR, noise(s.text, probe_rng), s.scene, s.language) for s in probe_hear]
    # The development split the confidence floor is chosen on: generated with its own seed,
    # clean and misspelt, plain and framed (never a test sentence).
    dev_rng = random.Random(settings.seed + 2_000)
    dev = data.hear_samples(settings.dev_size, dev_rng)
    dev += shapes.samples(settings.dev_size // 2, dev_rng)
    dev += natural_dev
    dev += [Sample(HEAR, spoken_typos(s.text, dev_rng), s.scene, s.language) for s in dev]

    # 2. Vocabulary: the god's ids, the task tokens, then pieces learnt from the clean texts.
    texts = [s.text for s in (*hear, *natural, *speak)]
    if settings.start_from:
        tokenizer = load_voice_tokenizer(settings.start_from)
        check_ids(tokenizer, god.codec.tokenizer)
    else:
        tokenizer = build_voice_tokenizer(god.codec.tokenizer, texts, settings.text_vocab)
    codec = VoiceCodec(tokenizer, god.codec)
    speak_rows = [
        row
        for sample, ids in zip(speak, codec.encode([s.text for s in speak]), strict=True)
        if (row := speak_row(codec, sample, ids)) is not None
    ]
    data_seconds = time.perf_counter() - started

    # 3. The model: a copy of the god, grown, frozen, wrapped in the adapter.
    base = voice_base(god.model, codec.vocab_size)
    base_hash = frozen_hash(base)
    layer_count = int(base.config.num_hidden_layers)
    config = lora_config(
        settings.rank, settings.alpha, settings.targets, settings.layers, layer_count
    )
    torch.manual_seed(settings.seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # peft's deprecated transformers call
        if settings.start_from:
            model = PeftModel.from_pretrained(
                base, settings.start_from, is_trainable=True, local_files_only=True
            )
        else:
            model = get_peft_model(base, config)
    trainable, total = model.get_nb_trainable_parameters()
    fresh = settings.warm_start and not settings.start_from
    warmed = _warm_start(model, codec) if fresh else 0
    parameters = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(
        parameters, lr=settings.learning_rate, betas=(0.9, 0.98), weight_decay=0.0
    )
    reader = hint_reader(lexicon) if settings.hint_share else None
    voice = LoraVoice(model, codec, lexicon, card={}, hints=reader)

    @functools.lru_cache(maxsize=1 << 18)  # clean texts come back again and again
    def reading(text: str) -> Scene:
        return reader.hear(text).concepts if reader is not None else ()

    def hint(text: str) -> Scene | None:
        return reading(text) if reader and rng.random() < settings.hint_share else None

    # 4. Training: mixed batches of both directions; hearing texts noised on the fly. Rows
    # are drawn BUCKET batches at a time and grouped by length, so little is padding.
    speak_count = round(settings.batch_size * settings.speak_share)

    def draw() -> list[list[Row]]:
        drawn = [
            rng.choice(natural)
            if natural and rng.random() < settings.natural_share
            else rng.choice(hear)
            for _ in range((settings.batch_size - speak_count) * BUCKET)
        ]
        texts = [
            noise(s.text, rng) if rng.random() < settings.noise_share else s.text for s in drawn
        ]
        texts = [
            spoken_typos(t, rng, rate=rng.choice((0.25, 0.5)))
            if rng.random() < settings.spoken_share
            else t
            for t in texts
        ]
        rows = [
            row
            for sample, text, ids in zip(drawn, texts, codec.encode(texts), strict=True)
            if (row := hear_row(codec, ids, sample.scene, hint(text))) is not None
        ]
        rows += [rng.choice(speak_rows) for _ in range(speak_count * BUCKET)]
        rows.sort(key=lambda r: len(r[0]) + len(r[1]))
        size = -(-len(rows) // BUCKET)
        groups = [rows[i : i + size] for i in range(0, len(rows), size)]
        rng.shuffle(groups)
        return groups

    loss_value = float("nan")
    probes: dict[str, float] = {}
    pending: list[list[Row]] = []
    train_started = time.perf_counter()
    stopped_at: int | None = None
    for step in range(settings.steps):
        if settings.max_seconds and time.perf_counter() - train_started > settings.max_seconds:
            stopped_at = step
            logger.warning("voice training stopped early at step %d (time limit)", step)
            break
        model.train()
        for group in optimizer.param_groups:
            group["lr"] = _learning_rate(settings, step, time.perf_counter() - train_started)
        if not pending:
            pending = draw()
        rows = pending.pop()
        input_ids, attention, labels = make_batch(rows, codec.pad_id)
        loss = target_loss(model, input_ids, attention, labels)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(parameters, 1.0)
        optimizer.step()
        loss_value = float(loss.detach())
        last = step == settings.steps - 1
        if settings.probe_every and ((step + 1) % settings.probe_every == 0 or last):
            model.eval()
            probes = probe(voice, teacher, probe_hear, probe_noisy, probe_speak)
        if progress:
            progress(step, {"loss": loss_value, **probes})
    train_seconds = time.perf_counter() - train_started
    model.eval()

    # 5. The god did not move: neither the god's own model nor the voice's frozen copy.
    if weights_hash(god.model) != god_hash:
        raise RuntimeError("training the voice changed the god's weights")
    if frozen_hash(model) != base_hash:
        raise RuntimeError("training the voice changed the frozen copy of the god")

    voice.confidence, voice.agreed_confidence = choose_floors(voice, dev)
    card: dict[str, object] = {
        "command": command,
        "confidence": voice.confidence,
        "agreed_confidence": voice.agreed_confidence,
        "hints": reader is not None,
        "settings": {**asdict(settings), "targets": list(settings.targets)},
        "base_god_sha256": god_hash,
        "base_god_card": {k: god.card.get(k) for k in ("settings", "parameters") if k in god.card},
        "vocabulary": {
            "god": codec.god_vocab_size,
            "voice": codec.vocab_size,
            "text_pieces": len(codec.text_ids),
        },
        "trainable_parameters": trainable,
        "all_parameters": total,
        "trainable_share": round(trainable / total, 4),
        "warm_started_rows": warmed,
        "data": {
            "hear_pairs": len(hear),
            "natural_pairs": len(natural),
            "natural_dev": len(natural_dev),
            "speak_pairs": len(speak_rows),
            "seconds": round(data_seconds, 1),
        },
        "train_seconds": round(train_seconds, 1),
        "total_seconds": round(time.perf_counter() - started, 1),
        "final_loss": round(loss_value, 5),
        "stopped_early_at_step": stopped_at,
        "probe": probe(voice, teacher, probe_hear, probe_noisy, probe_speak)
        if stopped_at is not None or not probes
        else probes,
        "base_weights_unchanged": True,
        "started_from": _earlier_card(settings.start_from),
        "torch": torch.__version__,
        "machine": f"{platform.machine()}, {settings.threads} threads",
    }
    voice.card = card
    if out_dir is not None:
        save_voice(voice, out_dir)
    return voice


def save_voice(voice: LoraVoice, out_dir: str | Path) -> Path:
    """Write the adapter (safetensors), the extended tokenizer and the card."""
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    model: PeftModel = voice.model
    model.save_pretrained(str(folder), save_embedding_layers=False)
    # peft writes a model-hub README beside the adapter; the card below says what matters.
    (folder / "README.md").unlink(missing_ok=True)
    voice.codec.tokenizer.save_pretrained(str(folder))
    card = dict(voice.card)
    card["adapter_bytes"] = sum(
        f.stat().st_size for f in folder.glob("adapter_model.safetensors") if f.is_file()
    )
    voice.path = folder
    write_card(voice, card)
    return folder


def write_card(voice: LoraVoice, card: dict[str, object]) -> None:
    """Replace the voice's card, in memory and in its folder."""
    voice.card = card
    if voice.path is not None:
        text = json.dumps(card, ensure_ascii=False, indent=2) + "\n"
        (Path(voice.path) / CARD_NAME).write_text(text, "utf-8")


def _continued(args: argparse.Namespace) -> dict[str, object]:
    """Settings of a run that goes on training a saved voice (``--from``)."""
    chosen: dict[str, object] = {}
    if getattr(args, "start_from", None):
        chosen = {
            "start_from": str(Path(args.start_from)),  # as given: the card ships
            "learning_rate": 2e-3,
            "warmup_steps": 50,
        }
    if getattr(args, "learning_rate", None):
        chosen["learning_rate"] = args.learning_rate
    if getattr(args, "natural_share", None) is not None:
        chosen["natural_share"] = args.natural_share
    return chosen


def run(args: argparse.Namespace) -> int:
    """``silentgod train-voice``: train the LoRA voice on the frozen god and save it (into the
    package unless --out says otherwise), then measure it."""
    from tqdm import tqdm

    from core.model.god import God
    from core.voice.runtime import PACKAGED_VOICE

    settings = VoiceSettings(
        steps=args.steps,
        seed=args.seed,
        threads=args.threads,
        layers=args.layers,
        max_seconds=args.max_minutes * 60,
        **_continued(args),
    )
    out = args.out or str(PACKAGED_VOICE)
    god = God.load(args.model_dir)
    command = " ".join(["silentgod", *sys.argv[1:]]) if sys.argv[1:2] == ["train-voice"] else ""
    with tqdm(total=settings.steps, desc="training the voice", unit="step") as bar:

        def progress(step: int, figures: dict[str, float]) -> None:
            bar.update(1)
            bar.set_postfix(
                {k: f"{v:.3f}" if k != "loss" else f"{v:.4f}" for k, v in figures.items()}
            )

        voice = train_voice(god, settings, out, progress=progress, command=command)
    try:
        from core.evaluation import bridge_dataset
        from core.voice.measure import evaluate_voice

        voice.god = god
        write_card(voice, {**voice.card, "eval": evaluate_voice(voice, bridge_dataset(None))})
    except FileNotFoundError as error:  # outside a checkout: no test set to measure on
        logger.warning("voice trained but not measured: %s", error)
    card = voice.card
    if args.json:
        print_json(card)
    else:
        print(
            f"saved to {out} ({card['adapter_bytes']:,} bytes, {card['train_seconds']} s, "
            f"{card['trainable_share']:.1%} of the parameters trained)"
        )
        figures = {f"probe_{k}": v for k, v in dict(card["probe"]).items()}  # type: ignore[call-overload]
        measured = card.get("eval")
        if isinstance(measured, dict):
            figures.update(
                (k, v) for k, v in measured.items() if k.startswith(("concept_", "roundtrip_r"))
            )
        for key, value in figures.items():
            print(f"  {key:<26} {value:.4f}")
    return 0
