"""The glyph composer: a scene built glyph by glyph from the lexicon's categories, in pages.

Everything here is platform-neutral: the state of a scene, which glyphs a page of a category
holds, and the scene written out with its words. A frontend with buttons (Telegram) turns a
``View`` into a keyboard; one without (the console) prints the whole ``listing``. The scene is
always the first line of the composer's text, so a frontend can read it back from the message
itself (``Catalogue.scene_of``) — a composer outlives the process that opened it.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.commands.model import Invocation, Outcome, Platform, Words
from core.language.graphemes import graphemes, normalize
from core.language.lexicon import CATEGORIES, Entry, Lexicon
from core.service import GodService
from core.types import Language

OPERATOR = "operator"
PAGE_SIZE = 15  # glyph buttons on one page: five rows of three with their words
# The god has 64 positions for the question and its answer; half is plenty for a question.
MAX_SCENE = 32
EMPTY = "…"  # the first line of a composer with no glyph yet (never a lexicon glyph)

CATEGORY_NAMES: dict[str, Words] = {
    "element": Words("elements", "стихии"),
    "substance": Words("substances", "вещества"),
    "metal": Words("metals", "металлы"),
    "celestial": Words("sky", "небо"),
    "time": Words("time", "время"),
    "nature": Words("nature", "природа"),
    "weather": Words("weather", "погода"),
    "life": Words("life", "жизнь"),
    "body": Words("body", "тело"),
    "mind": Words("mind", "разум"),
    "being": Words("beings", "существа"),
    "quality": Words("qualities", "качества"),
    "force": Words("forces", "силы"),
    "social": Words("people", "люди"),
    "emotion": Words("feelings", "чувства"),
    "object": Words("things", "вещи"),
    "place": Words("places", "места"),
    "process": Words("processes", "процессы"),
    "logic": Words("logic", "логика"),
    "operator": Words("questions", "вопросы"),
}

HINT = Words(
    "Press glyphs to build a question; Ask sends it to the god.",
    "Нажимайте глифы, чтобы сложить вопрос; «Спросить» отправит его богу.",
)
NOT_YOURS = Words(
    "This composer belongs to someone else: open your own with /compose.",
    "Это чужой составитель: откройте свой командой /compose.",
)
FULL = Words(
    f"The scene is full ({MAX_SCENE} glyphs): ask, or remove some.",
    f"Сцена заполнена ({MAX_SCENE} глифа): спросите или уберите лишнее.",
)
NOTHING_TO_ASK = Words("Add a glyph first.", "Сначала добавьте глиф.")
LISTING_HEAD = Words(
    "The glyphs by category (type words: Tab turns them into glyphs):",
    "Глифы по разделам (пишите слова: Tab превращает их в глифы):",
)
HOW_TO_COMPOSE: dict[Platform, Words] = {
    "telegram": Words(
        "To speak glyphs without a glyph keyboard: /compose builds a question from buttons.",
        "Чтобы говорить глифами без глиф-клавиатуры: /compose складывает вопрос из кнопок.",
    ),
    "discord": Words(
        "To speak glyphs: type words in a command's message and pick the glyphs suggested.",
        "Чтобы говорить глифами: пишите слова в сообщении команды и выбирайте подсказанные глифы.",
    ),
    "console": Words(
        "To speak glyphs: /compose lists them all; Tab turns the words you type into glyphs.",
        "Чтобы говорить глифами: /compose покажет их все; Tab превращает набранные слова в глифы.",
    ),
}


@dataclass(frozen=True, slots=True)
class View:
    """What the composer shows under the scene: the categories, or one page of one."""

    category: int | None = None  # an index into ``Catalogue.categories``; None: all of them
    page: int = 0


class Catalogue:
    """The lexicon laid out for composing: operators, categories, pages, indices of glyphs."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        self.entries = lexicon.entries
        self._index = {entry.glyph: i for i, entry in enumerate(self.entries)}
        self.operators = tuple(e for e in self.entries if e.category == OPERATOR)
        by_category: dict[str, list[Entry]] = {}
        for entry in self.entries:
            if entry.category != OPERATOR:
                by_category.setdefault(entry.category, []).append(entry)
        self.categories = tuple(c for c in CATEGORIES if c in by_category)
        self._by_category = {c: tuple(by_category[c]) for c in self.categories}

    def index(self, glyph: str) -> int:
        """The glyph's compact index (its place in the lexicon)."""
        return self._index[glyph]

    def entry(self, index: int) -> Entry | None:
        """The entry at a compact index, None when out of range."""
        return self.entries[index] if 0 <= index < len(self.entries) else None

    def pages(self, category: int) -> int:
        """How many pages a category has."""
        count = len(self._by_category[self.categories[category]])
        return max(1, -(-count // PAGE_SIZE))

    def valid(self, view: View) -> View:
        """The view itself when it exists, else the nearest one that does."""
        if view.category is None or not 0 <= view.category < len(self.categories):
            return View()
        return View(view.category, min(max(view.page, 0), self.pages(view.category) - 1))

    def page(self, view: View) -> tuple[Entry, ...]:
        """The glyphs one page shows (none for the categories' view)."""
        if view.category is None:
            return ()
        entries = self._by_category[self.categories[view.category]]
        return entries[view.page * PAGE_SIZE : (view.page + 1) * PAGE_SIZE]

    def category_name(self, category: int, language: Language) -> str:
        """A category as a button says it: its first glyph and its name."""
        name = self.categories[category]
        return f"{self._by_category[name][0].glyph} {CATEGORY_NAMES[name](language)}"

    def scene_of(self, text: str) -> tuple[str, ...]:
        """The scene a composer's text shows on its first line (empty when it shows none)."""
        first = normalize(text.split("\n", 1)[0]).strip()
        glyphs = tuple(g for g in graphemes(first) if not g.isspace())
        if not glyphs or not all(g in self._index for g in glyphs):
            return ()
        return glyphs[:MAX_SCENE]

    def render(self, scene: tuple[str, ...], language: Language) -> tuple[str, ...]:
        """The composer's text: the scene, its words beneath, and how to go on."""
        if not scene:
            return (EMPTY, HINT(language))
        words = " · ".join(f"{g} {self.entries[self._index[g]].lemma(language)}" for g in scene)
        return ("".join(scene), words)

    def listing(self, language: Language) -> tuple[str, ...]:
        """Every glyph with its word, by category (for a frontend without buttons)."""
        lines = [LISTING_HEAD(language)]
        groups = [(OPERATOR, self.operators)]
        groups += [(c, self._by_category[c]) for c in self.categories]
        for name, entries in groups:
            glyphs = "  ".join(f"{e.glyph} {e.lemma(language)}" for e in entries)
            lines.append(f"{CATEGORY_NAMES[name](language)}: {glyphs}")
        return tuple(lines)


_catalogues: dict[int, Catalogue] = {}


def catalogue(lexicon: Lexicon) -> Catalogue:
    """The catalogue of a lexicon, built once."""
    found = _catalogues.get(id(lexicon))
    if found is None or found.lexicon is not lexicon:
        found = _catalogues[id(lexicon)] = Catalogue(lexicon)
    return found


async def compose(service: GodService, invocation: Invocation) -> Outcome:
    """/compose: an empty scene to build with buttons (without buttons: the whole listing)."""
    message = invocation.message
    language = await service.chats.language_for(message, "")
    layout = catalogue(service.lexicon)
    if message.platform == "console":
        return Outcome(layout.listing(language), language=language)
    return Outcome(layout.render((), language), composer=True, language=language)
