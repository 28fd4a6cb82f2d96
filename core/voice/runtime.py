"""The LoRA voice at run time: the frozen god, taught by an adapter to read and write text.

``LoraVoice`` is a ``Bridge`` (``name = "lora"``). It owns a private copy of the god's weights
with the adapter switched on: hearing generates the glyph scene of a text (decoding constrained
to lexicon glyphs), speaking generates a sentence for a scene (constrained to text pieces,
greedy, bounded). The god itself keeps thinking with its own model object and no adapter.

In the service the voice runs in the god's worker (``bind``): hearing and speaking are jobs of
their own kinds in the runner's queue, so the messages of many chats are heard in one batched,
KV-cached decode and spoken in another, under the same bounds, per-user cap and timeout as the
god's questions. The synchronous methods (the command line, the measurements) decode the same
batches in the caller's thread.

Why a copy and not the god's own model with the adapter toggled around each call: toggling an
adapter is global state of a model object, and one forgotten toggle would make the god think
with the adapter on (its glyph answering collapses then). A copy of a model of a few MB shares
nothing mutable and costs nothing to speak of; the voice's forward passes run under the
voice's own lock, because the command line and measurements may call it from other threads.

A voice trained with hints (its card says ``"hints": true``) reads each text beside the
dictionary's reading of it, and learnt from writers' labels where to hear more or less than the
dictionary (``natural``). Unknown words: a word counts as unknown when, heard alone, it gives
no glyph and it is not a function word of the lexicon bridge's stop lists; symbols outside the
lexicon and numbers are unknown as they are for the lexicon bridge.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import warnings
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import torch

from core.bridge.protocol import Bridge
from core.bridge.text import Token, clean, glyph_keys, tokenize
from core.errors import SilentGodError
from core.language.lexicon import Lexicon
from core.language.oracle import Scene
from core.language.text import detect_language
from core.types import BridgeResult, Language
from core.voice.hearing import (
    MAX_SCENE,
    MAX_TEXT,
    Hearing,
    agreement,
    chunk_prompts,
    hint_reader,
    language_of,
    speaking,
    stop_word,
)
from core.voice.model import allowed_mask, greedy, merged, voice_base, weights_hash
from core.voice.tokens import VoiceCodec, check_ids, load_voice_tokenizer

if TYPE_CHECKING:
    from core.bridge.lexicon_bridge import LexiconBridge
    from core.model.runner import GodRunner

logger = logging.getLogger(__name__)

PACKAGED_VOICE = Path(__file__).parent / "adapter"
CARD_NAME = "card.json"
ADAPTER_FILE = "adapter_model.safetensors"
SPEAK_PART = 5  # a longer glyph message is spoken in parts of this many glyphs
MAX_SPOKEN = 48  # text pieces of one spoken sentence
MAX_WORDS = 64  # distinct words checked one by one for the unknown list
ROWS = 512  # prompts decoded together at most (a batch of long messages is cut in such slices)
# Words heard alone (for the unknown list) are remembered: chat words repeat, and at 64 chats
# these prompts were three in four of all the hearing prompts. A word's reading alone depends
# on nothing but the word.
KNOWN_WORDS = 8192
HEAR_JOB, SPEAK_JOB = "voice.hear", "voice.speak"  # the voice's kinds of job in the runner
# A heard glyph whose probability (over the glyphs and <eos> at its step) is below this is
# dropped (a miss, not a wrong concept); an adapter's card carries the floor chosen for it.
DEFAULT_CONFIDENCE = 0.0


class VoiceError(SilentGodError, RuntimeError):
    """The voice cannot be loaded; the message names the folder and what to do."""


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
        runtime: torch.nn.Module | None = None,
        confidence: float | None = None,
        hints: LexiconBridge | None = None,
    ) -> None:
        self.model = model.eval()
        # What hearing and speaking run: ``model`` itself, or (a loaded voice) a copy with
        # the adapter merged into its weights: the same ids, and a decoding step of 64 rows
        # took 4.5 ms instead of 6.5 (no LoRA modules to call).
        self.runtime = runtime.eval() if runtime is not None else self.model
        self.codec = codec
        self.lexicon = lexicon
        self.card = card or {}
        self.fallback = fallback
        self.hints = hints  # the dictionary whose reading precedes each text, or None
        self.path = path
        self.god = god  # only for measurements (base_intact); never run by the voice itself
        self.lock = threading.Lock()
        self._runner: GodRunner | None = None
        self._alone: OrderedDict[tuple[int, ...], bool] = OrderedDict()
        self._glyphs = lexicon.glyph_set
        self._hear_mask = allowed_mask(codec.vocab_size, [*codec.glyph_ids, codec.eos_id])
        self._speak_mask = allowed_mask(codec.vocab_size, [*codec.text_ids, codec.eos_id])
        # The least probability a heard glyph needs to be kept: the one chosen for this
        # adapter on a development set (its card), unless the configuration sets its own.
        chosen = (self.card or {}).get("confidence", DEFAULT_CONFIDENCE)
        self.confidence = float(chosen if confidence is None else confidence)
        # A glyph the dictionary read too needs only this much; a configured floor is for all.
        agreed = (self.card or {}).get("agreed_confidence", self.confidence)
        self.agreed_confidence = float(agreed if confidence is None else confidence)

    # -- loading ---------------------------------------------------------------------------

    @classmethod
    def load(
        cls,
        god,
        path: str | Path | None = None,
        fallback: Bridge | None = None,
        confidence: float | None = None,
    ) -> LoraVoice:
        """The voice in ``path`` (default: the one in the package) over ``god``; ``confidence``
        (None: the adapter card's floor) is the least probability of a heard glyph.

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
            runtime = merged(model)
        except Exception as error:  # a corrupt folder fails in many libraries' own ways
            raise VoiceError(f"cannot load the LoRA voice from {folder}: {error}") from error
        voice = cls(
            model,
            codec,
            god.lexicon,
            card,
            fallback=fallback,
            path=folder,
            god=god,
            confidence=confidence,
            hints=hint_reader(god.lexicon) if card.get("hints") else None,
        )
        voice.runtime = runtime
        return voice

    # -- the Bridge protocol ---------------------------------------------------------------

    def prepare(self) -> None:
        """The weights are loaded already; the fallback may still have dictionaries to load."""
        if self.fallback is not None:
            self.fallback.prepare()

    def hear(self, text: str, language: Language | None = None) -> BridgeResult:
        """Text (ru/en, glyphs may be mixed in) → the glyph scene the adapter hears."""
        return self.hear_batch([(text, language)])[0]

    def speak(self, glyphs: str, language: Language) -> BridgeResult:
        """Glyphs → a sentence in ``language``; glyphs outside the lexicon are named unknown."""
        return self.speak_batch([(glyphs, speaking(language))])[0]

    def translate(self, text_or_glyphs: str, language: Language | None = None) -> BridgeResult:
        """Either direction: glyph-only input is spoken, anything else is heard."""
        wanted = language_of(language)
        if self._glyph_only(text_or_glyphs):
            return self.speak(text_or_glyphs, wanted or "en")
        return self.hear(text_or_glyphs, wanted)

    # -- the same, through the god's worker --------------------------------------------------

    def bind(self, runner: GodRunner) -> None:
        """Run hearing and speaking as jobs of the runner, batched in the god's thread."""
        runner.register(HEAR_JOB, self.hear_batch)
        runner.register(SPEAK_JOB, self.speak_batch)
        self._runner = runner

    async def hear_async(
        self, text: str, language: Language | None = None, asker: str = ""
    ) -> BridgeResult:
        """``hear`` as a job of the bound runner (GodBusy, GodTimeout, GodFailed as the god's)."""
        item = (text, language_of(language))
        if self._runner is None:
            return await asyncio.to_thread(self.hear, *item)
        return await self._runner.submit(HEAR_JOB, item, asker)

    async def speak_async(self, glyphs: str, language: Language, asker: str = "") -> BridgeResult:
        """``speak`` as a job of the bound runner."""
        item = (glyphs, speaking(language))
        if self._runner is None:
            return await asyncio.to_thread(self.speak, *item)
        return await self._runner.submit(SPEAK_JOB, item, asker)

    async def translate_async(
        self, text_or_glyphs: str, language: Language | None = None, asker: str = ""
    ) -> BridgeResult:
        """``translate`` as a job of the bound runner."""
        wanted = language_of(language)
        if self._glyph_only(text_or_glyphs):
            return await self.speak_async(text_or_glyphs, wanted or "en", asker)
        return await self.hear_async(text_or_glyphs, wanted, asker)

    # -- batched directions (what the runner, the metrics and the methods above call) --------

    def hear_batch(self, items: Sequence[tuple[str, Language | None]]) -> list[BridgeResult]:
        """``hear`` of many messages, their prompts decoded together."""
        wanted = [language_of(language) for _, language in items]
        cleaned = [clean(text) for text, _ in items]
        # One call of the tokenizer for the batch: a call costs ~50 µs however short its text.
        wholes = self.codec.encode([text for text, _ in cleaned])
        hearings = [
            self._plan_hearing(text, extra, language, whole)
            for (text, extra), language, whole in zip(cleaned, wanted, wholes, strict=True)
        ]
        scenes = self._decode_scenes(
            [chunk for hearing in hearings for chunk in hearing.chunks],
            [bound for hearing in hearings for bound in hearing.bounds],
        )
        norms = list(dict.fromkeys(n for hearing in hearings for n in hearing.words.values()))
        ids = [tuple(ids[:MAX_TEXT]) for ids in self.codec.encode(norms)]
        gives = self._heard_alone(list(dict.fromkeys(ids)))
        alone = {norm: gives[word] for norm, word in zip(norms, ids, strict=True)}
        results: list[BridgeResult] = []
        for hearing in hearings:
            mine, scenes = scenes[: len(hearing.chunks)], scenes[len(hearing.chunks) :]
            results.append(self._heard(hearing, mine, alone))
        return results

    def speak_batch(self, items: Sequence[tuple[str, Language]]) -> list[BridgeResult]:
        """``speak`` of many glyph messages, their sentences decoded together."""
        parsed = []
        for glyphs, language in items:
            cleaned, extra = clean(glyphs)
            keys, unknown = glyph_keys(self.lexicon, tokenize(cleaned, self._glyphs))
            parsed.append((tuple(keys), unknown, extra, speaking(language)))
        spoken = iter(self._speak_texts([(keys, lang) for keys, _, _, lang in parsed if keys]))
        results: list[BridgeResult] = []
        for keys, unknown, extra, language in parsed:
            text = next(spoken) if keys else ""
            if keys and not text and self.fallback is not None:
                # The adapter said nothing at all: let the dictionary speak, not stay mute.
                text = self.fallback.speak(self.lexicon.glyphs(keys), language).text
                extra["fallback"] = self.fallback.name
            results.append(
                BridgeResult(
                    glyphs=self.lexicon.glyphs(keys),
                    text=text,
                    concepts=keys,
                    unknown=unknown,
                    language=language,
                    direction="glyphs_to_text",
                    extra=extra,
                )
            )
        return results

    def hear_scenes(self, texts: Sequence[str]) -> list[Scene]:
        """The scene heard in each text, as ``hear`` hears it (without the unknown words),
        in batches of 256 prompts."""
        return [self._kept(judged) for judged in self.hear_judged(texts)]

    def hear_scored(self, texts: Sequence[str]) -> list[list[tuple[str, float]]]:
        """Every glyph the voice would hear in each text with no confidence floor, with the
        probability it gave it."""
        return [[(key, chance) for key, chance, _ in judged] for judged in self.hear_judged(texts)]

    def hear_judged(self, texts: Sequence[str]) -> list[list[tuple[str, float, bool]]]:
        """``hear_scored`` with, for each glyph, whether the dictionary's reading given to a
        hinted voice held it too (for choosing the floors on a development set)."""
        prompts: list[list[int]] = []
        bounds: list[int] = []
        owner: list[int] = []
        for index, text in enumerate(texts):
            cleaned = clean(text)[0]
            for ids, bound in self._chunks(cleaned, tokenize(cleaned, self._glyphs)):
                prompts.append(ids)
                bounds.append(bound)
                owner.append(index)
        heard: list[list[tuple[str, float, bool]]] = [[] for _ in texts]
        for start in range(0, len(prompts), 256):
            end = start + 256
            scenes = self._generate_judged(prompts[start:end], bounds[start:end])
            for index, scene in zip(owner[start:end], scenes, strict=True):
                heard[index].extend(scene)
        return heard

    def speak_scenes(self, scenes: Sequence[Sequence[str]], language: Language) -> list[str]:
        """A sentence for each scene of concept keys, in batches of 256."""
        return self._speak_texts([(tuple(scene), language) for scene in scenes], rows=256)

    # -- internals -------------------------------------------------------------------------

    def _heard_alone(self, words: list[tuple[int, ...]]) -> dict[tuple[int, ...], bool]:
        """Whether each word (its ids), heard alone, gives a glyph; new words decoded together.

        They are decoded apart from the sentences: a word is a few pieces long and would
        otherwise be padded to the longest sentence of the batch.
        """
        with self.lock:
            known = {ids: self._alone[ids] for ids in words if ids in self._alone}
        new = [ids for ids in words if ids not in known]
        if not new:
            return known
        found = [bool(scene) for scene in self._decode_scenes(new, [2] * len(new))]
        with self.lock:
            for ids, gives in zip(new, found, strict=True):
                self._alone[ids] = known[ids] = gives
            while len(self._alone) > KNOWN_WORDS:
                self._alone.popitem(last=False)
        return known

    def _decode_scenes(
        self, texts_ids: Sequence[Sequence[int]], bounds: Sequence[int]
    ) -> list[Scene]:
        scenes: list[Scene] = []
        for start in range(0, len(texts_ids), ROWS):
            end = start + ROWS
            scenes += self._generate_scenes(texts_ids[start:end], bounds[start:end])
        return scenes

    def _generate_scenes(
        self, texts_ids: Sequence[Sequence[int]], bounds: Sequence[int] | None = None
    ) -> list[Scene]:
        """The glyphs heard in each prompt, each kept only if the voice was sure enough of it
        (a doubtful glyph is silence, not a guess)."""
        return [self._kept(judged) for judged in self._generate_judged(texts_ids, bounds)]

    def _kept(self, judged: list[tuple[str, float, bool]]) -> Scene:
        """The glyphs the voice was at least ``confidence`` sure of, or ``agreed_confidence``
        where the dictionary read the same concept."""
        floors = (self.confidence, self.agreed_confidence)
        return tuple(key for key, chance, agreed in judged if chance >= floors[agreed])

    def _generate_judged(
        self, texts_ids: Sequence[Sequence[int]], bounds: Sequence[int] | None = None
    ) -> list[list[tuple[str, float, bool]]]:
        """Each heard glyph's concept, the probability the voice gave it, and whether the
        prompt's reading by the dictionary (a hinted voice's) held it."""
        live = [i for i, ids in enumerate(texts_ids) if ids]
        scored: list[list[tuple[str, float, bool]]] = [[] for _ in texts_ids]
        if not live:
            return scored
        prompts = [self.codec.hear_prompt(texts_ids[i]) for i in live]
        limits = [bounds[i] for i in live] if bounds is not None else MAX_SCENE
        confidence: list[list[float]] = []
        with self.lock:
            generated = greedy(
                self.runtime,
                prompts,
                self._hear_mask,
                self.codec.eos_id,
                self.codec.pad_id,
                limits,
                confidence,
            )
        keys, hear = self.codec.scenes.id_to_key, self.codec.hear_id
        for index, ids, chances in zip(live, generated, confidence, strict=True):
            agreed = agreement(texts_ids[index], ids, hear if self.hints else None)
            heard = zip(ids, chances, agreed, strict=True)
            scored[index] = [(keys[i], chance, sure) for i, chance, sure in heard]
        return scored

    def _chunks(
        self, cleaned: str, tokens: list[Token], whole: list[int] | None = None
    ) -> list[tuple[list[int], int]]:
        return chunk_prompts(self.codec, self.hints, cleaned, tokens, whole)

    def _speak_texts(self, scenes: Sequence[tuple[Scene, Language]], rows: int = ROWS) -> list[str]:
        """A sentence for each (scene, language); a long scene is spoken in parts."""
        parts: list[list[int]] = []
        owner: list[int] = []
        for index, (scene, language) in enumerate(scenes):
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
        for start in range(0, len(parts), rows):
            prompts = parts[start : start + rows]
            with self.lock:
                generated = greedy(
                    self.runtime,
                    prompts,
                    self._speak_mask,
                    self.codec.eos_id,
                    self.codec.pad_id,
                    MAX_SPOKEN,
                )
            for index, ids in zip(owner[start : start + rows], generated, strict=True):
                sentence = self.codec.decode(ids)
                texts[index].append(sentence[:1].upper() + sentence[1:])
        return [" ".join(s for s in spoken if s) for spoken in texts]

    def _plan_hearing(
        self, cleaned: str, extra: dict[str, object], wanted: Language | None, whole: list[int]
    ) -> Hearing:
        """The prompts of one cleaned message (``whole``: its ids) and its content words, to
        be heard alone for the unknown list; foreign symbols and numbers are unknown as such."""
        tokens = tokenize(cleaned, self._glyphs)
        chunks = self._chunks(cleaned, tokens, whole)
        words: dict[str, Token] = {}
        unknown: dict[str, None] = {}
        for token in tokens:
            if token.kind in ("foreign", "number") and not (
                token.kind == "number" and token.text in ("1", "2", "3")
            ):
                unknown.setdefault(token.text, None)
            elif token.kind == "word" and not stop_word(token) and len(words) < MAX_WORDS:
                words.setdefault(token.norm, token)
        return Hearing(
            cleaned,
            extra,
            wanted,
            [ids for ids, _ in chunks],
            [bound for _, bound in chunks],
            {token.text: norm for norm, token in words.items()},
            unknown,
        )

    def _heard(
        self, hearing: Hearing, scenes: Sequence[Scene], alone: dict[str, bool]
    ) -> BridgeResult:
        """The result of one message from its chunks' scenes and its words heard alone."""
        keys = tuple(key for scene in scenes for key in scene)
        unknown = hearing.unknown
        for text, norm in hearing.words.items():
            if not alone[norm]:
                unknown.setdefault(text, None)
        hearing.extra["chunks"] = len(hearing.chunks)
        return BridgeResult(
            glyphs=self.lexicon.glyphs(keys),
            text=hearing.cleaned,
            concepts=keys,
            unknown=tuple(unknown),
            language=hearing.wanted or detect_language(hearing.cleaned),
            direction="text_to_glyphs",
            extra=hearing.extra,
        )

    def _glyph_only(self, text: str) -> bool:
        kinds = {token.kind for token in tokenize(clean(text)[0], self._glyphs)}
        return "glyph" in kinds and kinds <= {"glyph", "break"}

    def __repr__(self) -> str:
        return f"LoraVoice({self.path or 'in memory'}, {self.codec.vocab_size} tokens)"
