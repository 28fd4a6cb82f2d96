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
from dataclasses import dataclass
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

logger = logging.getLogger(__name__)

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
_TO_LATIN = str.maketrans("аеорсхук", "aeopcxyk")
_TO_CYRILLIC = str.maketrans("aeopcxyk", "аеорсхук")


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
    table = _TO_LATIN if letters is _RU_LETTERS else _TO_CYRILLIC
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
            for word in entry.words(language):
                candidates[word] = None
                candidates.update(dict.fromkeys(_inflections(word, language)))
            kept = [f for f in candidates if self._reads(f, language, (key,))]
            cached = self._forms[(key, language)] = kept or [entry.lemma(language)]
        return cached

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
            for word in entry.ru:
                if " " in word or not self._reads(word, "ru", (entry.key,)):
                    continue
                pos = str(analyzer().parse(word)[0].tag.POS)
                if pos in table["ru"]:
                    table["ru"][pos].append((entry.key, word))
            for word in entry.en:
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
            text, keys = self._ru_grammatical(kind, pos, rng)
        else:
            text, keys = self._en_grammatical(kind, pos, rng)
        if not text or not self._reads(text, language, keys):
            return None
        return Sample(HEAR, text, keys, language)

    def _ru_grammatical(
        self, kind: str, pos: dict[str, list[tuple[str, str]]], rng: random.Random
    ) -> tuple[str, Scene]:
        noun_key, noun = rng.choice(pos["NOUN"])
        parse = analyzer().parse(noun)[0]
        number = "plur" if rng.random() < 0.3 else "sing"
        case = rng.choice(("nomn", "nomn", "gent", "accs", "ablt", "loct"))
        form = parse.inflect({number, case}) or parse
        if kind == "adjective" and pos["ADJF"]:
            adj_key, adjective = rng.choice(pos["ADJF"])
            wanted = {number, case} if number == "plur" else {str(parse.tag.gender), case}
            if case == "accs" and parse.tag.animacy:
                wanted.add(str(parse.tag.animacy))
            if "None" in wanted:
                return "", ()
            agreed = analyzer().parse(adjective)[0].inflect(wanted)
            if agreed is None:
                return "", ()
            return f"{agreed.word} {form.word}", (adj_key, noun_key)
        if kind == "genitive":
            other_key, other = rng.choice(pos["NOUN"])
            other_parse = analyzer().parse(other)[0]
            gen = other_parse.inflect({rng.choice(("sing", "plur")), "gent"}) or other_parse
            head = parse.inflect({number, "nomn"}) or parse
            return f"{head.word} {gen.word}", (noun_key, other_key)
        if not pos["INFN"]:
            return "", ()
        verb_key, verb = rng.choice(pos["INFN"])
        subject = parse.inflect({number, "nomn"}) or parse
        gender = "plur" if number == "plur" else str(subject.tag.gender)
        finite = [
            f
            for f in analyzer().parse(verb)[0].lexeme
            if str(f.tag.POS) == "VERB"
            and (
                (str(f.tag.person) == "3per" and str(f.tag.number) == number)
                or (str(f.tag.tense) == "past" and gender in (str(f.tag.gender), str(f.tag.number)))
            )
        ]
        if not finite:
            return "", ()
        text, keys = f"{subject.word} {rng.choice(finite).word}", (noun_key, verb_key)
        if rng.random() < 0.5:
            object_key, obj = rng.choice(pos["NOUN"])
            link, case = rng.choice(
                ((" ", "accs"), (" в ", "loct"), (" из ", "gent"), (" с ", "ablt"))
            )
            obj_parse = analyzer().parse(obj)[0]
            obj_form = obj_parse.inflect({rng.choice(("sing", "plur")), case}) or obj_parse
            text, keys = f"{text}{link}{obj_form.word}", (*keys, object_key)
        if rng.random() < 0.3:
            first, *rest = text.split(" ")
            text = " ".join([*rest, first]) if len(rest) == 1 else text
            keys = (keys[1], keys[0]) if len(keys) == 2 and len(rest) == 1 else keys
        return text, keys

    def _en_grammatical(
        self, kind: str, pos: dict[str, list[tuple[str, str]]], rng: random.Random
    ) -> tuple[str, Scene]:
        noun_key, noun = rng.choice(pos["NOUN"])
        plural = rng.random() < 0.3
        forms = lemminflect.getAllInflections(noun, upos="NOUN")
        name = (forms.get("NNS") or (noun,))[0] if plural else noun
        article = rng.choice(("the ", "", "a ")) if not plural else rng.choice(("the ", ""))
        if kind == "adjective" and pos["ADJ"]:
            adj_key, adjective = rng.choice(pos["ADJ"])
            return f"{article}{adjective} {name}", (adj_key, noun_key)
        if kind == "genitive":
            other_key, other = rng.choice(pos["NOUN"])
            return f"{article}{name} of the {other}", (noun_key, other_key)
        if not pos["VERB"]:
            return "", ()
        verb_key, verb = rng.choice(pos["VERB"])
        inflections = lemminflect.getAllInflections(verb, upos="VERB")
        tag = rng.choice(("VBD", "VBP" if plural else "VBZ"))
        finite = (inflections.get(tag) or (verb,))[0]
        text, keys = f"{article}{name} {finite}", (noun_key, verb_key)
        if rng.random() < 0.5:
            object_key, obj = rng.choice(pos["NOUN"])
            link = rng.choice((" the ", " ", " in the ", " from the ", " with "))
            text, keys = f"{text}{link}{obj}", (*keys, object_key)
        return text, keys

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


def _inflections(word: str, language: Language) -> list[str]:
    """Inflected forms of a single word (none for phrases)."""
    if " " in word:
        return []
    if language == "en":
        forms: dict[str, None] = {}
        for values in lemminflect.getAllInflections(word).values():
            forms.update(dict.fromkeys(values))
        if not forms:
            for upos in ("NOUN", "VERB"):
                for values in lemminflect.getAllInflectionsOOV(word, upos).values():
                    forms.update(dict.fromkeys(values))
        return [f.lower() for f in forms]
    parses = analyzer().parse(word)
    chosen = [p for p in parses if fold_yo(p.normal_form) == fold_yo(word)][:1] or parses[:1]
    out: dict[str, None] = {}
    for parse in chosen:
        for form in parse.lexeme[:40]:
            out[fold_yo(form.word)] = None
    return list(out)
