"""Training data of the LoRA voice: generated from the lexicon, the oracle and the lexicon bridge.

Nothing here is hand-labelled. Every text is built from lexicon words (in their inflected
forms: pymorphy3 for Russian, lemminflect for English), from paraphrase templates and from the
lexicon bridge's own sentences, and its scene is what the lexicon bridge (the *teacher*) hears
in it. A generated text whose teacher reading differs from the scene it was built from is
dropped, so the voice learns only readings the dictionary agrees with. Noise (typos, dropped
letters, look-alike letters of the other keyboard layout, ё/е, case, punctuation) is added at
batch time to copies of these texts, with the clean scene kept: that is where the voice becomes
robust where a dictionary is brittle.

The natural-sentence test set (``core/bridge/data/bridge_sentences.jsonl``) is never read here.
"""

from __future__ import annotations

import itertools
import logging
import random
from collections.abc import Iterable, Sequence
from functools import cached_property

import lemminflect

from core.bridge.lexicon_bridge import LexiconBridge
from core.bridge.morphology import analyzer, fold_yo, ru_inflect
from core.bridge.realise import plain
from core.bridge.stopwords import SURFACE
from core.language.corpus import build_corpus
from core.language.lexicon import Lexicon
from core.language.oracle import (
    MAX_CHAIN,
    MAX_CONTEMPLATED,
    MIXTURE,
    SILENCE,
    SILENT,
    THEN,
    UNARY_OPERATORS,
    UNITY,
    RuleBase,
    Scene,
    answer,
)
from core.types import LANGUAGES, Language
from core.voice.grammar import en_grammatical, inflections, ru_grammatical
from core.voice.samples import (
    EN_LINKS,
    EN_OPENERS,
    HEAR,
    QUESTION_TEMPLATES,
    RU_CASES,
    RU_LINKS,
    RU_OPENERS,
    SPEAK,
    Sample,
    gibberish,
)

logger = logging.getLogger(__name__)


class VoiceData:
    """Every generated pair of the voice, built once from a lexicon, rules and a teacher."""

    def __init__(
        self,
        lexicon: Lexicon,
        rules: RuleBase,
        teacher: LexiconBridge,
        seed: int = 0,
        exclude_speak: Iterable[Scene] = (),
        concepts: int = 0,
    ) -> None:
        self.lexicon = lexicon
        self.rules = rules
        self.teacher = teacher
        self.seed = seed
        self.exclude_speak = frozenset(exclude_speak)
        keys = [e.key for e in lexicon]
        if concepts:
            # A deterministic subset of the concepts, for quick runs (tests): operators stay.
            chosen = set(random.Random(seed).sample(keys, min(concepts, len(keys))))
            keys = [k for k in keys if k in chosen or not plain(k) or k == UNITY]
        self.keys = keys
        self.plain_keys = [k for k in keys if plain(k) and k not in (UNITY, THEN)]
        # What a phrase may name: every concept, and silence and unity as words («тишина»,
        # «единство»), which the god's own grammar uses apart.
        self.content_keys = [*self.plain_keys, *(k for k in (SILENCE, UNITY) if k in keys)]
        self._forms: dict[tuple[str, Language], list[str]] = {}
        self._cases: dict[tuple[str, str], list[str]] = {}
        self._families: dict[tuple[str, Language], list[str]] | None = None

    # -- reading with the teacher ----------------------------------------------------------

    def _reads(self, text: str, language: Language, scene: Scene) -> bool:
        heard = self.teacher.hear(text, language)
        return heard.concepts == tuple(scene) and not heard.unknown

    # -- words -----------------------------------------------------------------------------

    def forms(self, key: str, language: Language) -> list[str]:
        """Every inflected form of every word of a concept that reads back as it alone."""
        cached = self._forms.get((key, language))
        if cached is None:
            entry = self.lexicon.by_key(key)
            candidates: dict[str, None] = {}
            for word in (*entry.words(language), *self.family(key, language)):
                candidates[word] = None
                candidates.update(dict.fromkeys(inflections(word, language)))
            kept = [f for f in candidates if self._reads(f, language, (key,))]
            cached = self._forms[(key, language)] = kept or [entry.lemma(language)]
        return cached

    def family(self, key: str, language: Language) -> list[str]:
        """Derived words the teacher hears as the concept («огненный», "stormy")."""
        if self._families is None:
            self._families = {}
            for lang in LANGUAGES:
                for word, owner in sorted(self.teacher.indexes[lang].family.items()):
                    self._families.setdefault((owner, lang), []).append(word)
        return self._families.get((key, language), [])

    def ru_case(self, key: str, case: str) -> list[str]:
        """Russian phrases of a concept put into one case (singular and plural)."""
        cached = self._cases.get((key, case))
        if cached is None:
            entry = self.lexicon.by_key(key)
            words = [w for w in entry.ru if self._reads(w, "ru", (key,))] or [entry.ru[0]]
            found: dict[str, None] = {}
            for word in words:
                found[ru_inflect(word, case)] = None
                if " " not in word:
                    for parse in analyzer().parse(word)[:1]:
                        plural = parse.inflect({"plur", case})
                        if plural is not None:
                            found[plural.word] = None
            kept = [f for f in found if self._reads(f, "ru", (key,))]
            cached = self._cases[(key, case)] = kept or [ru_inflect(words[0], case)]
        return cached

    @cached_property
    def distractors(self) -> dict[Language, list[str]]:
        """Dictionary words that name no concept (the teacher hears them as unknown)."""
        rng = random.Random(self.seed + 11)
        out: dict[Language, list[str]] = {}
        english = sorted(
            w.lower()
            for w in lemminflect.Inflections()._getInflDict()
            if w.isascii() and w.isalpha() and w.islower() and 3 <= len(w) <= 12
        )
        english = rng.sample(english, min(3000, len(english)))
        out["en"] = [w for w in english if self._unknown(w, "en")][:1500]
        prefixes = sorted({fold_yo(w[:4]) for e in self.lexicon for w in e.ru if len(w) >= 5})
        words = analyzer().dictionary.words
        russian: list[str] = []
        for prefix in rng.sample(prefixes, min(120, len(prefixes))):
            # The first few hundred words of a prefix (alphabetical): enough, and bounded.
            first = itertools.islice(words.iterkeys(prefix), 300)
            found = sorted({fold_yo(w) for w in first if w.isalpha()})
            russian += rng.sample(found, min(12, len(found)))
        out["ru"] = [w for w in dict.fromkeys(russian) if self._unknown(w, "ru")][:1500]
        return out

    @cached_property
    def _distractor_set(self) -> dict[Language, frozenset[str]]:
        return {language: frozenset(words) for language, words in self.distractors.items()}

    def _unknown(self, word: str, language: Language) -> bool:
        heard = self.teacher.hear(word, language)
        return not heard.concepts and bool(heard.unknown)

    def fillers(self, language: Language) -> list[str]:
        """Function words the teacher drops (they must lead to no concept)."""
        index = self.teacher.indexes[language]
        return sorted(w for w in SURFACE[language] if fold_yo(w) in index.surface_stop)

    # -- the hearing direction -------------------------------------------------------------

    def _name(self, key: str, language: Language, rng: random.Random, case: str = "") -> str:
        if language == "ru":
            if case:
                return rng.choice(self.ru_case(key, case))
            return rng.choice(self.forms(key, "ru"))
        form = rng.choice(self.forms(key, "en"))
        roll = rng.random()
        if roll < 0.25:
            return f"the {form}"
        if roll < 0.3:
            return f"a {form}"
        return form

    def phrase(self, rng: random.Random, language: Language) -> Sample | None:
        """Concepts joined freely (lists, prepositions, fillers, openers) as the teacher hears."""
        count = rng.choices((1, 2, 3, 4), (0.35, 0.35, 0.2, 0.1))[0]
        keys = [rng.choice(self.content_keys) for _ in range(count)]
        parts = [self._name(keys[0], language, rng, "nomn" if rng.random() < 0.5 else "")]
        for key in keys[1:]:
            if language == "ru":
                link, case = rng.choice(RU_LINKS)
                parts.append(link + self._name(key, language, rng, case))
            else:
                parts.append(rng.choice(EN_LINKS) + self._name(key, language, rng))
        text = "".join(parts)
        extra = ""
        if rng.random() < 0.3:
            roll = rng.random()
            if roll < 0.45:
                extra = rng.choice(self.distractors[language])
            elif roll < 0.9:
                extra = rng.choice(self.fillers(language))
            else:
                extra = gibberish(rng, language)
            words = text.split(" ")
            words.insert(rng.randrange(len(words) + 1), extra)
            text = " ".join(words)
        opener = rng.choice(RU_OPENERS if language == "ru" else EN_OPENERS)
        if opener:
            text = opener.format(text)
        heard = self.teacher.hear(text, language)
        allowed = self._distractor_set[language]
        if heard.unknown and not all(
            w.lower() in allowed or w.lower() == extra for w in heard.unknown
        ):
            return None
        if [k for k in heard.concepts] != keys:
            return None
        return Sample(HEAR, text, tuple(keys), language)

    # -- sentences with grammar: adjective + noun, noun + genitive, subject + verb + object --

    @cached_property
    def parts_of_speech(self) -> dict[Language, dict[str, list[tuple[str, str]]]]:
        """(concept, word) pairs of single lexicon words by part of speech, per language."""
        table: dict[Language, dict[str, list[tuple[str, str]]]] = {
            "ru": {"NOUN": [], "ADJF": [], "INFN": []},
            "en": {"NOUN": [], "ADJ": [], "VERB": []},
        }
        keys = set(self.content_keys)
        for entry in self.lexicon:
            if entry.key not in keys:
                continue
            for word in (*entry.ru, *self.family(entry.key, "ru")):
                if " " in word or not self._reads(word, "ru", (entry.key,)):
                    continue
                pos = str(analyzer().parse(word)[0].tag.POS)
                if pos in table["ru"]:
                    table["ru"][pos].append((entry.key, word))
            for word in (*entry.en, *self.family(entry.key, "en")):
                if " " in word or not self._reads(word, "en", (entry.key,)):
                    continue
                for upos in ("NOUN", "ADJ", "VERB"):
                    if lemminflect.getAllInflections(word, upos=upos):
                        table["en"][upos].append((entry.key, word))
        return table

    def grammatical(self, rng: random.Random, language: Language) -> Sample | None:
        """A short sentence with agreement: "старый камень", "свет луны", "свеча горит",
        "огонь вызывает дым", "the old stone", "the candle burns", "fire causes smoke"."""
        pos = self.parts_of_speech[language]
        kind = rng.choice(("adjective", "genitive", "verb", "verb"))
        if language == "ru":
            text, keys = ru_grammatical(kind, pos, rng)
        else:
            text, keys = en_grammatical(kind, pos, rng)
        if not text or not self._reads(text, language, keys):
            return None
        return Sample(HEAR, text, keys, language)

    def word(self, rng: random.Random, language: Language) -> Sample:
        """One word alone: a concept's form, a filler, a dictionary word or a made-up string
        that names nothing, or a number (1, 2, 3 name concepts; others nothing)."""
        roll = rng.random()
        if roll < 0.72:
            key = rng.choice(self.keys)
            return Sample(HEAR, rng.choice(self.forms(key, language)), (key,), language)
        if roll < 0.85:
            text = rng.choice(self.distractors[language])
        elif roll < 0.91:
            text = rng.choice(self.fillers(language))
        elif roll < 0.97:
            text = gibberish(rng, language)
        else:
            text = str(rng.choice((1, 2, 3, rng.randint(0, 999))))
        return Sample(HEAR, text, self.teacher.hear(text, language).concepts, language)

    def question(self, rng: random.Random, language: Language, scene: Scene) -> Sample | None:
        """A question scene in a paraphrase template, or the lexicon bridge's own sentence."""
        operators = [k for k in scene if k in UNARY_OPERATORS]
        rest = scene[len(operators) :]
        family: str | None = None
        if scene == (THEN,):
            family = "then"
        elif len(operators) == 1 and len(rest) == 1:
            family = operators[0]
        elif not operators and rest and rest[0] == MIXTURE and len(rest) in (3, 4):
            family = "alembic2" if len(rest) == 3 else "alembic3"
        if family is None or rng.random() < 0.25:
            text = self.teacher.speak(self.lexicon.glyphs(scene), language).text
            return (
                Sample(HEAR, text, scene, language) if self._reads(text, language, scene) else None
            )
        template = rng.choice(QUESTION_TEMPLATES[language][family])
        operands = list(rest[1:] if family.startswith("alembic") else rest)
        values: dict[str, str] = {}
        for slot, key in zip("xyz", operands, strict=False):
            values[slot] = key
        text = template
        for slot, key in values.items():
            for case in (*RU_CASES, ""):
                marker = "{" + slot + (f":{case}" if case else "") + "}"
                if marker in text:
                    name = self._name(
                        key, language, rng, case or ("nomn" if language == "ru" else "")
                    )
                    text = text.replace(marker, name)
        return Sample(HEAR, text, scene, language) if self._reads(text, language, scene) else None

    def answer_text(self, rng: random.Random, language: Language, scene: Scene) -> Sample | None:
        """An answer scene as the lexicon bridge speaks it."""
        text = self.teacher.speak(self.lexicon.glyphs(scene), language).text
        return Sample(HEAR, text, scene, language) if self._reads(text, language, scene) else None

    @cached_property
    def foreign(self) -> list[str]:
        """Emoji and symbols that are no glyph of the lexicon (heard as nothing)."""
        glyphs = self.lexicon.glyph_set
        ranges = (range(0x1F600, 0x1F650), range(0x2600, 0x2700), range(0x1F300, 0x1F3FF))
        return [chr(c) for r in ranges for c in r if chr(c) not in glyphs and chr(c).isprintable()]

    def glyph_text(self, rng: random.Random, language: Language) -> Sample | None:
        """Glyphs as written in a chat: alone, in a row, mixed with words, beside emoji."""
        keys = [rng.choice(self.keys) for _ in range(rng.choices((1, 2, 3, 4), (3, 3, 3, 1))[0])]
        parts: list[str] = []
        for key in keys:
            if rng.random() < 0.6:
                glyph = self.lexicon.glyph(key)
                parts.append(glyph + ("\ufe0f" if rng.random() < 0.1 else ""))
            else:
                parts.append(self._name(key, language, rng, "nomn" if language == "ru" else ""))
        joiner = rng.choice(("", " ", " ", ", ", " и " if language == "ru" else " and "))
        if all(p.isalpha() for p in parts):
            joiner = joiner or " "
        text = joiner.join(parts)
        if rng.random() < 0.3:
            text = f"{text} {rng.choice(self.foreign) * rng.randint(1, 3)}"
        heard = self.teacher.hear(text, language)
        if tuple(heard.concepts) != tuple(keys):
            return None
        return Sample(HEAR, text, tuple(keys), language)

    def with_glyph(self, sample: Sample, rng: random.Random) -> Sample:
        """A copy of a two-word-or-longer phrase with one concept written as its glyph."""
        if not sample.scene:
            return sample
        index = rng.randrange(len(sample.scene))
        glyph = self.lexicon.glyph(sample.scene[index])
        words = sample.text.split(" ")
        position = rng.randrange(len(words) + 1)
        scene = list(sample.scene)
        # The glyph joins the scene where it stands in the text: at the start or the end.
        if position == 0:
            scene.insert(0, sample.scene[index])
        elif position == len(words):
            scene.append(sample.scene[index])
        else:
            return sample
        words.insert(position, glyph)
        return Sample(HEAR, " ".join(words), tuple(scene), sample.language)

    @cached_property
    def questions(self) -> list[Scene]:
        """Question scenes of the oracle (the god's corpus, both splits: the voice only reads)."""
        corpus = build_corpus(self.rules, seed=self.seed, contemplations=500, silences=0)
        scenes: dict[Scene, None] = {(THEN,): None}
        for split in (corpus.train, corpus.heldout):
            for family, examples in split.items():
                if family in ("essence_many", "silence", "essence_one"):
                    continue
                for example in examples:
                    scenes[example.question] = None
        known = set(self.keys)
        return [scene for scene in scenes if all(k in known for k in scene)]

    def hear_samples(self, count: int, rng: random.Random) -> list[Sample]:
        """``count`` clean hearing pairs drawn over the families."""
        out: list[Sample] = []
        while len(out) < count:
            language: Language = rng.choice(LANGUAGES)
            roll = rng.random()
            sample: Sample | None
            if roll < 0.3:
                sample = self.phrase(rng, language)
            elif roll < 0.44:
                sample = self.grammatical(rng, language)
            elif roll < 0.58:
                sample = self.word(rng, language)
            elif roll < 0.8:
                sample = self.question(rng, language, self.random_question(rng))
            elif roll < 0.92:
                sample = self.answer_text(rng, language, self.random_answer(rng))
            else:
                sample = self.glyph_text(rng, language)
            if sample is None:
                continue
            if rng.random() < 0.05:
                sample = self.with_glyph(sample, rng)
            out.append(sample)
        return out

    def random_question(self, rng: random.Random) -> Scene:
        """A question scene: one operator on any concept, a mixture of two or three, "and
        then?", or a question of the oracle's corpus (chains, operators on mixtures)."""
        roll = rng.random()
        if roll < 0.45:
            return (rng.choice(list(UNARY_OPERATORS)), rng.choice(self.plain_keys))
        if roll < 0.65:
            return (MIXTURE, *rng.sample(self.plain_keys, 2))
        if roll < 0.7:
            return (MIXTURE, *rng.sample(self.plain_keys, 3))
        if roll < 0.75:
            return (THEN,)
        return rng.choice(self.questions)

    # -- the speaking direction ------------------------------------------------------------

    def random_answer(self, rng: random.Random) -> Scene:
        """An answer scene of the oracle: one concept, a process, a contemplation, the path
        of a question of several steps (which may end in silence), or silence."""
        roll = rng.random()
        if roll < 0.2:
            return (rng.choice(self.plain_keys),)
        if roll < 0.3:
            return rng.choice(self.processes)
        if roll < 0.33:
            return SILENT
        concepts = sorted(self.rules.essence)
        operators = sorted(UNARY_OPERATORS)
        while True:
            if roll < 0.68:
                question = tuple(rng.sample(concepts, rng.randint(2, MAX_CONTEMPLATED)))
            else:
                chain = tuple(rng.choice(operators) for _ in range(rng.randint(1, MAX_CHAIN)))
                shape = rng.random()
                if shape < 0.5:
                    question = (*chain, rng.choice(concepts))
                elif shape < 0.75:
                    question = (*chain, MIXTURE, *rng.choice(self.mixture_pairs))
                else:
                    question = (MIXTURE, *rng.choice(self.mixture_pairs), rng.choice(concepts))
            scene = answer(question, rules=self.rules)
            if scene not in self.exclude_speak or len(scene) <= 1:
                return scene

    @cached_property
    def mixture_pairs(self) -> list[tuple[str, ...]]:
        return sorted(tuple(sorted(pair)) for pair in self.rules.mixture)

    @cached_property
    def processes(self) -> list[Scene]:
        """Every multi-concept result of a mixture."""
        return sorted({s for s in self.rules.mixture.values() if len(s) > 1})

    def speak_samples(self, count: int, rng: random.Random) -> list[Sample]:
        """``count`` speaking pairs: a scene and the sentence the lexicon bridge writes."""
        out: list[Sample] = []
        keys = self.keys
        while len(out) < count:
            language: Language = rng.choice(LANGUAGES)
            roll = rng.random()
            if roll < 0.72:
                scene = self.random_answer(rng)
            elif roll < 0.85:
                scene = self.random_question(rng)
            elif roll < 0.93:
                scene = (rng.choice(keys),)
            else:
                scene = tuple(rng.sample(self.plain_keys, rng.randint(2, 3)))
            if scene in self.exclude_speak and len(scene) > 1:
                continue
            text = self.teacher.speak(self.lexicon.glyphs(scene), language).text
            if text:
                out.append(Sample(SPEAK[language], text, scene, language))
        return out

    def texts(self, samples: Sequence[Sample]) -> list[str]:
        """Every text of the samples (the text vocabulary is trained on these)."""
        return [s.text for s in samples]
