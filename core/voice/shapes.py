"""Sentence shapes the templates alone never make: talk, questions of several clauses, long
sentences as people write them in blogs, both scripts mixed with glyphs, and the misspellings
of people who type as they speak.

Every shape is built around clauses of the plain generators (phrases, grammatical sentences,
template questions, answers as the lexicon bridge says them): a *frame* of connecting words,
fillers and openers holds one to three of them, and the sample's scene is the clauses' scenes in
order. As everywhere in the voice's data, the lexicon bridge (the teacher) must read the whole
text as exactly that scene, with no unknown word but the frame's own: a frame word that names a
concept («время», "think") makes the sample fail that check and it is dropped, never mislabelled.

Nothing here reads a test set or the held-back set: the frames were written from the issue's
description of how people write, and the misspellings are rules, not a list of real errors.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from functools import cached_property
from typing import TYPE_CHECKING

from core.bridge.morphology import fold_yo
from core.types import Language
from core.voice.samples import HEAR, Sample

if TYPE_CHECKING:
    from core.voice.data import VoiceData

FILLERS: dict[Language, tuple[str, ...]] = {
    "ru": (
        "ну",
        "короче",
        "слушай",
        "кстати",
        "вообще",
        "типа",
        "в общем",
        "знаешь",
        "честно говоря",
        "блин",
        "вот",
        "как бы",
        "эм",
        "ммм",
        "понимаешь",
        "ладно",
        "хм",
        "ну вот",
        "в смысле",
        "походу",
        "наверное",
        "кажется",
        "пожалуйста",
        "привет",
        "эй",
    ),
    "en": (
        "so",
        "um",
        "uh",
        "well",
        "like",
        "you know",
        "i mean",
        "honestly",
        "basically",
        "actually",
        "hmm",
        "okay",
        "right",
        "anyway",
        "by the way",
        "btw",
        "lol",
        "kinda",
        "literally",
        "oh",
        "hey",
        "please",
        "maybe",
        "i guess",
        "seriously",
    ),
}

# Frames: {f} a filler, {a} {b} {c} clauses. Questions of several clauses join two questions.
FRAMES: dict[Language, tuple[str, ...]] = {
    "ru": (
        "{f}, {a}",
        "{f} {a}",
        "{a}, {f}",
        "{f}, {a}, {f}",
        "{a}, а {b}",
        "{a}, и ещё {b}",
        "{a}. {b}",
        "{a}, {b}",
        "{f}, {a}, а {b}?",
        "{a}? и {b}?",
        "{a}? а {b}?",
        "{a}, а потом {b}?",
        "скажи, {a}?",
        "скажи пожалуйста, {a}, и {b}?",
        "хочу спросить: {a}?",
        "а вот интересно, {a}?",
        "мне интересно, {a}, и ещё {b}",
        "я тут подумал, {a}",
        "мне кажется, что {a}",
        "{f}, мне кажется, {a}, но {b}",
        "если честно, {a}, а {b}",
        "вчера я снова думал про то, что {a}, и понял, что {b}",
        "в последнее я всё чаще замечаю, что {a}, хотя {b}",
        "многие говорят, что {a}, но на самом деле {b}",
        "когда я был маленьким, мне казалось, что {a}, а теперь я знаю, что {b}",
        "в этой статье я хочу рассказать о том, как {a}, и почему {b}",
        "самое интересное, что {a}, а ещё {b}, и наконец {c}",
        "сначала {a}, потом {b}, а в конце {c}",
        "{a}, {b} и {c}",
        "я не уверен, но кажется {a}",
        "объясни мне, {a}? и заодно {b}?",
        "{f}, {f}, {a}",
        "{a} {f}",
        "{a} :)",
        "{a}))",
        "{a}!!!",
        "{a}... {f}",
    ),
    "en": (
        "{f}, {a}",
        "{f} {a}",
        "{a}, {f}",
        "{f}, {a}, {f}",
        "{a}, and {b}",
        "{a}, and also {b}",
        "{a}. {b}",
        "{a}, {b}",
        "{f}, {a}, and {b}?",
        "{a}? and {b}?",
        "{a}? also, {b}?",
        "{a}, and then {b}?",
        "tell me, {a}?",
        "could you tell me {a}, and {b}?",
        "i want to ask: {a}?",
        "i wonder, {a}?",
        "i was wondering {a}, and also {b}",
        "i was just thinking, {a}",
        "it seems to me that {a}",
        "{f}, it seems to me {a}, but {b}",
        "to be honest, {a}, and {b}",
        "yesterday i kept thinking that {a}, and i realised that {b}",
        "lately i have noticed more and more that {a}, although {b}",
        "many people say that {a}, but in fact {b}",
        "when i was little i believed that {a}, and now i know that {b}",
        "in this post i want to write about how {a}, and why {b}",
        "the most interesting thing is that {a}, and {b}, and finally {c}",
        "first {a}, then {b}, and at the end {c}",
        "{a}, {b} and {c}",
        "i am not sure, but maybe {a}",
        "explain to me, {a}? and while you are at it, {b}?",
        "{f}, {f}, {a}",
        "{a} {f}",
        "{a} :)",
        "{a} lol",
        "{a}!!!",
        "{a}... {f}",
    ),
}

_SLOTS = re.compile(r"\{([abcf])\}")
_WORD = re.compile(r"[^\W\d_]+")

# Misspellings of people who write as they speak (rules, applied to one place of a word).
SOUNDS: dict[Language, tuple[tuple[str, str], ...]] = {
    "ru": (
        ("о", "а"),
        ("а", "о"),
        ("е", "и"),
        ("и", "е"),
        ("я", "и"),
        ("ё", "о"),
        ("в", "ф"),
        ("з", "с"),
        ("д", "т"),
        ("б", "п"),
        ("г", "к"),
        ("ж", "ш"),
        ("ш", "щ"),
        ("тся", "ца"),
        ("ться", "тся"),
        ("тся", "ться"),
        ("его", "ево"),
        ("ого", "ова"),
        ("сч", "щ"),
        ("сейчас", "щас"),
        ("что", "што"),
        ("ь", ""),
        ("й", "и"),
    ),
    "en": (
        ("ph", "f"),
        ("f", "ph"),
        ("ie", "ei"),
        ("ei", "ie"),
        ("ck", "k"),
        ("c", "k"),
        ("s", "z"),
        ("ou", "o"),
        ("ea", "ee"),
        ("ee", "ea"),
        ("tion", "shun"),
        ("ght", "t"),
        ("y", "ie"),
        ("er", "a"),
        ("e", "a"),
        ("a", "e"),
        ("i", "y"),
        ("wh", "w"),
        ("you", "u"),
        ("are", "r"),
        ("k", "c"),
        ("ss", "s"),
    ),
}


def misspell(word: str, rng: random.Random) -> str:
    """The word as a hurried person writes it: spelt as heard, a doubled letter lost or a
    single one doubled, a letter dropped or repeated; the first letter stays, as people keep it."""
    if len(word) < 3 or not word.isalpha():
        return word
    language: Language = "ru" if any("а" <= c <= "я" or c == "ё" for c in word.lower()) else "en"
    lower = word.lower()
    roll = rng.random()
    if roll < 0.55:
        options = [
            (i, old, new)
            for old, new in SOUNDS[language]
            for i in range(1 if len(old) < len(lower) else 0, len(lower))
            if lower.startswith(old, i)
        ]
        if options:
            i, old, new = rng.choice(options)
            return word[:i] + new + word[i + len(old) :]
    i = rng.randrange(1, len(word))
    doubles = [j for j in range(1, len(word) - 1) if word[j] == word[j + 1]]
    if roll < 0.75 and doubles:
        j = rng.choice(doubles)
        return word[:j] + word[j + 1 :]
    if roll < 0.85:
        return word[:i] + word[i] + word[i:]
    return word[:i] + word[i + 1 :]


def spoken_typos(text: str, rng: random.Random, rate: float = 0.4, join: float = 0.15) -> str:
    """A copy of a text misspelt as people do: words spelt as heard (``misspell``), and now and
    then two words run together by a missing space."""
    words = text.split(" ")
    for index, word in enumerate(words):
        if sum(c.isalpha() for c in word) >= 3 and rng.random() < rate:
            start = len(word) - len(word.lstrip("«\"'("))
            core = word[start:].rstrip("?!.,;:»\"')")
            words[index] = word[:start] + misspell(core, rng) + word[start + len(core) :]
    if len(words) > 1 and rng.random() < join:
        i = rng.randrange(len(words) - 1)
        if words[i].isalpha() and words[i + 1].isalpha():
            words[i : i + 2] = [words[i] + words[i + 1]]
    return " ".join(words)


class Shapes:
    """Frame-built samples over the clauses of a ``VoiceData``."""

    def __init__(self, data: VoiceData) -> None:
        self.data = data
        self._literals: dict[tuple[str, Language], tuple[str, ...]] = {}

    @cached_property
    def fillers(self) -> dict[Language, list[str]]:
        """The fillers that name nothing for the teacher (a filler that names a concept would
        change the scene)."""
        teacher = self.data.teacher
        return {
            language: [f for f in words if not teacher.hear(f, language).concepts]
            for language, words in FILLERS.items()
        }

    @cached_property
    def frame_words(self) -> dict[Language, frozenset[str]]:
        """Every word of the frames and fillers: the only unknown words a shape may hold."""
        out: dict[Language, frozenset[str]] = {}
        for language in FRAMES:
            words = " ".join((*FRAMES[language], *FILLERS[language]))
            out[language] = frozenset(fold_yo(w.lower()) for w in _WORD.findall(words))
        return out

    def literal(self, words: str, language: Language) -> tuple[str, ...]:
        """The concepts the teacher hears in a frame's own words ("вчера": the past)."""
        key = (words, language)
        if key not in self._literals:
            self._literals[key] = self.data.teacher.hear(words, language).concepts
        return self._literals[key]

    @cached_property
    def allowed(self) -> frozenset[str]:
        """Unknown words a shape may hold: its frame's, and the clauses' made-up distractors."""
        words = set(self.frame_words["ru"] | self.frame_words["en"])
        for distractors in self.data.distractors.values():
            words.update(fold_yo(w.lower()) for w in distractors)
        return frozenset(words)

    def clause(self, rng: random.Random, language: Language) -> Sample | None:
        """One clause: a phrase, a grammatical sentence, a question or an answer."""
        data = self.data
        roll = rng.random()
        if roll < 0.35:
            return data.phrase(rng, language)
        if roll < 0.55:
            return data.grammatical(rng, language)
        if roll < 0.85:
            return data.question(rng, language, data.random_question(rng))
        return data.answer_text(rng, language, data.random_answer(rng))

    def framed(self, rng: random.Random, language: Language) -> Sample | None:
        """Clauses in a frame; now and then one clause in the other language or as glyphs."""
        frame = rng.choice(FRAMES[language])
        clauses: dict[str, Sample] = {}
        for slot in sorted(set(_SLOTS.findall(frame)) - {"f"}):
            roll = rng.random()
            other: Language = "en" if language == "ru" else "ru"
            sample = self.clause(rng, other if roll < 0.08 else language)
            if sample is None or not sample.scene:
                return None
            if roll > 0.93:
                sample = Sample(HEAR, self.data.lexicon.glyphs(sample.scene), sample.scene)
            clauses[slot] = sample
        scene: list[str] = []
        parts: list[str] = []
        for index, piece in enumerate(_SLOTS.split(frame)):
            if index % 2 == 0:  # the frame's own words: what they name is in the scene too
                scene.extend(self.literal(piece, language))
                parts.append(piece)
            elif piece == "f":
                parts.append(rng.choice(self.fillers[language]))
            else:
                scene.extend(clauses[piece].scene)
                parts.append(clauses[piece].text.rstrip("?!."))
        text = "".join(parts)
        if rng.random() < 0.5:
            text = text[:1].upper() + text[1:]
        heard = self.data.teacher.hear(text, language)
        if heard.concepts != tuple(scene):
            return None
        if any(fold_yo(w.lower()) not in self.allowed for w in heard.unknown):
            return None
        return Sample(HEAR, text, tuple(scene), language)

    def samples(self, count: int, rng: random.Random, tries: int = 20) -> list[Sample]:
        """``count`` framed samples (fewer if the frames keep failing the teacher's check)."""
        out: list[Sample] = []
        make: Callable[[random.Random, Language], Sample | None] = self.framed
        for _ in range(count * tries):
            if len(out) >= count:
                break
            language: Language = rng.choice(("ru", "en"))
            sample = make(rng, language)
            if sample is not None:
                out.append(sample)
        return out
