"""The lexicon bridge's word indexes kept on disk: read back equal, never stale, never trusted
when broken."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.bridge import index_cache
from core.bridge.lexicon_bridge import LexiconBridge
from core.language.lexicon import Lexicon, load_lexicon

SENTENCES = (
    ("огонь и врмея сегоднявечером", "ru"),
    ("the fiery storm beggining at dawn", "en"),
    ("огненный ветер зафтра", "ru"),
)


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv(index_cache.CACHE_ENV, str(folder))
    return folder


def test_a_cached_index_hears_as_the_built_one(cache: Path) -> None:
    built = LexiconBridge()
    assert len(list(cache.glob("word-index-*.pickle"))) == 1
    read = LexiconBridge()
    for text, language in SENTENCES:
        assert read.hear(text, language) == built.hear(text, language)
    for language, index in built.indexes.items():
        again = read.indexes[language]
        assert again.speller.rank == index.speller.rank
        assert again.phrases == index.phrases and again.family == index.family


def test_another_lexicon_gets_its_own_copy(cache: Path) -> None:
    shipped = load_lexicon()
    fewer = Lexicon(entry for entry in shipped if entry.key != "fire")
    assert index_cache.cache_key(fewer, True) != index_cache.cache_key(shipped, True)
    assert index_cache.cache_key(shipped, False) != index_cache.cache_key(shipped, True)
    LexiconBridge(shipped)
    without_fire = LexiconBridge(fewer)
    assert len(list(cache.glob("word-index-*.pickle"))) == 2
    assert "fire" not in without_fire.hear("огонь", "ru").concepts


def test_a_broken_copy_is_rebuilt(cache: Path, caplog: pytest.LogCaptureFixture) -> None:
    expected = LexiconBridge().hear(*SENTENCES[0])
    (copy,) = cache.glob("word-index-*.pickle")
    copy.write_bytes(copy.read_bytes()[:1000])  # a start killed mid-write, by another tool
    assert LexiconBridge().hear(*SENTENCES[0]) == expected
    assert "ignoring the cached word index" in caplog.text
    assert len(copy.read_bytes()) > 1000, "rebuilt and written again"


def test_no_cache_folder_means_no_cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(index_cache.CACHE_ENV, "")
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    LexiconBridge()
    assert not any(tmp_path.rglob("*.pickle"))
