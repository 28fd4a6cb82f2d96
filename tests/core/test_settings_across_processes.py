"""Settings agree across processes: a change made through one is in force in the others."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

import asyncpg
import pytest

from core.language.lexicon import load_lexicon
from core.service.chats import Chats
from core.service.context import Contexts
from core.settings import CoreSettings
from core.storage import SqlStore
from core.storage import migrate as storage_migrate
from core.storage.notify import SettingsNotices, open_notices
from core.types import Incoming

ALICE = Incoming(platform="telegram", chat_id="77", user_id="77", text="hi", chat_kind="private")


async def _until(check: Callable[[], bool], timeout: float) -> float:
    """Seconds until ``check()`` holds; fails after ``timeout``."""
    loop = asyncio.get_running_loop()
    start = loop.time()
    while not check():
        assert loop.time() - start < timeout, "not within the time allowed"
        await asyncio.sleep(0.01)
    return loop.time() - start


def test_sqlite_has_no_notices() -> None:
    assert open_notices("sqlite+aiosqlite:///god.db") is None
    assert isinstance(open_notices("postgresql+asyncpg://u@h/db"), SettingsNotices)


async def test_notices_reach_the_other_process_not_the_sender(postgres_url: str) -> None:
    heard: dict[str, list[tuple[str, str]]] = {"a": [], "b": []}
    gaps: list[str] = []
    a, b = SettingsNotices(postgres_url, retry_s=0.1), SettingsNotices(postgres_url, retry_s=0.1)
    await a.start(lambda p, c: heard["a"].append((p, c)), lambda: gaps.append("a"))
    await b.start(lambda p, c: heard["b"].append((p, c)), lambda: gaps.append("b"))
    try:
        await a.changed("discord", "123")
        assert await _until(lambda: heard["b"] == [("discord", "123")], 1.0) < 1.0
        await asyncio.sleep(0.1)
        assert heard["a"] == [], "a process does not hear itself"
        # the listener's connection ends (a server restart): it reconnects and, having
        # missed whatever changed meanwhile, drops everything it cached
        admin = await asyncpg.connect(postgres_url.replace("postgresql+asyncpg", "postgresql"))
        try:
            await admin.fetchval("SELECT pg_terminate_backend($1)", b._connection.get_server_pid())
        finally:
            await admin.close()
        await _until(lambda: gaps == ["b"], 5.0)
        await a.changed("telegram", "9")
        await _until(lambda: heard["b"][-1] == ("telegram", "9"), 1.0)
    finally:
        await a.close()
        await b.close()


@pytest.fixture
def lexicon():
    return load_lexicon()


async def _chats(url: str, lexicon, ttl: float, notices: SettingsNotices | None) -> Chats:
    store = SqlStore.from_url(url)
    settings = CoreSettings(default_mode="translate", settings_ttl_s=ttl)
    chats = Chats(settings, store, Contexts(store, lexicon, 1, 100), notices)
    if notices is not None:
        await notices.start(chats.forget, chats.forget_all)
    return chats


@pytest.fixture
async def two_processes(postgres_url: str, lexicon) -> AsyncIterator[tuple[Chats, Chats]]:
    """The settings of two processes on one PostgreSQL database (no TTL: notices alone)."""
    await storage_migrate.upgrade(postgres_url)
    pair = [await _chats(postgres_url, lexicon, 0, SettingsNotices(postgres_url)) for _ in "ab"]
    yield pair[0], pair[1]
    for chats in pair:
        await chats.close()
        assert chats.notice is not None
        await chats.notice.close()  # type: ignore[attr-defined]
        await chats.store.close()  # type: ignore[attr-defined]


async def test_a_mode_set_in_one_process_holds_in_the_other_within_a_second(
    two_processes: tuple[Chats, Chats],
) -> None:
    one, other = two_processes
    await other.open(ALICE)
    assert await other.effective_mode(ALICE) == "translate"  # cached now
    assert (await one.mode_setting(ALICE, "glyph")).outcome == "set"
    mode: list[str] = []

    async def check() -> None:
        mode.append(await other.effective_mode(ALICE))

    loop = asyncio.get_running_loop()
    start = loop.time()
    while True:
        await check()
        if mode[-1] == "glyph" or loop.time() - start > 1.0:
            break
        await asyncio.sleep(0.01)
    assert mode[-1] == "glyph", "the other process still answers in the old mode"
    assert (await one.language_setting(ALICE, "ru")).outcome == "set"
    await asyncio.sleep(0.5)
    assert await other.language_for(ALICE) == "ru"


async def test_without_notices_cached_settings_expire_after_the_ttl(
    migrated_db_url: str, lexicon
) -> None:
    chats = await _chats(migrated_db_url, lexicon, 0.3, None)
    try:
        await chats.open(ALICE)
        assert await chats.effective_mode(ALICE) == "translate"
        await chats.store.set_chat_mode("telegram", "77", "glyph")  # another process's write
        assert await chats.effective_mode(ALICE) == "translate", "cached"
        await asyncio.sleep(0.4)
        assert await chats.effective_mode(ALICE) == "glyph"
    finally:
        await chats.close()
        await chats.store.close()  # type: ignore[attr-defined]
