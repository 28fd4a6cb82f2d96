"""The god's tokenizer: one token per lexicon glyph plus a few special tokens, nothing else.

It is a real ``transformers`` fast tokenizer (saved and loaded with ``save_pretrained`` /
``from_pretrained``). Text is NFC-normalised, variation selectors are dropped and it is cut
into grapheme clusters, so 🕯️ is 🕯, a ZWJ emoji is one token, and a word such as "fire" or
"огонь" becomes a row of unknown tokens: the god is deaf to our languages.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from tokenizers import Regex, Tokenizer, normalizers, pre_tokenizers
from tokenizers.models import WordLevel
from transformers import PreTrainedTokenizerFast

from core.language.graphemes import VARIATION_SELECTORS
from core.language.lexicon import Lexicon
from core.language.oracle import Exchange, Scene

PAD, UNK, BOS, EOS, CONTEXT, QUESTION, ANSWER = (
    "<pad>",
    "<unk>",
    "<bos>",
    "<eos>",
    "<ctx>",
    "<q>",
    "<a>",
)
SPECIAL_TOKENS = (PAD, UNK, BOS, EOS, CONTEXT, QUESTION, ANSWER)


def build_tokenizer(lexicon: Lexicon) -> PreTrainedTokenizerFast:
    """A fast tokenizer whose vocabulary is the special tokens and the lexicon's glyphs."""
    vocab = {token: index for index, token in enumerate(SPECIAL_TOKENS)}
    for entry in lexicon:
        vocab[entry.glyph] = len(vocab)
    model = Tokenizer(WordLevel(vocab, unk_token=UNK))
    model.normalizer = normalizers.Sequence(
        [*(normalizers.Replace(s, "") for s in VARIATION_SELECTORS), normalizers.NFC()]
    )
    model.pre_tokenizer = pre_tokenizers.Sequence(
        [pre_tokenizers.WhitespaceSplit(), pre_tokenizers.Split(Regex(r"\X"), "isolated")]
    )
    model.add_special_tokens(list(SPECIAL_TOKENS))
    return PreTrainedTokenizerFast(
        tokenizer_object=model,
        pad_token=PAD,
        unk_token=UNK,
        bos_token=BOS,
        eos_token=EOS,
        additional_special_tokens=[CONTEXT, QUESTION, ANSWER],
        padding_side="left",
        model_max_length=64,
    )


def load_tokenizer(path: str | Path) -> PreTrainedTokenizerFast:
    """Load a saved glyph tokenizer from a local folder."""
    return PreTrainedTokenizerFast.from_pretrained(str(path), local_files_only=True)


class SceneCodec:
    """Turns scenes and dialogue turns into token ids and back, without string round trips.

    The layout of one turn is ``<bos> [<ctx> Q' <a> A'] <q> Q <a> A <eos>``: the previous
    exchange (if any), then the question, then the answer the god must produce.
    """

    def __init__(self, tokenizer: PreTrainedTokenizerFast, lexicon: Lexicon) -> None:
        self.tokenizer = tokenizer
        self.lexicon = lexicon
        vocab = tokenizer.get_vocab()
        self.pad_id, self.unk_id, self.bos_id, self.eos_id = (
            vocab[PAD],
            vocab[UNK],
            vocab[BOS],
            vocab[EOS],
        )
        self.context_id, self.question_id, self.answer_id = (
            vocab[CONTEXT],
            vocab[QUESTION],
            vocab[ANSWER],
        )
        self.key_to_id = {entry.key: vocab[entry.glyph] for entry in lexicon}
        self.id_to_key = {index: key for key, index in self.key_to_id.items()}
        self.glyph_ids = sorted(self.id_to_key)
        self.vocab_size = len(vocab)

    def scene_ids(self, scene: Sequence[str]) -> list[int]:
        """Token ids of a scene of concept keys."""
        return [self.key_to_id[key] for key in scene]

    def prompt_ids(self, question: Sequence[str], context: Exchange | None = None) -> list[int]:
        """The ids the god reads before it answers."""
        ids = [self.bos_id]
        if context is not None:
            ids += [self.context_id, *self.scene_ids(context.question)]
            ids += [self.answer_id, *self.scene_ids(context.answer)]
        ids += [self.question_id, *self.scene_ids(question), self.answer_id]
        return ids

    def training_ids(
        self, question: Sequence[str], answer: Sequence[str], context: Exchange | None = None
    ) -> tuple[list[int], int]:
        """A whole turn, and the index where the answer starts (loss is taken from there)."""
        prompt = self.prompt_ids(question, context)
        return [*prompt, *self.scene_ids(answer), self.eos_id], len(prompt)

    def scene_of(self, ids: Sequence[int]) -> Scene | None:
        """Concept keys of generated ids up to <eos>; None when a non-glyph token appears."""
        keys: list[str] = []
        for index in ids:
            if index == self.eos_id:
                break
            key = self.id_to_key.get(index)
            if key is None:
                return None
            keys.append(key)
        return tuple(keys)
