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
