"""The voice's sentence shapes and the misspellings of people who type as they speak."""

from __future__ import annotations

import random

import pytest

from core.bridge.lexicon_bridge import LexiconBridge
from core.language.lexicon import load_lexicon
from core.language.oracle import load_rules
from core.voice.data import VoiceData
from core.voice.shapes import Shapes, misspell, spoken_typos


@pytest.fixture(scope="module")
def shapes() -> Shapes:
    lexicon = load_lexicon()
    return Shapes(VoiceData(lexicon, load_rules(), LexiconBridge(lexicon), concepts=60))


def test_framed_samples_read_back_as_their_scene(shapes: Shapes) -> None:
    samples = shapes.samples(120, random.Random(3))
    assert len(samples) == 120
    teacher = shapes.data.teacher
    for sample in samples:
        assert teacher.hear(sample.text, sample.language).concepts == sample.scene
    # Longer than the templates: several clauses, and both languages.
    assert sum(len(s.scene) >= 4 for s in samples) >= 20
    assert {s.language for s in samples} == {"ru", "en"}
    again = shapes.samples(120, random.Random(3))
    assert [s.text for s in again] == [s.text for s in samples]


def test_misspellings_keep_the_first_letter_and_are_seeded() -> None:
    rng = random.Random(7)
    words = ["сегодня", "вечером", "beginning", "лёгкий", "happiness", "огонь"] * 20
    spelt = [misspell(w, rng) for w in words]
    assert all(s[0] == w[0] for s, w in zip(spelt, words, strict=True))
    assert sum(s != w for s, w in zip(spelt, words, strict=True)) >= 100
    assert misspell("и", rng) == "и" and misspell("🜂", rng) == "🜂"
    text = "сегодня вечером огонь и вода"
    copies = [spoken_typos(text, random.Random(seed), rate=0.5, join=0.5) for seed in range(40)]
    assert copies == [
        spoken_typos(text, random.Random(seed), rate=0.5, join=0.5) for seed in range(40)
    ]
    assert any(len(c.split(" ")) < len(text.split(" ")) for c in copies)  # words run together
