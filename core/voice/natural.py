"""Natural sentences labelled by their writers: the voice's supervision beyond the dictionary.

Everything else the voice learns from is generated and read by the lexicon bridge, so the voice
could never hear what the dictionary does not. ``natural.jsonl`` holds sentences written as
people write (chats, questions, diaries, blogs) for issue #18, each with the concepts its
writer says it names, synonyms and words the lexicon lacks included. They were written without
reading the test set or the held-back set, and neither is ever read here.

A fixed eighth of them (by a hash of the text, so adding sentences moves none) is the
development split: never trained on, it is where the confidence floors are chosen.
"""

from __future__ import annotations

import zlib
from pathlib import Path

from core.bridge.metrics import load_sentences
from core.types import LANGUAGES
from core.voice.samples import HEAR, Sample

NATURAL = Path(__file__).with_name("natural.jsonl")
DEV_SHARE = 8  # one sentence in DEV_SHARE is development, never trained on


def is_dev(text: str) -> bool:
    return zlib.crc32(text.encode("utf-8")) % DEV_SHARE == 0


def natural_samples(path: str | Path = NATURAL, *, dev: bool = False) -> list[Sample]:
    """The training (or, with ``dev``, the development) split of the labelled sentences."""
    out: list[Sample] = []
    for record in load_sentences(path):
        language, text = record["lang"], str(record["text"])
        if language not in LANGUAGES:
            raise ValueError(f"{path}: unknown language {language!r}")
        if is_dev(text) == dev:
            concepts = tuple(str(c) for c in record["concepts"])  # type: ignore[attr-defined]
            out.append(Sample(HEAR, text, concepts, language))  # type: ignore[arg-type]
    return out
