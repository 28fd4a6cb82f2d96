"""Hearing misspelt words: a word the dictionary does not know is read as a known form nearby.

The vocabulary of one language is every form the bridge can read: the lexicon's words (and
their word families) with all their inflections (pymorphy3's lexemes, lemminflect's
inflections), phrase words, stop words, and the colloquial spellings of the hearing table.
A word is corrected only when neither the index nor the morphology knows it as an ordinary
word (a real word is never turned into another one):

1. a colloquial spelling of the hearing table («щас» → «сейчас») is read as the word meant;
2. the nearest form of the vocabulary (rapidfuzz, optimal-string-alignment distance) within a
   bound that grows with the word: none under three letters, only a dropped letter put back
   at three, one edit up to six letters, two from seven on; a form that sounds the same
   («зафтра») may be one edit further. Forms are ranked by the weighted cost of the error
   (``cost``: a doubled or lost double letter, a letter that sounds alike, two letters
   swapped, a neighbouring key, a dropped letter cost less than other edits), then by sound,
   by keeping the first letter, by the kind of form (a lexicon word as written before its
   inflections, in the morphology's lexeme order), then alphabetically: never by chance.
   A form cheaper than a dropped letter is taken at once;
3. a form costing a full edit or more is refused when a real word outside the vocabulary is
   clearly likelier (``PRIOR`` cheaper) or more than ``CROWD`` real words are as near;
4. otherwise two words of the vocabulary run together («сегоднявечером»), unless a real word
   is one slip away; then the nearest form of 2; then a word of the vocabulary run together
   with a misspelt one.

The dictionaries hold no word frequencies: the vocabulary's own prior (people talk to the god
about its concepts) and the morphology's knowledge of real words stand in for them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache

import lemminflect
from rapidfuzz import process
from rapidfuzz.distance import OSA

from .morphology import MAX_WORD, analyzer, fold_yo

logger = logging.getLogger(__name__)

MIN_FUZZY = 4  # shorter words have too many neighbours to guess among…
MIN_DROPPED = 3  # …except that a word this short may have lost a letter ("fre", «вду»)
MIN_PART = 2  # the shortest word of a pair run together, but for one-letter stop words
CACHE_SIZE = 16_384

_SOUND_RU = str.maketrans(
    {"о": "а", "е": "и", "э": "и", "я": "а", "ф": "в", "с": "з", "т": "д", "п": "б", "к": "г"}
    | {"ш": "ж", "щ": "ж", "ь": None, "ъ": None, "й": "и", "ы": "и", "ю": "у"}
)
_SOUND_EN = str.maketrans({"k": "c", "q": "c", "z": "s", "y": "i", "e": "i", "w": "u"})
ALPHABET = {"ru": "абвгдежзийклмнопрстуфхцчшщъыьэюя", "en": "abcdefghijklmnopqrstuvwxyz"}
KEYBOARD = {
    "en": ("qwertyuiop", "asdfghjkl", "zxcvbnm"),
    "ru": ("йцукенгшщзхъ", "фывапролджэ", "ячсмитьбю"),
}
# Letters people confuse by ear (unstressed vowels, voiced/voiceless pairs, soft signs).
_SOUNDS_ALIKE = {
    "ru": ("оа", "еи", "ея", "иы", "еэ", "вф", "зс", "дт", "бп", "гк", "жш", "шщ", "ьъ", "ий"),
    "en": ("ck", "cs", "sz", "iy", "ae", "ei", "ou", "ea"),
}
# Costs of the kinds of error (one plain edit costs 1): what people do most costs least.
DOUBLE, SOUND, SWAP, KEY, DROP = 0.5, 0.6, 0.7, 0.8, 0.9
# People talk to the god about its concepts: a form of the vocabulary is that much likelier
# than another real word at the same cost (the dictionaries hold no frequencies to weigh by).
PRIOR = 0.5
# More real words than this as near as the best form: the writer could have meant any of them.
CROWD = 2


def neighbours(language: str) -> dict[str, str]:
    """Each letter's neighbouring keys on the language's usual keyboard layout."""
    rows = KEYBOARD[language]
    table: dict[str, str] = {}
    for r, row in enumerate(rows):
        for c, key in enumerate(row):
            near = [row[j] for j in (c - 1, c + 1) if 0 <= j < len(row)]
            # Each row sits half a key to the right of the one above it.
            for other, cols in ((r - 1, (c, c + 1)), (r + 1, (c - 1, c))):
                if 0 <= other < len(rows):
                    near += [rows[other][j] for j in cols if 0 <= j < len(rows[other])]
            table[key] = "".join(near)
    return table


_NEAR = {language: neighbours(language) for language in KEYBOARD}
_ALIKE = {
    language: {frozenset(pair) for pair in pairs} for language, pairs in _SOUNDS_ALIKE.items()
}


def cost(typed: str, form: str, language: str) -> float:
    """Weighted optimal-string-alignment distance: a doubled or dropped double letter, a
    letter that sounds alike, two letters swapped, a neighbouring key cost less than 1."""
    near, alike = _NEAR[language], _ALIKE[language]
    rows, cols = len(typed) + 1, len(form) + 1
    d = [[0.0] * cols for _ in range(rows)]
    for i in range(rows):
        d[i][0] = float(i)
    for j in range(cols):
        d[0][j] = float(j)
    for i in range(1, rows):
        a = typed[i - 1]
        for j in range(1, cols):
            b = form[j - 1]
            if a == b:
                change = 0.0
            elif frozenset((a, b)) in alike:
                change = SOUND
            elif b in near.get(a, ""):
                change = KEY
            else:
                change = 1.0
            extra = DOUBLE if i > 1 and typed[i - 2] == a else 1.0  # "begg" for "beg"
            missing = DOUBLE if j > 1 and form[j - 2] == b else DROP  # "begining"
            if language == "ru" and b in "ьъ":
                missing = min(missing, SOUND)
            best = min(d[i - 1][j - 1] + change, d[i - 1][j] + extra, d[i][j - 1] + missing)
            if i > 1 and j > 1 and a == form[j - 2] and typed[i - 2] == b:
                best = min(best, d[i - 2][j - 2] + SWAP)
            d[i][j] = best
    return d[-1][-1]


@lru_cache(maxsize=CACHE_SIZE)
def real_neighbours(word: str, language: str) -> tuple[str, ...]:
    """Real words (the morphology's dictionary) one plain edit away from ``word``."""
    letters = ALPHABET[language]
    edits: set[str] = set()
    for i in range(len(word) + 1):
        head, tail = word[:i], word[i:]
        if tail:
            edits.add(head + tail[1:])
            if len(tail) > 1:
                edits.add(head + tail[1] + tail[0] + tail[2:])
        for letter in letters:
            edits.add(head + letter + tail)
            if tail:
                edits.add(head + letter + tail[1:])
    edits.discard(word)
    return tuple(sorted(e for e in edits if len(e) > 1 and known_word(e, language)))


def sound(word: str, language: str) -> str:
    """A rough key of how a word sounds: confusable letters merged, doubled letters single."""
    if language == "ru":
        key = word.translate(_SOUND_RU).replace("тс", "ц").replace("дс", "ц")
    else:
        key = word.replace("ph", "f").replace("ck", "c").translate(_SOUND_EN)
    out: list[str] = []
    for char in key:
        if not out or out[-1] != char:
            out.append(char)
    return "".join(out)


def bound(word: str) -> int:
    """Edits allowed between a misspelt word and the form it is read as."""
    if len(word) < MIN_DROPPED:
        return 0
    return 1 if len(word) <= 6 else 2


# Parses that do not make a word ordinary: names, places, abbreviations, initials.
_RARE = frozenset({"Name", "Surn", "Patr", "Geox", "Orgn", "Trad", "Abbr", "Init"})


@lru_cache(maxsize=CACHE_SIZE)
def known_word(word: str, language: str) -> bool:
    """True when the morphology's dictionary knows ``word`` as an ordinary word of
    ``language`` (not only as a name, a place or an abbreviation)."""
    if len(word) > MAX_WORD:
        return False
    if language != "ru":
        return bool(lemminflect.getAllLemmas(word))
    if not analyzer().word_is_known(word):
        return False
    return any(
        parse.is_known and not (_RARE & parse.tag.grammemes) for parse in analyzer().parse(word)
    )


def forms(word: str, language: str) -> tuple[str, ...]:
    """Every inflected form of a dictionary word (the word itself first)."""
    found: dict[str, None] = {word: None}
    if language == "ru":
        for parse in analyzer().parse(word):
            if fold_yo(parse.normal_form) == word:
                for form in parse.lexeme:
                    found.setdefault(fold_yo(form.word), None)
                break
    else:
        for upos in ("NOUN", "VERB", "ADJ"):
            for inflections in lemminflect.getAllInflections(word, upos).values():
                for form in inflections:
                    found.setdefault(form.lower(), None)
    return tuple(found)


class Speller:
    """The corrections of one language; ``means(word)`` says whether a word names a concept."""

    def __init__(
        self,
        language: str,
        words: Iterable[tuple[str, int]],
        spellings: Mapping[str, str],
        means: Callable[[str], bool],
    ) -> None:
        rank: dict[str, int] = {}
        for word, weight in words:
            for number, form in enumerate(forms(word, language) if " " not in word else ()):
                # The word as written outranks its inflections; the inflections keep the order
                # of the morphology's lexeme (the commonest forms first).
                score = weight * 1000 - (number and 1 + min(number, 998))
                if score > rank.get(form, -(10**9)):
                    rank[form] = score
        self._setup(language, rank, spellings, means)

    @classmethod
    def ranked(
        cls,
        language: str,
        rank: dict[str, int],
        spellings: Mapping[str, str],
        means: Callable[[str], bool],
    ) -> Speller:
        """A speller over forms already ranked (``rank`` of one built before)."""
        speller = cls.__new__(cls)
        speller._setup(language, rank, spellings, means)
        return speller

    def _setup(
        self,
        language: str,
        rank: dict[str, int],
        spellings: Mapping[str, str],
        means: Callable[[str], bool],
    ) -> None:
        self.language = language
        self.means = means
        self.spellings = dict(spellings)
        self.rank = rank
        by_length: dict[int, list[str]] = {}
        for form in sorted(rank):
            by_length.setdefault(len(form), []).append(form)
        self._by_length = by_length
        self._sounds = {form: sound(form, language) for form in rank}
        self.correct = lru_cache(maxsize=CACHE_SIZE)(self._correct)

    def __len__(self) -> int:
        return len(self.rank)

    def _correct(self, word: str) -> tuple[str, ...] | None:
        """The known words a misspelt word stands for (two when run together), or None."""
        if word in self.spellings:
            return (self.spellings[word],)
        if len(word) > MAX_WORD:
            return None
        nearest = self._nearest(word)
        if nearest is not None and nearest[1] < DROP:
            return (nearest[0],)
        rivalled = self._rivalled(word)
        split = None if rivalled else self._split(word)
        if split is not None:  # a space dropped costs as much as a letter
            return split
        if nearest is not None:
            return (nearest[0],)
        return None if rivalled else self._split_misspelt(word)

    def _rivalled(self, word: str) -> bool:
        """True when a real word outside the vocabulary is one slip away: the writer most
        likely misspelt that word rather than running two together."""
        return any(
            cost(word, rival, self.language) <= DROP
            for rival in real_neighbours(word, self.language)
            if rival not in self.rank
        )

    def _one(self, left: str, right: str) -> bool:
        """A one-letter word of the vocabulary (a conjunction, a preposition) on one side."""
        return (len(left) == 1 and left in self.rank) or (len(right) == 1 and right in self.rank)

    def _split_misspelt(self, word: str) -> tuple[str, str] | None:
        """Two words run together, one of the vocabulary and one misspelt («ночьи дненм»)."""
        for cut in range(MIN_PART, len(word) - MIN_PART + 1):
            left, right = word[:cut], word[cut:]
            if (left in self.rank) == (right in self.rank):
                continue
            other = right if left in self.rank else left
            if len(other) < MIN_FUZZY or known_word(other, self.language):
                continue
            nearest = self._nearest(other)
            if nearest is None or nearest[1] > 1:
                continue
            pair = (left, nearest[0]) if other is right else (nearest[0], right)
            if self.means(pair[0]) or self.means(pair[1]):
                return pair
        return None

    def _split(self, word: str) -> tuple[str, str] | None:
        """Two words of the vocabulary run together, at least one of them heard as a concept;
        the most even cut wins."""
        best: tuple[int, tuple[str, str]] | None = None
        for cut in range(1, len(word)):
            left, right = word[:cut], word[cut:]
            if left not in self.rank or right not in self.rank:
                continue
            if min(len(left), len(right)) < MIN_PART and not self._one(left, right):
                continue
            if not (self.means(left) or self.means(right)):
                continue
            score = min(len(left), len(right))
            if best is None or score > best[0]:
                best = (score, (left, right))
        return None if best is None else best[1]

    @lru_cache(maxsize=256)  # noqa: B019 (one speller a language, kept for the process)
    def _window(self, length: int, reach: int) -> list[str]:
        """The forms whose length is within ``reach`` of ``length``."""
        return [
            form
            for size in range(length - reach, length + reach + 1)
            for form in self._by_length.get(size, ())
        ]

    def _nearest(self, word: str) -> tuple[str, float] | None:
        """The likeliest form meant and its cost; None when a real word outside the
        vocabulary is at least as likely (the writer misspelt some other word)."""
        allowed = bound(word)
        if not allowed:
            return None
        reach = allowed + 1  # a form that sounds the same may be one edit further
        choices = self._window(len(word), reach)
        heard = sound(word, self.language)
        ranked: list[tuple[float, int, bool, int, str]] = []
        for form, distance, _ in process.extract(
            word, choices, scorer=OSA.distance, score_cutoff=reach, limit=None
        ):
            by_sound = OSA.distance(heard, self._sounds[form])
            if distance > allowed and by_sound > 0:
                continue
            if len(word) < MIN_FUZZY and (len(form) != len(word) + 1 or distance > 1):
                continue  # a short word is only read as itself with a letter put back
            weighted = cost(word, form, self.language)
            ranked.append((weighted, by_sound, form[0] != word[0], -self.rank[form], form))
        if not ranked:
            return None
        best = min(ranked)
        if best[0] < 1:  # no edit costs under DOUBLE: no rival can be PRIOR cheaper
            return best[-1], best[0]
        rivals = [n for n in real_neighbours(word, self.language) if n not in self.rank]
        costs = [cost(word, rival, self.language) for rival in rivals]
        crowded = best[0] >= 1 and sum(c <= best[0] for c in costs) > CROWD
        if crowded or any(c + PRIOR < best[0] for c in costs):
            return None
        return best[-1], best[0]
