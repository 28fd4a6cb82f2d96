"""The platform-neutral halves of composing: completion of words into glyphs, and the
composer's catalogue (pages, the scene written out and read back)."""

from __future__ import annotations

import pytest

from core.bridge.lexicon_bridge import LexiconBridge
from core.commands.completion import Completer, Completion
from core.commands.compose import EMPTY, MAX_SCENE, PAGE_SIZE, Catalogue, View
from core.language.lexicon import load_lexicon


@pytest.fixture(scope="module")
def completer() -> Completer:
    lexicon = load_lexicon()
    return Completer(lexicon, LexiconBridge(lexicon))


def _scenes(found: tuple[Completion, ...]) -> list[str]:
    return [c.glyphs for c in found]


def test_the_last_word_is_completed_the_rest_heard(completer: Completer) -> None:
    found = completer.complete("fire ti", "en")
    assert Completion("🜂⧖", ("fire", "time")) in found
    assert all(c.glyphs.startswith("🜂") and c.words[0] == "fire" for c in found)
    russian = completer.complete("огонь вр", "ru")
    assert Completion("🜂⧖", ("огонь", "время")) in russian
    # the words are in the reader's language whatever language was typed
    assert Completion("🜂⧖", ("огонь", "время")) in completer.complete("fire ti", "ru")
    # inflected and misspelt words before the last are heard as the bridge hears them
    assert "🜂🜄⧖" in _scenes(completer.complete("fires and wter ti", "en"))


def test_glyphs_stay_and_finished_text_is_one_scene(completer: Completer) -> None:
    assert completer.complete("⚗🜂", "en") == (Completion("⚗🜂", ("mix", "fire")),)
    assert completer.complete("fire ", "en") == (Completion("🜂", ("fire",)),)
    assert "⚗🜂🜄" in _scenes(completer.complete("⚗🜂 wat", "en"))
    assert completer.complete("fire zzqx", "en") == (Completion("🜂", ("fire",)),)
    assert completer.complete("", "en") == () == completer.complete("zzqx", "en")


def test_limits_are_the_callers(completer: Completer) -> None:
    assert len(completer.complete("s", "en", limit=25)) == 25
    assert len(completer.complete("s", "en", limit=3)) == 3
    long = " ".join(["fire", "water"] * 60) + " ti"
    assert completer.complete(long, "en", max_chars=100) == ()  # no scene fits: none offered
    found = completer.complete(" ".join(["fire"] * 30) + " ti", "en", max_chars=100)
    assert found and all(len(c.label(100)) <= 100 for c in found)
    assert found[0].label(100).endswith("…")


def test_the_catalogue_pages_every_glyph_once() -> None:
    layout = Catalogue(load_lexicon())
    shown = [e.glyph for e in layout.operators]
    for category in range(len(layout.categories)):
        for page in range(layout.pages(category)):
            entries = layout.page(View(category, page))
            assert 1 <= len(entries) <= PAGE_SIZE
            shown += [e.glyph for e in entries]
    assert sorted(shown) == sorted(e.glyph for e in load_lexicon())
    assert layout.valid(View(99, 0)) == View() and layout.valid(View(0, 99)).page == 0


def test_the_scene_is_read_back_from_its_own_text() -> None:
    layout = Catalogue(load_lexicon())
    assert load_lexicon().by_glyph(EMPTY) is None
    for scene in ((), ("⚗", "⟁", "🔥"), tuple(e.glyph for e in load_lexicon())[:MAX_SCENE]):
        for language in ("en", "ru"):
            text = "\n".join(layout.render(scene, language))  # type: ignore[arg-type]
            assert layout.scene_of(text) == scene
    assert layout.render(("⚗", "⟁", "🔥"), "ru")[1] == "⚗ смешать · ⟁ рост · 🔥 пламя"
    assert layout.scene_of("hello\n⚗") == () == layout.scene_of("⚗x")
