"""Morphology for the lexicon bridge: lemmas of Russian and English words, Russian inflection.

Russian goes through pymorphy3 (every parse is kept, most probable first), English through
lemminflect (dictionary lemmas, then its out-of-vocabulary rules). Every lookup is cached, so
a chat's worth of words costs a dictionary hit each after the first time.
"""

from __future__ import annotations

import logging
from functools import cache, lru_cache

import lemminflect
import pymorphy3

logger = logging.getLogger(__name__)

CACHE_SIZE = 65_536
# Word length beyond which no morphology is attempted: no lexicon word is this long, and
# pymorphy's guesser is slow on pathological strings.
MAX_WORD = 40

RU_GENDERS = ("masc", "femn", "neut")


def fold_yo(word: str) -> str:
    """Russian ё written as е, so that «звёзд» and «звезд» are one word."""
    return word.replace("ё", "е").replace("Ё", "Е")


@cache
def analyzer() -> pymorphy3.MorphAnalyzer:
    """The one pymorphy3 analyser of the process (its dictionaries load once)."""
    return pymorphy3.MorphAnalyzer()


@lru_cache(maxsize=CACHE_SIZE)
def ru_lemmas(word: str) -> tuple[str, ...]:
    """Normal forms of a lower-case Russian word, ё folded to е, the most probable first.

    A normal form's weight is the sum of the scores of its parses, so «горе» in «в горе» is
    first «гора» (0.65) and only then «горе» (0.25).
    """
    if len(word) > MAX_WORD:
        return ()
    weight: dict[str, float] = {}
    for parse in analyzer().parse(word):
        lemma = fold_yo(parse.normal_form)
        weight[lemma] = weight.get(lemma, 0.0) + parse.score
    return tuple(sorted(weight, key=lambda lemma: -weight[lemma]))


_EN_ORDER = ("NOUN", "VERB", "ADJ", "ADV", "PROPN", "AUX")


@lru_cache(maxsize=CACHE_SIZE)
def en_lemmas(word: str) -> tuple[str, ...]:
    """Lemmas of a lower-case English word (nouns first, then verbs, adjectives…)."""
    if len(word) > MAX_WORD or not word.isascii():
        return ()
    found: dict[str, None] = {}
    table = lemminflect.getAllLemmas(word)
    if not table:
        table = {
            upos: lemminflect.getAllLemmasOOV(word, upos).get(upos, ()) for upos in ("NOUN", "VERB")
        }
    for upos in sorted(table, key=lambda u: _EN_ORDER.index(u) if u in _EN_ORDER else 99):
        for lemma in table[upos]:
            found.setdefault(lemma.lower(), None)
    return tuple(found)


@lru_cache(maxsize=4096)
def en_is_plural(noun: str) -> bool:
    """True when an English noun (the last word of a phrase) is a plural form."""
    last = noun.split()[-1]
    lemmas = lemminflect.getAllLemmas(last).get("NOUN", ())
    return bool(lemmas) and last not in lemmas


def _ru_base(word: str) -> pymorphy3.analyzer.Parse | None:
    """The parse of a dictionary form: a nominative noun/adjective whose normal form it is."""
    parses = analyzer().parse(word)
    folded = fold_yo(word)
    for wanted in ("NOUN", "ADJF", "NPRO", None):
        for parse in parses:
            if fold_yo(parse.normal_form) != folded and fold_yo(parse.word) != folded:
                continue
            if wanted and wanted != _str(parse.tag.POS):
                continue
            if _str(parse.tag.case) in (None, "nomn"):
                return parse
    return None


@lru_cache(maxsize=4096)
def ru_head(phrase: str) -> tuple[str, str | None, str | None]:
    """Gender ("masc", "femn", "neut" or "plur"), animacy and POS of a Russian phrase's head."""
    words = phrase.split()
    for word in words:
        parse = _ru_base(word)
        if parse is not None and parse.tag.POS == "NOUN":
            return _gender(parse), _str(parse.tag.animacy), "NOUN"
    parse = _ru_base(words[-1]) if words else None
    if parse is None:
        return "neut", None, None
    return _gender(parse), _str(parse.tag.animacy), _str(parse.tag.POS)


def _str(grammeme: object) -> str | None:
    """pymorphy3 grammemes as plain strings (its own compare strictly and raise)."""
    return None if grammeme is None else str(grammeme)


def _gender(parse: pymorphy3.analyzer.Parse) -> str:
    tag = parse.tag
    if tag.number == "plur" or "Pltm" in tag:
        return "plur"
    if tag.gender in RU_GENDERS:
        return str(tag.gender)
    if "Ms-f" in tag:
        return "masc"
    return "neut"


@lru_cache(maxsize=4096)
def ru_inflect(phrase: str, case: str) -> str:
    """A Russian dictionary-form phrase put into ``case`` (pymorphy3 grammeme, e.g. "accs").

    Nouns change case; adjectives and participles follow their noun in case, number, gender
    and (in the accusative) animacy. Anything pymorphy3 cannot inflect (adverbs, particles,
    unknown words) stays as written.
    """
    if case == "nomn":
        return phrase
    gender, animacy, _ = ru_head(phrase)
    agreement = {"plur"} if gender == "plur" else {"sing", gender}
    if case == "accs" and animacy and gender in ("masc", "plur"):
        agreement.add(animacy)
    out: list[str] = []
    words = phrase.split()
    for index, word in enumerate(words):
        parse = _ru_base(word)
        pos = _str(parse.tag.POS) if parse is not None else None
        if parse is None or pos not in ("NOUN", "ADJF", "NPRO", "PRTF", "NUMR"):
            out.append(word)
            continue
        wanted = {case} if pos in ("NOUN", "NPRO") else {case, *agreement}
        inflected = parse.inflect(wanted) or parse.inflect({case})
        out.append(inflected.word if inflected else word)
        if pos == "NOUN":
            # Words after the head noun depend on it («время года»): they keep their case.
            out.extend(words[index + 1 :])
            break
    return " ".join(out)


def ru_substantive(word: str) -> str:
    """A lone Russian adjective as the noun it makes in the neuter: «старый» → «старое»."""
    parse = _ru_base(word)
    if parse is None or _str(parse.tag.POS) != "ADJF" or "Apro" in parse.tag or " " in word:
        return word
    neuter = parse.inflect({"nomn", "sing", "neut"})
    return neuter.word if neuter else word


_RU_SHORT_UNITY = {"masc": "един", "femn": "едина", "neut": "едино", "plur": "едины"}


def ru_unity_word(phrase: str) -> str:
    """«един / едина / едино / едины» agreeing with a Russian subject phrase."""
    gender, _, pos = ru_head(phrase)
    if pos not in ("NOUN", "ADJF", "NPRO"):
        return _RU_SHORT_UNITY["neut"]
    return _RU_SHORT_UNITY[gender]


def ru_verb_number(phrase: str) -> str:
    """ "sing" or "plur": the number a verb takes after a Russian subject phrase."""
    return "plur" if ru_head(phrase)[0] == "plur" else "sing"


# Derivational suffixes tried on a lexicon word's stem; only candidates the dictionary knows
# as real words of the right part of speech are kept (see ``ru_derived``, ``en_derived``).
_RU_ADJ_SUFFIXES = ("ный", "ной", "енный", "яной", "янный", "овый", "евый", "ский", "ной")
_RU_ALTERNATIONS = {"ц": ("ч", "еч"), "к": ("ч",), "г": ("ж",), "х": ("ш",)}
_RU_VOWELS = "аеёиоуыэюяьй"


@lru_cache(maxsize=4096)
def ru_derived(word: str) -> tuple[str, ...]:
    """Real Russian words derived from a lexicon word: adjectives of a noun («огонь» →
    «огненный»), adverbs of an adjective («тёмный» → «темно»), both as dictionary forms."""
    found: dict[str, None] = {}
    for parse in analyzer().parse(word):
        if fold_yo(parse.normal_form) != word:
            continue
        pos = _str(parse.tag.POS)
        if pos == "NOUN":
            stems = {word.rstrip(_RU_VOWELS)}
            genitive = parse.inflect({"gent", "sing"})
            if genitive is not None:
                stems.add(fold_yo(genitive.word).rstrip(_RU_VOWELS))
            for stem in list(stems):
                for old, news in _RU_ALTERNATIONS.items():
                    if stem.endswith(old):
                        stems.update(stem[: -len(old)] + new for new in news)
            for stem in sorted(stems):
                for suffix in _RU_ADJ_SUFFIXES:
                    if _ru_is(stem + suffix, "ADJF"):
                        found.setdefault(stem + suffix, None)
        elif pos == "ADJF" and word.endswith(("ый", "ий", "ой")):
            for adverb in (word[:-2] + "о", word[:-2] + "е"):
                if _ru_is(adverb, "ADVB"):
                    found.setdefault(adverb, None)
        break
    found.pop(word, None)
    return tuple(found)


def _ru_is(word: str, pos: str) -> bool:
    """True when pymorphy3's dictionary knows ``word`` as a dictionary form of ``pos``."""
    if not analyzer().word_is_known(word):
        return False
    return any(
        _str(p.tag.POS) == pos and fold_yo(p.normal_form) == word for p in analyzer().parse(word)
    )


@lru_cache(maxsize=4096)
def en_derived(word: str) -> tuple[str, ...]:
    """Real English words derived from a lexicon word: "storm" → "stormy", "gold" → "golden",
    "fear" → "fearful", "weak" → "weakness", "weakly" (lemminflect's dictionary decides)."""
    if " " in word or not word.isascii() or len(word) < 3:
        return ()
    table = lemminflect.getAllLemmas(word)
    stem = word[:-1] + "i" if word.endswith("y") and word[-2] not in "aeiou" else word
    candidates: list[tuple[str, str]] = []
    if "NOUN" in table:
        doubled = word + word[-1] if _cvc(word) else word
        dropped = word[:-1] if word.endswith("e") else word
        candidates += [
            (doubled + "y", "ADJ"),
            (dropped + "y", "ADJ"),
            (word + "en", "ADJ"),
            (stem + "ful", "ADJ"),
        ]
    if "ADJ" in table:
        candidates += [
            (stem + "ness", "NOUN"),
            (stem + "ly", "ADV"),
            (word[:-2] + "ly" if word.endswith("le") else stem + "ly", "ADV"),
        ]
    found: dict[str, None] = {}
    for candidate, pos in candidates:
        if candidate != word and pos in lemminflect.getAllLemmas(candidate):
            found.setdefault(candidate, None)
    return tuple(found)


def _cvc(word: str) -> bool:
    """A short word ending consonant-vowel-consonant doubles its last letter ("sun" → "sunny")."""
    vowels = "aeiou"
    return (
        len(word) <= 4
        and word[-1] not in vowels + "wxy"
        and word[-2] in vowels
        and word[-3] not in vowels
    )
