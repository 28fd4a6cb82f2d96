"""The LoRA voice: the frozen god, taught by a small adapter to read and write our languages.

``LoraVoice`` is a ``Bridge`` (``name = "lora"``). It owns a private copy of the god's weights
with the adapter switched on: ``hear`` generates the glyph scene of a text (decoding constrained
to lexicon glyphs), ``speak`` generates a sentence for a scene (constrained to text pieces,
greedy, bounded). The god itself keeps thinking with its own model object and no adapter.

Why a copy and not the god's own model with the adapter toggled around each call: the
service's worker thread runs ``God.answer_batch`` whenever a batch is ready, while ``speak`` runs
in other threads (``asyncio.to_thread``) and ``hear`` on the event loop. Toggling an adapter is
global state of a model object, so sharing one would need every forward pass of the god and the
voice under one lock, and one forgotten lock would make the god think with the adapter on (its
glyph answering collapses then). A copy of a model of a few MB shares nothing mutable and costs
nothing to speak of; the voice's own forward passes run under the voice's own lock, because its
two directions may be called from several threads at once.

Unknown words: a word counts as unknown when, heard alone, it gives no glyph and it is not a
function word of the lexicon bridge's stop lists; symbols outside the lexicon and numbers are
unknown as they are for the lexicon bridge. (The voice reads whole sentences, so a word that
helped a phrase but means nothing alone is named unknown too.)
"""

from __future__ import annotations

import json
import logging
import random
import threading
import time
import warnings
from collections.abc import Sequence
from pathlib import Path
from types import SimpleNamespace

import torch

from core.bridge.morphology import en_lemmas, fold_yo, ru_lemmas
from core.bridge.protocol import Bridge
from core.bridge.stopwords import LEMMAS, SURFACE, TEMPLATE
from core.bridge.text import BridgeInputError, Token, clean, glyph_keys, tokenize
from core.bridge.voice_model import allowed_mask, greedy, voice_base, weights_hash
from core.bridge.voice_tokens import VoiceCodec, check_ids, load_voice_tokenizer
from core.language.lexicon import Lexicon
from core.language.oracle import Scene
from core.language.text import detect_language
from core.types import LANGUAGES, BridgeResult, Language

logger = logging.getLogger(__name__)

PACKAGED_VOICE = Path(__file__).parent / "voice"
CARD_NAME = "card.json"
ADAPTER_FILE = "adapter_model.safetensors"
MAX_TEXT = 48  # text pieces one hearing prompt holds; longer messages are heard in chunks
MAX_SCENE = 12  # glyphs one hearing may produce, and glyphs one speaking prompt holds
SPEAK_PART = 5  # a longer glyph message is spoken in parts of this many glyphs
MAX_SPOKEN = 48  # text pieces of one spoken sentence
MAX_WORDS = 64  # distinct words checked one by one for the unknown list
TYPO_SEED = 2024


class VoiceError(RuntimeError):
    """The voice cannot be loaded; the message names the folder and what to do."""


def _language(language: object, allow_auto: bool = True) -> Language | None:
    if language is None or (allow_auto and language == "auto"):
        return None
    if language not in LANGUAGES:
        raise BridgeInputError(f"unknown language {language!r} (expected 'ru' or 'en')")
    return language  # type: ignore[return-value]


def _stop_word(token: Token) -> bool:
    """A function word the lexicon bridge drops (it is not an unknown word)."""
    language = token.script if token.script in LANGUAGES else None
    if language is None:
        return False
    norm = token.norm
    if norm in TEMPLATE[language] or norm in {fold_yo(w) for w in SURFACE[language]}:
        return True
    lemmas = ru_lemmas(norm) if language == "ru" else en_lemmas(norm)
    return any(lemma in LEMMAS[language] for lemma in lemmas)


class LoraVoice:
    """The adapter voice over a copy of the god; see the module docstring."""

    name = "lora"
    inline_chars = 0  # every call runs the network: always off the event loop

    def __init__(
        self,
        model: torch.nn.Module,
        codec: VoiceCodec,
        lexicon: Lexicon,
        card: dict | None = None,
        *,
        fallback: Bridge | None = None,
        path: Path | None = None,
        god: object | None = None,
    ) -> None:
        self.model = model.eval()
        self.codec = codec
        self.lexicon = lexicon
        self.card = card or {}
        self.fallback = fallback
        self.path = path
        self.god = god  # only for measurements (base_intact); never run by the voice itself
        self._lock = threading.Lock()
        self._glyphs = lexicon.glyph_set
        self._hear_mask = allowed_mask(codec.vocab_size, [*codec.glyph_ids, codec.eos_id])
        self._speak_mask = allowed_mask(codec.vocab_size, [*codec.text_ids, codec.eos_id])

    # -- loading ---------------------------------------------------------------------------

    @classmethod
    def load(cls, god, path: str | Path | None = None, fallback: Bridge | None = None) -> LoraVoice:
        """The voice in ``path`` (default: the one in the package) over ``god``.

        Raises VoiceError naming the folder when the adapter is missing, unreadable, or was
        trained on a god with other weights.
        """
        from peft import PeftModel

        folder = Path(path) if path else PACKAGED_VOICE
        if not (folder / "adapter_config.json").is_file() or not (folder / ADAPTER_FILE).is_file():
            raise VoiceError(f"no LoRA voice in {folder} (run `silentgod train-voice`)")
        try:
            card = json.loads((folder / CARD_NAME).read_text("utf-8"))
        except (OSError, ValueError) as error:
            raise VoiceError(
                f"the LoRA voice in {folder} has no readable {CARD_NAME}: {error}"
            ) from error
        expected = str(card.get("base_god_sha256", ""))
        actual = weights_hash(god.model)
        if expected != actual:
            raise VoiceError(
                f"the LoRA voice in {folder} was trained on another god (weights "
                f"{expected[:12] or '?'}…, this god {actual[:12]}…): "
                "retrain it with `silentgod train-voice`"
            )
        try:
            tokenizer = load_voice_tokenizer(folder)
            check_ids(tokenizer, god.codec.tokenizer)
            codec = VoiceCodec(tokenizer, god.codec)
            base = voice_base(god.model, codec.vocab_size)
            with warnings.catch_warnings():
                # peft asks transformers a deprecated question on every load; not ours to fix.
                warnings.simplefilter("ignore", FutureWarning)
                model = PeftModel.from_pretrained(
                    base, str(folder), is_trainable=False, local_files_only=True
                )
        except Exception as error:  # a corrupt folder fails in many libraries' own ways
            raise VoiceError(f"cannot load the LoRA voice from {folder}: {error}") from error
        return cls(model, codec, god.lexicon, card, fallback=fallback, path=folder, god=god)

    # -- the Bridge protocol ---------------------------------------------------------------

    def prepare(self) -> None:
        """The weights are loaded already; the fallback may still have dictionaries to load."""
        if self.fallback is not None:
            self.fallback.prepare()

    def hear(self, text: str, language: Language | None = None) -> BridgeResult:
        """Text (ru/en, glyphs may be mixed in) → the glyph scene the adapter hears."""
        wanted = _language(language)
        cleaned, extra = clean(text)
        tokens = tokenize(cleaned, self._glyphs)
        return self._hear(cleaned, tokens, extra, wanted)

    def speak(self, glyphs: str, language: Language) -> BridgeResult:
        """Glyphs → a sentence in ``language``; glyphs outside the lexicon are named unknown."""
        wanted = _language(language, allow_auto=False)
        if wanted is None:
            raise BridgeInputError("speak needs a language: 'ru' or 'en'")
        cleaned, extra = clean(glyphs)
        return self._speak(tokenize(cleaned, self._glyphs), extra, wanted)

    def translate(self, text_or_glyphs: str, language: Language | None = None) -> BridgeResult:
        """Either direction: glyph-only input is spoken, anything else is heard."""
        wanted = _language(language)
        cleaned, extra = clean(text_or_glyphs)
        tokens = tokenize(cleaned, self._glyphs)
        kinds = {token.kind for token in tokens}
        if "glyph" in kinds and kinds <= {"glyph", "break"}:
            return self._speak(tokens, extra, wanted or "en")
        return self._hear(cleaned, tokens, extra, wanted)

    # -- batched directions (also what the metrics call) -----------------------------------

    def hear_scenes(self, texts: Sequence[str]) -> list[Scene]:
        """The scene heard in each text, as ``hear`` hears it (without the unknown words),
        in batches of 256 prompts."""
        prompts: list[list[int]] = []
        bounds: list[int] = []
        owner: list[int] = []
        for index, text in enumerate(texts):
            cleaned = clean(text)[0]
            for ids, bound in self._chunks(cleaned, tokenize(cleaned, self._glyphs)):
                prompts.append(ids)
                bounds.append(bound)
                owner.append(index)
        heard: list[list[str]] = [[] for _ in texts]
        for start in range(0, len(prompts), 256):
            end = start + 256
            scenes = self._generate_scenes(prompts[start:end], bounds[start:end])
            for index, scene in zip(owner[start:end], scenes, strict=True):
                heard[index].extend(scene)
        return [tuple(keys) for keys in heard]

    def speak_scenes(self, scenes: Sequence[Sequence[str]], language: Language) -> list[str]:
        """A sentence for each scene of concept keys, in batches of 256."""
        parts: list[list[int]] = []
        owner: list[int] = []
        for index, scene in enumerate(scenes):
            scene = tuple(scene)
            pieces = (
                [scene]
                if len(scene) <= MAX_SCENE // 2 + 2
                else [scene[i : i + SPEAK_PART] for i in range(0, len(scene), SPEAK_PART)]
            )
            for piece in pieces:
                if piece:
                    parts.append(self.codec.speak_prompt(piece, language))
                    owner.append(index)
        texts: list[list[str]] = [[] for _ in scenes]
        for start in range(0, len(parts), 256):
            prompts = parts[start : start + 256]
            with self._lock:
                generated = greedy(
                    self.model,
                    prompts,
                    self._speak_mask,
                    self.codec.eos_id,
                    self.codec.pad_id,
                    MAX_SPOKEN,
                )
            for index, ids in zip(owner[start : start + 256], generated, strict=True):
                sentence = self.codec.decode(ids)
                texts[index].append(sentence[:1].upper() + sentence[1:])
        return [" ".join(s for s in spoken if s) for spoken in texts]

    # -- internals -------------------------------------------------------------------------

    @staticmethod
    def _clip(ids: list[int]) -> list[int]:
        return ids[:MAX_TEXT]

    def _generate_scenes(
        self, texts_ids: Sequence[Sequence[int]], bounds: Sequence[int] | None = None
    ) -> list[Scene]:
        live = [i for i, ids in enumerate(texts_ids) if ids]
        scenes: list[Scene] = [() for _ in texts_ids]
        if not live:
            return scenes
        prompts = [self.codec.hear_prompt(texts_ids[i]) for i in live]
        limits = [bounds[i] for i in live] if bounds is not None else MAX_SCENE
        with self._lock:
            generated = greedy(
                self.model, prompts, self._hear_mask, self.codec.eos_id, self.codec.pad_id, limits
            )
        for index, ids in zip(live, generated, strict=True):
            scenes[index] = tuple(self.codec.scenes.id_to_key[i] for i in ids)
        return scenes

    def _chunks(self, cleaned: str, tokens: list[Token]) -> list[tuple[list[int], int]]:
        """Prompt ids of a message (cut at word boundaries when it is long) and for each the
        most glyphs it may give (its words and glyphs, plus two)."""
        content = sum(t.kind in ("word", "glyph", "number") for t in tokens)
        whole = self.codec.encode([cleaned])[0]
        if len(whole) <= MAX_TEXT:
            return [(whole, min(MAX_SCENE, content + 2))] if whole else []
        kept = [t for t in tokens if t.kind != "break" or t.text.strip()]
        sizes = [len(ids) for ids in self.codec.encode([t.text for t in kept])]
        chunks: list[tuple[list[int], int]] = []
        words: list[str] = []
        count = used = 0
        for token, size in zip(kept, sizes, strict=True):
            if words and used + size > MAX_TEXT:
                ids = self.codec.encode([" ".join(words)])[0][:MAX_TEXT]
                chunks.append((ids, min(MAX_SCENE, count + 2)))
                words, count, used = [], 0, 0
            words.append(token.text)
            used += size
            count += token.kind in ("word", "glyph", "number")
        if words:
            ids = self.codec.encode([" ".join(words)])[0][:MAX_TEXT]
            chunks.append((ids, min(MAX_SCENE, count + 2)))
        return chunks

    def _hear(
        self, cleaned: str, tokens: list[Token], extra: dict[str, object], wanted: Language | None
    ) -> BridgeResult:
        chunks = self._chunks(cleaned, tokens)
        words: dict[str, Token] = {}
        unknown: dict[str, None] = {}
        for token in tokens:
            if token.kind in ("foreign", "number") and not (
                token.kind == "number" and token.text in ("1", "2", "3")
            ):
                unknown.setdefault(token.text, None)
            elif token.kind == "word" and not _stop_word(token) and len(words) < MAX_WORDS:
                words.setdefault(token.norm, token)
        word_ids = [self._clip(ids) for ids in self.codec.encode(list(words))]
        scenes = self._generate_scenes(
            [ids for ids, _ in chunks] + word_ids,
            [bound for _, bound in chunks] + [2] * len(word_ids),
        )
        keys = tuple(key for scene in scenes[: len(chunks)] for key in scene)
        alone = scenes[len(chunks) :]
        found_unknown = [token.text for token, scene in zip(words.values(), alone, strict=True)]
        for text, scene in zip(found_unknown, alone, strict=True):
            if not scene:
                unknown.setdefault(text, None)
        extra["chunks"] = len(chunks)
        return BridgeResult(
            glyphs=self.lexicon.glyphs(keys),
            text=cleaned,
            concepts=keys,
            unknown=tuple(unknown),
            language=wanted or detect_language(cleaned),
            direction="text_to_glyphs",
            extra=extra,
        )

    def _speak(
        self, tokens: list[Token], extra: dict[str, object], language: Language
    ) -> BridgeResult:
        keys, unknown = glyph_keys(self.lexicon, tokens)
        text = self.speak_scenes([keys], language)[0] if keys else ""
        if keys and not text and self.fallback is not None:
            # The adapter said nothing at all: let the dictionary speak rather than stay mute.
            text = self.fallback.speak(self.lexicon.glyphs(keys), language).text
            extra["fallback"] = self.fallback.name
        return BridgeResult(
            glyphs=self.lexicon.glyphs(keys),
            text=text,
            concepts=tuple(keys),
            unknown=unknown,
            language=language,
            direction="glyphs_to_text",
            extra=extra,
        )

    # -- the god underneath ----------------------------------------------------------------

    def glyph_view(self) -> torch.nn.Module:
        """The voice's copy of the god with the adapter off, logits cut to the god's
        vocabulary: a drop-in model for ``God`` (for measurements only)."""
        return _GlyphView(self)

    def __repr__(self) -> str:
        return f"LoraVoice({self.path or 'in memory'}, {self.codec.vocab_size} tokens)"


class _GlyphView(torch.nn.Module):
    """The voice's base with ``disable_adapter()``, answering like the god's own model."""

    def __init__(self, voice: LoraVoice) -> None:
        super().__init__()
        self._voice = voice
        self._width = voice.codec.god_vocab_size

    def forward(self, **kwargs: object) -> SimpleNamespace:
        voice = self._voice
        with voice._lock, voice.model.disable_adapter():
            output = voice.model(**kwargs)
        return SimpleNamespace(logits=output.logits[..., : self._width], cache=output.cache)


# -- measurements --------------------------------------------------------------------------


def typo_records(records: Sequence[dict], seed: int = TYPO_SEED) -> list[dict]:
    """A typo'd copy of a test set (deterministic: the same seed, the same typos)."""
    from core.bridge.voice_data import typo_copy

    rng = random.Random(seed)
    return [{**record, "text": typo_copy(str(record["text"]), rng)} for record in records]


def _batched_concept_scores(voice: LoraVoice, records: Sequence[dict]) -> dict[str, float]:
    """``metrics.concept_scores`` for the voice, heard in batches (same definitions)."""
    from collections import Counter

    from core.bridge.metrics import _ratio

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
    view = voice.glyph_view()
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
    report.update(_batched_concept_scores(voice, records))
    seconds = time.perf_counter() - started
    typos = typo_records(records)
    voice_typos = _batched_concept_scores(voice, typos)
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
