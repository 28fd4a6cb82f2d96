"""Seeded typo'd copies of test sentences: the errors people make typing on phones.

Not only keyboard slips (a neighbouring key, a letter dropped, doubled or swapped with the
next) but the misspellings of people who write as they speak: unstressed vowels confused
(«аганёк», «симья»), voiced and voiceless consonants swapped («зафтра»), doubled consonants
lost or added ("begining", "beggining"), "ie"/"ei", and two words run together by a missing
space («сегоднявечером»). The same seed gives the same copy on every machine.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterable, Mapping
from pathlib import Path

from .spelling import KEYBOARD, neighbours

TYPO_SEED = 2024
"""The seed of the typo'd copies that ship with the package."""

# What people confuse by ear: unstressed vowels, voiced/voiceless pairs, spellings of a sound.
_SOUNDS = {
    "ru": (
        ("о", "а"),
        ("а", "о"),
        ("е", "и"),
        ("и", "е"),
        ("я", "е"),
        ("в", "ф"),
        ("з", "с"),
        ("д", "т"),
        ("б", "п"),
        ("г", "к"),
        ("ж", "ш"),
        ("тся", "ться"),
        ("ться", "тся"),
        ("его", "ево"),
        ("ого", "ово"),
        ("сч", "щ"),
        ("ь", ""),
    ),
    "en": (
        ("ie", "ei"),
        ("ei", "ie"),
        ("ph", "f"),
        ("c", "k"),
        ("k", "c"),
        ("ea", "ee"),
        ("ou", "o"),
        ("er", "ar"),
        ("ar", "er"),
        ("ance", "ence"),
        ("ence", "ance"),
        ("y", "ie"),
        ("s", "z"),
    ),
}
_NEIGHBOURS = {language: neighbours(language) for language in KEYBOARD}


def _language(word: str) -> str:
    return "ru" if any("а" <= c <= "я" or c == "ё" for c in word.lower()) else "en"


def _sound(word: str, rng: random.Random, language: str) -> str | None:
    """The word as it sounds: one confusable spelling replaced, or None when it has none."""
    lower = word.lower()
    options = [
        (i, old, new)
        for old, new in _SOUNDS[language]
        for i in range(1, len(lower))
        if lower.startswith(old, i)
    ]
    if not options:
        return None
    i, old, new = rng.choice(options)
    return word[:i] + new + word[i + len(old) :]


def _double(word: str, rng: random.Random) -> str:
    """A doubled consonant written single, or a single one doubled."""
    pairs = [i for i in range(1, len(word) - 1) if word[i] == word[i + 1]]
    if pairs:
        i = rng.choice(pairs)
        return word[:i] + word[i + 1 :]
    i = rng.randrange(1, len(word))
    return word[:i] + word[i] + word[i:]


def typo(word: str, rng: random.Random) -> str:
    """One error in a word of three letters or more (the first letter is kept, as people do)."""
    if len(word) < 3 or not word.isalpha():
        return word
    language = _language(word)
    kind = rng.randrange(6)
    i = rng.randrange(1, len(word))
    if kind == 0:  # a neighbouring key
        near = _NEIGHBOURS[language].get(word[i].lower())
        if near:
            return word[:i] + rng.choice(near) + word[i + 1 :]
        return word[:i] + word[i + 1 :]
    if kind == 1:  # a letter dropped
        return word[:i] + word[i + 1 :]
    if kind == 2:  # two letters swapped
        i = min(i, len(word) - 2)
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind == 3:  # a letter doubled or a double lost
        return _double(word, rng)
    sounded = _sound(word, rng, language)  # kinds 4 and 5: spelt as heard, twice as common
    return sounded if sounded is not None and sounded != word else word[:i] + word[i + 1 :]


def typo_copy(text: str, rng: random.Random, rate: float = 0.5, join: float = 0.1) -> str:
    """A typo'd copy of a sentence: each word of four letters or more misspelt with probability
    ``rate`` (at least one when there is such a word), and with probability ``join`` two
    neighbouring words run together."""
    words = text.split(" ")
    long = [i for i, w in enumerate(words) if sum(c.isalpha() for c in w) >= 4]
    if long:
        chosen = {i for i in long if rng.random() < rate} or {rng.choice(long)}
        for i in sorted(chosen):
            start = len(words[i]) - len(words[i].lstrip("«\"'("))
            core = words[i][start:].rstrip("?!.,;:»\"')")
            end = start + len(core)
            words[i] = words[i][:start] + typo(core, rng) + words[i][end:]
    if len(words) > 1 and rng.random() < join:
        i = rng.randrange(len(words) - 1)
        if words[i].isalpha() and words[i + 1].isalpha():
            words[i : i + 2] = [words[i] + words[i + 1]]
    return " ".join(words)


def typo_records(
    records: Iterable[Mapping[str, object]], seed: int = TYPO_SEED
) -> list[dict[str, object]]:
    """A typo'd copy of a test set (the same seed, the same typos; gold concepts kept)."""
    rng = random.Random(seed)
    return [{**record, "text": typo_copy(str(record["text"]), rng)} for record in records]


def write_typo_copy(source: Path, target: Path, seed: int = TYPO_SEED) -> None:
    """Write the typo'd copy of a JSON-lines test set (its # header lines are kept)."""
    lines = source.read_text(encoding="utf-8").splitlines()
    header = [line for line in lines if line.startswith("#")]
    records = [json.loads(line) for line in lines if line.strip() and not line.startswith("#")]
    note = f"# The typo'd copy of {source.name}, written by core.bridge.typos (seed {seed})."
    out = [*header, note]
    out += [json.dumps(r, ensure_ascii=False) for r in typo_records(records, seed)]
    target.write_text("\n".join(out) + "\n", encoding="utf-8")


if __name__ == "__main__":
    from core.bridge.metrics import DATASETS

    write_typo_copy(DATASETS["sentences"], DATASETS["typos"])
    write_typo_copy(DATASETS["held_back"], DATASETS["held_back_typos"])
