"""Concept keys → a sentence in Russian or English, shaped by what kind of scene it is.

The oracle answers with four kinds of scene (see ``core.language.oracle``), each with its
template:

* one concept — "Steam." / «Пар.»;
* contemplation, two to four essences and ⚭ unity — "Growth, law and the sun are one." /
  «Рост, закон и солнце едины.» (one essence with ⚭: "Fire is one." / «Огонь един.»);
* a process [subject, medium, result] — "Matter passes through fire into transformation." /
  «Материя через огонь проходит трансформацию.»;
* silence ◌ — "The god is silent." / «Бог молчит.»

Question scenes (operators in front, ⚗ mixtures, ⤳) are read as questions, anything else as
a list. Every concept is named by a word of its entry that reads back as that concept alone
(its lemma whenever possible), and every template word is a stop word, so the sentence reads
back as the same scene.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from core.language.lexicon import Lexicon
from core.language.oracle import MIXTURE, OPERATORS, SILENCE, THEN, UNARY_OPERATORS, UNITY
from core.types import Language

from .morphology import (
    en_is_plural,
    ru_head,
    ru_inflect,
    ru_substantive,
    ru_unity_word,
    ru_verb_number,
)

logger = logging.getLogger(__name__)

# Nouns English speaks of with "the": there is one of each.
THE = frozenset(
    """sun moon sky sea past future god world soul full_moon new_moon waxing_moon waning_moon
    north east south west philosophers_stone""".split()
)
# Countable things: "the seed" inside a sentence, "A seed." as a whole answer. Mass and
# abstract nouns (fire, growth, law, matter) stay bare, as in the seed's own sentences.
COUNTABLE = frozenset(
    """star planet comet eclipse seed tree flower root fruit leaf rose egg animal bird fish snake
    wolf horse bee spider butterfly cat dog lion dragon phoenix worm beetle feather heart eye
    hand bone mouth ear tear body human child mother father friend enemy king queen sage
    warrior angel demon mountain river forest field lake island desert cave valley source
    volcano wave path door home temple city tower castle grave forge furnace candle flame key
    sword crown mirror book bell ship bridge wheel ring cup lamp lock knot ladder axe shield
    arrow coin mask crucible retort window song word question cloud storm thought dream
    spark ember crystal magnet year month hour moment season age rainbow whirlwind""".split()
)

SILENT_SENTENCE: dict[Language, str] = {"en": "The god is silent.", "ru": "Бог молчит."}
THEN_QUESTION: dict[Language, str] = {"en": "And then?", "ru": "А потом?"}
# Frames for the operators of a question, preferred first; each is used only if it reads
# back as its operator alone (checked against the lexicon when the realiser is built).
# "{}" marks where the operand goes when it does not simply follow the frame.
OPERATOR_FRAMES: dict[Language, dict[str, tuple[str, ...]]] = {
    "en": {
        "opposition": ("the opposite of", "opposite of"),
        "cycle": ("what comes after", "what follows", "the next after"),
        "becoming": ("what becomes of",),
        "cause": ("what is caused by", "the effect of"),
        "part": ("what is {} part of", "part of"),
        "alembic": ("what comes of", "mix"),
    },
    "ru": {
        "opposition": ("противоположность",),
        "cycle": ("что следует за", "что после"),
        "becoming": ("во что превращается", "чем становится"),
        "cause": ("к чему приводит", "что вызывает"),
        "part": ("частью чего является", "часть чего"),
        "alembic": ("что будет если смешать", "смешать"),
    },
}
# The case a Russian frame wants its object in.
RU_FRAME_CASE: dict[str, str] = {
    "противоположность": "gent",
    "что следует за": "ablt",
    "что после": "gent",
    "во что превращается": "nomn",
    "чем становится": "nomn",
    "что вызывает": "nomn",
    "к чему приводит": "nomn",
    "частью чего является": "nomn",
    "часть чего": "nomn",
    "что будет если смешать": "accs",
    "смешать": "accs",
}

# Reads a text back: its concept keys, or None when any of it was not understood.
Hear = Callable[[str], tuple[str, ...] | None]


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _join(items: Sequence[str], language: Language) -> str:
    conjunction = " and " if language == "en" else " и "
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + conjunction + items[-1]


class Realiser:
    """Writes scenes as sentences with the words of a lexicon."""

    def __init__(self, lexicon: Lexicon, hear: Hear) -> None:
        self.lexicon = lexicon
        self.problems: list[str] = []
        self.words: dict[Language, dict[str, str]] = {"en": {}, "ru": {}}
        self.frames: dict[Language, dict[str, tuple[str, ...]]] = {"en": {}, "ru": {}}
        for language in ("en", "ru"):
            for entry in lexicon:
                self.words[language][entry.key] = self._choose_word(entry.key, language, hear)
            for key, frames in OPERATOR_FRAMES[language].items():
                if key not in lexicon:
                    continue
                self.frames[language][key] = tuple(
                    frame for frame in frames if hear(frame.replace("{}", " ")) == (key,)
                )

    def _choose_word(self, key: str, language: Language, hear: Hear) -> str:
        """The lemma (a lone Russian adjective as its neuter noun: «старое»), or else the
        first word of the entry that reads back as this concept alone."""
        entry = self.lexicon.by_key(key)
        lemma = entry.lemma(language)
        preferred = (ru_substantive(lemma), lemma) if language == "ru" else (lemma,)
        for word in dict.fromkeys((*preferred, *entry.words(language))):
            if hear(word) == (key,):
                if word not in preferred:
                    self.problems.append(
                        f"{language} lemma {lemma!r} of {key} does not read back; speaking {word!r}"
                    )
                return word
        self.problems.append(f"no {language} word of {key} reads back as {key}")
        return lemma

    # -- naming ------------------------------------------------------------------------

    def name(self, key: str, language: Language, case: str = "nomn", alone: bool = False) -> str:
        """A concept as a noun phrase: in ``case`` for Russian; for English with the article
        it wants ("the sun", "the seed"; "a seed" when it is the whole answer)."""
        word = self.words[language][key]
        if language == "ru":
            return ru_inflect(word, case)
        if key in THE or (key in COUNTABLE and not alone):
            return f"the {word}"
        if key in COUNTABLE and not en_is_plural(word):
            return f"{'an' if word[0] in 'aeio' or word.startswith('hour') else 'a'} {word}"
        return word

    # -- scenes ------------------------------------------------------------------------

    def sentence(self, keys: Sequence[str], language: Language) -> str:
        """A sentence for a scene of concept keys (empty scene: empty text)."""
        keys = tuple(keys)
        if not keys:
            return ""
        if keys == (SILENCE,):
            return SILENT_SENTENCE[language]
        if keys == (THEN,):
            return THEN_QUESTION[language]
        if len(keys) >= 2 and keys[-1] == SILENCE and all(map(plain, keys[:-1])):
            # A path the god followed until no fact led on.
            return f"{self.sentence(keys[:-1], language)} {SILENT_SENTENCE[language]}"
        if len(keys) >= 2 and keys[-1] == UNITY and all(map(plain, keys[:-1])):
            return self._contemplation(keys[:-1], language)
        if len(keys) == 1 and plain(keys[0]):
            return _capital(self.name(keys[0], language, alone=True)) + "."
        if len(keys) == 3 and all(plain(k) and k != UNITY for k in keys):
            return self._process(keys, language)
        question = self._question(keys, language)
        if question:
            return question
        return _capital(_join([self.name(k, language) for k in keys], language)) + "."

    def _contemplation(self, essences: Sequence[str], language: Language) -> str:
        names = [self.name(k, language) for k in essences]
        subject = _join(names, language)
        if language == "en":
            plural = len(names) > 1 or en_is_plural(self.words["en"][essences[0]])
            return _capital(f"{subject} {'are' if plural else 'is'} one.")
        if len(names) > 1:
            return _capital(f"{subject} едины.")
        return _capital(f"{subject} {ru_unity_word(self.words['ru'][essences[0]])}.")

    def _process(self, keys: Sequence[str], language: Language) -> str:
        subject, medium, result = keys
        if language == "en":
            plural = en_is_plural(self.words["en"][subject])
            verb = "pass" if plural else "passes"
            return _capital(
                f"{self.name(subject, 'en')} {verb} through {self.name(medium, 'en')} "
                f"into {self.name(result, 'en')}."
            )
        verb = "проходят" if ru_verb_number(self.words["ru"][subject]) == "plur" else "проходит"
        return _capital(
            f"{self.name(subject, 'ru')} через {self.name(medium, 'ru', 'accs')} "
            f"{verb} {self.name(result, 'ru', 'accs')}."
        )

    def _question(self, keys: Sequence[str], language: Language) -> str | None:
        """A question scene (unary operators, then a concept or a ⚗ mixture) as a question."""
        count = 0
        while count < len(keys) and keys[count] in UNARY_OPERATORS:
            count += 1
        operators, rest = keys[:count], keys[count:]
        text: str | None = None
        if rest and rest[0] == MIXTURE and len(rest) > 1 and all(map(plain, rest[1:])):
            text = self._frame(MIXTURE, rest[1:], language)
        elif not (operators and len(rest) == 1 and plain(rest[0])):
            return None
        # Frames nest right to left: "the opposite of what comes after fire".
        for operator in reversed(operators):
            nested = len(operators) > 1
            text = self._frame(operator, rest if text is None else text, language, nested)
        return _capital(text) + "?" if text else None

    def _frame(
        self, key: str, target: Sequence[str] | str, language: Language, nested: bool = False
    ) -> str:
        """One operator applied to a target: concept keys, or an already written phrase.

        A frame with the operand inside ("what is {} part of") reads back only as a whole
        question (see ``hearing.reorder``), so chains use the frames that lead.
        """
        usable = [f for f in self.frames[language].get(key, ()) if not (nested and "{}" in f)]
        frame = usable[0] if usable else None
        if frame is not None:
            case = RU_FRAME_CASE.get(frame, "nomn")
        else:
            frame = self.words[language][key]
            if language == "en" and not frame.endswith(" of"):
                frame = f"{frame} of"
            pos = ru_head(frame)[2] if language == "ru" else None
            case = {"NOUN": "gent", "INFN": "accs"}.get(pos or "", "nomn")
        operand = (
            target
            if isinstance(target, str)
            else _join([self.name(k, language, case) for k in target], language)
        )
        return frame.replace("{}", operand) if "{}" in frame else f"{frame} {operand}"


def plain(key: str) -> bool:
    """True for a concept that is neither an operator nor silence."""
    return key not in OPERATORS and key != SILENCE
