"""The voice's vocabulary: the god's glyph tokenizer extended with Russian and English pieces.

The extended tokenizer is one ``tokenizers`` BPE model whose first ids are exactly the god's
(special tokens and glyphs, in the god's order, as atomic special tokens), then the voice's
three task tokens, then the text pieces learnt from the generated training text. So a glyph has
the same id for the god and for the voice, and the god's embedding rows never move.

Text is NFC-normalised, variation selectors are dropped, it is lower-cased and ё is written е;
pieces are BPE over characters with word starts marked (Metaspace), punctuation and digits cut
apart, so a typo changes a piece or two, never makes a word vanish into one unknown token.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from tokenizers import Tokenizer, decoders, normalizers, pre_tokenizers
from tokenizers.models import BPE
from tokenizers.trainers import BpeTrainer
from transformers import PreTrainedTokenizerFast

from core.errors import SilentGodError
from core.language.graphemes import VARIATION_SELECTORS
from core.language.oracle import Scene
from core.language.tokenizer import ANSWER, BOS, EOS, PAD, UNK, SceneCodec
from core.types import Language

HEAR_TOKEN, SPEAK_RU_TOKEN, SPEAK_EN_TOKEN = "<hear>", "<speak_ru>", "<speak_en>"
TASK_TOKENS = (HEAR_TOKEN, SPEAK_RU_TOKEN, SPEAK_EN_TOKEN)
SPEAK_TOKEN: dict[Language, str] = {"ru": SPEAK_RU_TOKEN, "en": SPEAK_EN_TOKEN}
_ALPHABET = "абвгдежзийклмнопрстуфхцчшщъыьэюяabcdefghijklmnopqrstuvwxyz0123456789.,!?;:-'\"()«»—…"


class VocabularyError(SilentGodError, ValueError):
    """The extended vocabulary does not keep the god's ids."""


def _text_tokenizer() -> Tokenizer:
    model = Tokenizer(BPE(unk_token=UNK))
    model.normalizer = normalizers.Sequence(
        [
            *(normalizers.Replace(s, "") for s in VARIATION_SELECTORS),
            normalizers.NFC(),
            normalizers.Lowercase(),
            normalizers.Replace("ё", "е"),
        ]
    )
    model.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Metaspace(),
            pre_tokenizers.Punctuation("isolated"),
            pre_tokenizers.Digits(individual_digits=True),
        ]
    )
    model.decoder = decoders.Metaspace()
    return model


def build_voice_tokenizer(
    god_tokenizer: PreTrainedTokenizerFast, texts: Iterable[str], vocab_size: int
) -> PreTrainedTokenizerFast:
    """The god's tokens (same ids), the task tokens, then BPE pieces learnt from ``texts``."""
    god_vocab = god_tokenizer.get_vocab()
    ordered = sorted(god_vocab, key=god_vocab.__getitem__)
    if [god_vocab[t] for t in ordered] != list(range(len(ordered))):
        raise VocabularyError("the god's vocabulary has holes; its ids cannot be kept")
    model = _text_tokenizer()
    trainer = BpeTrainer(
        vocab_size=len(ordered) + len(TASK_TOKENS) + vocab_size,
        min_frequency=2,
        show_progress=False,
        special_tokens=[*ordered, *TASK_TOKENS],
        initial_alphabet=list(_ALPHABET),
    )
    model.train_from_iterator(texts, trainer=trainer)
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=model,
        pad_token=PAD,
        unk_token=UNK,
        bos_token=BOS,
        eos_token=EOS,
        padding_side="left",
        model_max_length=64,
    )
    check_ids(tokenizer, god_tokenizer)
    return tokenizer


def check_ids(tokenizer: PreTrainedTokenizerFast, god_tokenizer: PreTrainedTokenizerFast) -> None:
    """Raise unless every token of the god has the same id in the voice's tokenizer."""
    vocab = tokenizer.get_vocab()
    for token, index in god_tokenizer.get_vocab().items():
        if vocab.get(token) != index:
            raise VocabularyError(
                f"the voice's vocabulary moved the god's token {token!r} ({index} → "
                f"{vocab.get(token)}): it was built for another god"
            )
    for token in TASK_TOKENS:
        if token not in vocab:
            raise VocabularyError(f"the voice's vocabulary has no task token {token}")


def load_voice_tokenizer(path: str | Path) -> PreTrainedTokenizerFast:
    """The saved extended tokenizer of a voice folder."""
    return PreTrainedTokenizerFast.from_pretrained(str(path), local_files_only=True)


class VoiceCodec:
    """Ids of the voice's two directions.

    hear:  ``<bos> <hear> text-pieces <a>`` → glyphs ``<eos>``
           ``<bos> <hear> dictionary-glyphs <hear> text-pieces <a>`` → glyphs ``<eos>``
           (a voice trained with hints reads the text beside the dictionary's reading of it)
    speak: ``<bos> <speak_xx> glyphs <a>`` → text-pieces ``<eos>``
    """

    def __init__(self, tokenizer: PreTrainedTokenizerFast, scenes: SceneCodec) -> None:
        self.tokenizer = tokenizer
        self.scenes = scenes
        self.backend: Tokenizer = tokenizer.backend_tokenizer
        vocab = tokenizer.get_vocab()
        self.vocab_size = len(vocab)
        self.hear_id = vocab[HEAR_TOKEN]
        self.speak_ids: dict[Language, int] = {
            language: vocab[token] for language, token in SPEAK_TOKEN.items()
        }
        self.bos_id, self.eos_id, self.pad_id = scenes.bos_id, scenes.eos_id, scenes.pad_id
        self.answer_id = vocab[ANSWER]
        self.glyph_ids = list(scenes.glyph_ids)
        first_text = max(vocab[t] for t in TASK_TOKENS) + 1
        self.text_ids = list(range(first_text, self.vocab_size))
        self.god_vocab_size = scenes.vocab_size

    def encode(self, texts: Sequence[str]) -> list[list[int]]:
        """Token ids of texts (glyphs of the lexicon keep the god's ids)."""
        return [e.ids for e in self.backend.encode_batch(list(texts), add_special_tokens=False)]

    def decode(self, ids: Sequence[int]) -> str:
        """Text of generated piece ids (up to <eos>; glyph and special ids are skipped)."""
        pieces: list[int] = []
        for index in ids:
            if index == self.eos_id:
                break
            if index >= self.text_ids[0]:
                pieces.append(index)
        return self.backend.decode(pieces, skip_special_tokens=True).strip()

    def hear_prompt(self, text_ids: Sequence[int]) -> list[int]:
        return [self.bos_id, self.hear_id, *text_ids, self.answer_id]

    def with_hint(self, hint: Scene, text_ids: Sequence[int]) -> list[int]:
        """Text ids preceded by a reading of them (what ``hear_prompt`` then frames)."""
        return [*self.scenes.scene_ids(hint), self.hear_id, *text_ids]

    def speak_prompt(self, scene: Scene, language: Language) -> list[int]:
        return [
            self.bos_id,
            self.speak_ids[language],
            *self.scenes.scene_ids(scene),
            self.answer_id,
        ]
