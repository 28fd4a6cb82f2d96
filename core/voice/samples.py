"""What the voice's training texts are made of: samples, paraphrase templates and noise.

Templates realise the oracle's operators as questions; noise (typos, look-alike letters of the
other keyboard layout, ё/е, case, punctuation) makes copies a dictionary would misread.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from core.bridge.morphology import fold_yo
from core.language.oracle import Scene
from core.language.text import TO_CYRILLIC, TO_LATIN
from core.types import Language

HEAR = "hear"
SPEAK = {"ru": "speak_ru", "en": "speak_en"}
RU_CASES = ("nomn", "gent", "datv", "accs", "ablt", "loct")

# Paraphrase templates of the operators. {x}/{y}/{z} are concepts; ":case" picks the Russian
# case. Each realised template is kept only if the lexicon bridge reads it back as its scene.
QUESTION_TEMPLATES: dict[Language, dict[str, tuple[str, ...]]] = {
    "ru": {
        "opposition": (
            "что противоположно {x:datv}?",
            "противоположность {x:gent}",
            "что противоположно {x:datv}",
            "противоположность {x:gent}?",
            "что обратно {x:datv}?",
            "в чём противоположность {x:gent}?",
            "антипод {x:gent}",
        ),
        "cycle": (
            "что следует за {x:ablt}?",
            "что после {x:gent}?",
            "что идёт после {x:gent}?",
            "что будет после {x:gent}?",
            "что наступает после {x:gent}?",
            "что следует за {x:ablt}",
        ),
        "becoming": (
            "во что превращается {x}?",
            "чем становится {x}?",
            "во что превратится {x}?",
            "во что превращается {x}",
        ),
        "cause": (
            "к чему приводит {x}?",
            "что вызывает {x}?",
            "в чём причина {x:gent}?",
            "к чему приведёт {x}?",
        ),
        "part": (
            "частью чего является {x}?",
            "часть чего {x}?",
            "{x} часть чего?",
            "частью чего является {x}",
        ),
        "alembic2": (
            "что будет, если смешать {x:accs} и {y:accs}?",
            "смешай {x:accs} и {y:accs}",
            "смешать {x:accs} с {y:ablt}",
            "смешай {x:accs} с {y:ablt}",
            "что будет если смешать {x:accs} с {y:ablt}?",
            "смешать {x:accs} и {y:accs}?",
        ),
        "alembic3": (
            "смешай {x:accs}, {y:accs} и {z:accs}",
            "что будет, если смешать {x:accs}, {y:accs} и {z:accs}?",
        ),
        "then": ("а потом?", "что дальше?", "а дальше?", "и что потом?", "затем?", "потом?"),
    },
    "en": {
        "opposition": (
            "what is the opposite of {x}?",
            "opposite of {x}",
            "the opposite of {x}?",
            "what's the opposite of {x}?",
            "what is contrary to {x}?",
            "the reverse of {x}",
        ),
        "cycle": (
            "what comes after {x}?",
            "what follows {x}?",
            "what is next after {x}?",
            "what comes after {x}",
            "what follows {x}",
        ),
        "becoming": (
            "what does {x} become?",
            "what becomes of {x}?",
            "what will {x} become?",
            "what becomes of {x}",
        ),
        "cause": (
            "what does {x} cause?",
            "what is caused by {x}?",
            "what is the effect of {x}?",
            "the effect of {x}",
        ),
        "part": (
            "what is {x} part of?",
            "{x} is part of what?",
            "what is {x} a part of?",
        ),
        "alembic2": (
            "what comes of {x} and {y}?",
            "mix {x} and {y}",
            "what if you mix {x} with {y}?",
            "mix {x} with {y}",
            "what comes of mixing {x} and {y}?",
            "what happens if you mix {x} and {y}?",
        ),
        "alembic3": (
            "mix {x}, {y} and {z}",
            "what comes of {x}, {y} and {z}?",
        ),
        "then": ("and then?", "what next?", "then?", "and after that?", "what then?"),
    },
}

# How free phrases join two concepts: the word between them, and the case of the second.
RU_LINKS: tuple[tuple[str, str], ...] = (
    (" и ", "nomn"),
    (", ", "nomn"),
    (" и ", "nomn"),
    (" ", "gent"),
    (" с ", "ablt"),
    (" в ", "loct"),
    (" на ", "loct"),
    (" без ", "gent"),
    (" для ", "gent"),
    (" из ", "gent"),
    (" после ", "gent"),
    (" над ", "ablt"),
    (" под ", "ablt"),
    (" против ", "gent"),
    (" или ", "nomn"),
    (" и ", "nomn"),
)
EN_LINKS = (
    " and ",
    ", ",
    " and ",
    " of ",
    " of the ",
    " in the ",
    " with ",
    " without ",
    " from ",
    " into ",
    " after ",
    " before ",
    " for ",
    " under the ",
    " beyond the ",
    " or ",
    " and the ",
    " ",
)
RU_OPENERS = (
    "",
    "",
    "",
    "скажи мне о {}",
    "что такое {}?",
    "расскажи про {}",
    "я вижу {}",
    "{}?",
    "{}!",
    "{}...",
    "а {}?",
    "думаю о {}",
    "это {}",
    "где {}?",
    "вот {}",
    "ну {}",
)
EN_OPENERS = (
    "",
    "",
    "",
    "tell me about {}",
    "what is {}?",
    "i see {}",
    "{}?",
    "{}!",
    "{}...",
    "and {}?",
    "think of {}",
    "this is {}",
    "where is {}?",
    "so {}",
    "oh, {}",
    "what about {}?",
)

_RU_LETTERS = "абвгдеёжзийклмнопрстуфхцчшщъыьэюя"
_EN_LETTERS = "abcdefghijklmnopqrstuvwxyz"


@dataclass(frozen=True, slots=True)
class Sample:
    """One training pair: a task ("hear", "speak_ru", "speak_en"), a text and its scene."""

    task: str
    text: str
    scene: Scene
    language: Language = "en"


def _letters(word: str) -> str:
    return _RU_LETTERS if any(c in _RU_LETTERS for c in word.lower()) else _EN_LETTERS


def gibberish(rng: random.Random, language: Language) -> str:
    """A made-up "word" of random letters (it must be heard as nothing)."""
    letters = _RU_LETTERS if language == "ru" else _EN_LETTERS
    return "".join(rng.choice(letters) for _ in range(rng.randint(3, 9)))


def typo(word: str, rng: random.Random) -> str:
    """One slip of the keyboard in a word: a letter dropped, doubled, swapped, replaced,
    inserted, or written in the other layout's look-alike."""
    if len(word) < 3 or not any(c.isalpha() for c in word):
        return word
    i = rng.randrange(1, len(word)) if len(word) > 3 else rng.randrange(len(word))
    letters = _letters(word)
    kind = rng.randrange(6)
    if kind == 0:
        return word[:i] + word[i + 1 :]
    if kind == 1:
        return word[:i] + word[i] + word[i:]
    if kind == 2 and i + 1 < len(word):
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind == 3:
        return word[:i] + rng.choice(letters) + word[i + 1 :]
    if kind == 4:
        return word[:i] + rng.choice(letters) + word[i:]
    table = TO_LATIN if letters is _RU_LETTERS else TO_CYRILLIC
    swapped = word[i].translate(table)
    return word[:i] + swapped + word[i + 1 :] if swapped != word[i] else word[:i] + word[i + 1 :]


def noise(text: str, rng: random.Random, rate: float = 0.35) -> str:
    """A noised copy of a text: typos in some words, ё/е, case and punctuation changed."""
    words = text.split(" ")
    for index, word in enumerate(words):
        if len(word) >= 3 and rng.random() < rate:
            words[index] = typo(word, rng)
    out = " ".join(words)
    roll = rng.random()
    if roll < 0.15:
        out = out.upper()
    elif roll < 0.4:
        out = out[:1].upper() + out[1:]
    elif roll < 0.5:
        out = out.title()
    roll = rng.random()
    if roll < 0.15:
        out = out.rstrip("?!.")
    elif roll < 0.25:
        out = out.rstrip("?!.") + rng.choice(("??", "!", "...", "?!", " ?"))
    if rng.random() < 0.3:
        out = out.replace("е", "ё") if rng.random() < 0.2 else fold_yo(out)
    return out


def typo_copy(text: str, rng: random.Random) -> str:
    """The evaluation's typo'd copy of a sentence: one typo in each word of 4+ letters with
    probability one half, and at least one typo in the sentence when it has such a word."""
    words = text.split(" ")
    long = [i for i, w in enumerate(words) if sum(c.isalpha() for c in w) >= 4]
    if not long:
        return text
    chosen = {i for i in long if rng.random() < 0.5} or {rng.choice(long)}
    for i in sorted(chosen):
        core = words[i].rstrip("?!.,;:")
        tail = words[i][len(core) :]
        words[i] = typo(core, rng) + tail
    return " ".join(words)
