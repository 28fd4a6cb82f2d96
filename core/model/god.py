"""The silent god: a decoder-only transformer over glyph tokens, and how it answers.

Answers come from a hand-written, batched, KV-cached greedy loop (or seeded sampling) whose
every step is constrained to the glyph vocabulary, so each reply is a scene of lexicon glyphs
or the god's silence. ``generate_reference`` runs ``model.generate()`` one request at a time;
it is the baseline the benchmark measures against.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import torch
from transformers import AutoModelForCausalLM, PreTrainedModel
from transformers.utils import logging as transformers_logging

from core.errors import SilentGodError
from core.language.lexicon import Lexicon, load_lexicon
from core.language.oracle import OPERATORS, SILENCE, SILENT, THEN, Exchange, Scene
from core.language.tokenizer import SceneCodec, load_tokenizer
from core.model.decoding import extend, prefill

logger = logging.getLogger(__name__)

PACKAGED_CHECKPOINT = Path(__file__).parent / "checkpoint"
CARD_NAME = "card.json"
MAX_ANSWER = 6
MAX_QUESTION = 8


class CheckpointError(SilentGodError, RuntimeError):
    """A checkpoint folder is missing or unreadable; the message names the path."""


@dataclass(frozen=True, slots=True)
class Request:
    """One question for the god, with the previous exchange as context."""

    question: Scene
    context: Exchange | None = None


class God:
    """A trained glyph model with its codec; answers batches of questions."""

    def __init__(self, model: PreTrainedModel, codec: SceneCodec, card: dict | None = None):
        self.model = model.eval()
        self.codec = codec
        self.card = card or {}
        vocab = codec.vocab_size
        silence_id = codec.key_to_id[SILENCE]
        answer_ids = [
            index
            for key, index in codec.key_to_id.items()
            if key not in OPERATORS and key != SILENCE
        ]
        self._silence_id = silence_id
        # Additive masks: 0 where a token may come next, -inf where it may not. Silence may
        # end a path at any step (and ends it: only <eos> follows).
        self._first_mask = torch.full((vocab,), float("-inf"))
        self._first_mask[[*answer_ids, silence_id]] = 0.0
        self._next_mask = torch.full((vocab,), float("-inf"))
        self._next_mask[[*answer_ids, silence_id, codec.eos_id]] = 0.0

    @property
    def lexicon(self) -> Lexicon:
        return self.codec.lexicon

    @classmethod
    def load(cls, path: str | Path | None = None, lexicon: Lexicon | None = None) -> God:
        """Load a checkpoint folder (default: the one shipped in the package), offline."""
        folder = Path(path) if path else PACKAGED_CHECKPOINT
        if not (folder / "config.json").is_file():
            raise CheckpointError(f"no god checkpoint in {folder} (run `silentgod train`)")
        lexicon = lexicon or load_lexicon()
        transformers_logging.disable_progress_bar()
        try:
            tokenizer = load_tokenizer(folder)
            model = AutoModelForCausalLM.from_pretrained(str(folder), local_files_only=True)
        except (OSError, ValueError) as error:
            raise CheckpointError(f"cannot load the god from {folder}: {error}") from error
        card_path = folder / CARD_NAME
        card = json.loads(card_path.read_text("utf-8")) if card_path.is_file() else {}
        return cls(model, SceneCodec(tokenizer, lexicon), card)

    def save(self, path: str | Path, card: dict | None = None) -> None:
        """Write weights (safetensors), config, tokenizer and the card."""
        folder = Path(path)
        folder.mkdir(parents=True, exist_ok=True)
        transformers_logging.disable_progress_bar()
        self.model.save_pretrained(str(folder))
        self.codec.tokenizer.save_pretrained(str(folder))
        if card is not None:
            self.card = card
        (folder / CARD_NAME).write_text(
            json.dumps(self.card, ensure_ascii=False, indent=2) + "\n", "utf-8"
        )

    def parameter_count(self) -> int:
        return sum(p.numel() for p in self.model.parameters())

    def _prompt(self, request: Request) -> list[int] | None:
        if not request.question or len(request.question) > MAX_QUESTION:
            return None
        return self.codec.prompt_ids(request.question, self.context_for(request))

    @staticmethod
    def context_for(request: Request) -> Exchange | None:
        """The context the god is shown: the previous exchange, where the question needs it.

        Only "⤳" (and then?) is answered from the previous exchange; every other answer is
        the same with or without it (measured: 3 000 of 3 000 identical), and leaving it out
        of the prompt halves the work of a batch.
        """
        context = request.context
        if context is None or tuple(request.question) != (THEN,):
            return None
        if len(context.question) > MAX_QUESTION or len(context.answer) > MAX_ANSWER:
            return None
        return context

    @torch.inference_mode()
    def answer_batch(
        self,
        requests: Sequence[Request],
        temperature: float = 0.0,
        seed: int | None = None,
    ) -> list[Scene]:
        """Answer many questions in one batched, KV-cached, constrained decoding pass."""
        prompts = [self._prompt(r) for r in requests]
        answers: list[Scene] = [SILENT] * len(requests)
        live = [i for i, p in enumerate(prompts) if p is not None]
        if not live:
            return answers
        generated = self._decode([prompts[i] for i in live], temperature, seed)  # type: ignore[misc]
        for index, ids in zip(live, generated, strict=True):
            scene = self.codec.scene_of(ids)
            answers[index] = scene if scene else SILENT
        return answers

    def answer(self, question: Scene, context: Exchange | None = None) -> Scene:
        """Answer one question."""
        return self.answer_batch([Request(question, context)])[0]

    def _decode(
        self, prompts: list[list[int]], temperature: float, seed: int | None
    ) -> list[list[int]]:
        batch = len(prompts)
        generator = torch.Generator().manual_seed(seed) if seed is not None else None
        logits, cache, attention, next_position = prefill(self.model, prompts, self.codec.pad_id)
        # Rows that said <eos> or ◌ are done (after ◌ only <eos> may follow): they leave the
        # batch, so the later steps decode only the longer answers. Their remaining tokens
        # are the <eos> the output starts filled with.
        output_ids = torch.full((batch, MAX_ANSWER + 1), self.codec.eos_id, dtype=torch.long)
        rows = torch.arange(batch)
        for step in range(MAX_ANSWER):
            scores = logits.float() + (self._first_mask if step == 0 else self._next_mask)
            if temperature > 0:
                probabilities = torch.softmax(scores / temperature, dim=-1)
                chosen = torch.multinomial(probabilities, 1, generator=generator).squeeze(1)
            else:
                chosen = scores.argmax(dim=-1)
            output_ids[rows, step] = chosen
            done = (chosen == self.codec.eos_id) | (chosen == self._silence_id)
            if bool(done.all()) or step == MAX_ANSWER - 1:
                break
            if bool(done.any()):
                keep = (~done).nonzero().squeeze(1)
                rows, chosen = rows[keep], chosen[keep]
                attention, next_position = attention[keep], next_position[keep]
                cache.batch_select_indices(keep)
            logits, cache, attention, next_position = extend(
                self.model, chosen, attention, next_position, cache
            )
        return output_ids.tolist()

    @torch.inference_mode()
    def generate_reference(self, request: Request) -> Scene:
        """One request through ``model.generate()``: the benchmark's baseline path."""
        prompt = self._prompt(request)
        if prompt is None:
            return SILENT
        input_ids = torch.tensor([prompt])
        output = self.model.generate(
            input_ids=input_ids,
            attention_mask=torch.ones_like(input_ids),
            max_new_tokens=MAX_ANSWER + 1,
            do_sample=False,
            pad_token_id=self.codec.pad_id,
            eos_token_id=self.codec.eos_id,
        )
        scene = self.codec.scene_of(output[0, len(prompt) :].tolist())
        return scene if scene else SILENT
