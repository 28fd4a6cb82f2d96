"""``db backup`` while 64 chats talk, ``db restore`` and its migration check."""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
from pathlib import Path

import pytest

from bot.cli import main
from core.storage import StoreError, migrate
from core.storage.backup import backup, backup_revision, restore
from core.types import Incoming

CHATS = 64


def _message_ids(path: Path) -> set[int]:
    with sqlite3.connect(path) as connection:
        return {row[0] for row in connection.execute("SELECT id FROM messages")}


async def test_a_backup_taken_while_64_chats_talk_restores_whole(
    god_service, db_path: Path, tmp_path: Path
) -> None:
    talking = asyncio.Event()
    stop = asyncio.Event()
    answered = [0] * CHATS

    async def chat(n: int) -> None:
        while not stop.is_set():
            message = Incoming("console", f"chat-{n}", f"user-{n}", "⚗⟁🔥", chat_kind="private")
            reply = await god_service.answering.answer(message)
            assert reply.kind == "answer", reply
            answered[n] += 1
            if sum(answered) >= CHATS:
                talking.set()

    chats = [asyncio.create_task(chat(n)) for n in range(CHATS)]
    copy = tmp_path / "backups" / "copy.db"
    try:
        await asyncio.wait_for(talking.wait(), 120)

        def take() -> set[int]:
            committed = _message_ids(db_path)  # committed before the backup starts
            backup(f"sqlite:///{db_path}", copy)
            return committed

        committed = await asyncio.to_thread(take)
        during = sum(answered)
        await asyncio.sleep(0.2)  # the chats keep talking after it
    finally:
        stop.set()
        await asyncio.gather(*chats)
    assert sum(answered) > during  # the backup never stopped the chats
    target = tmp_path / "restored" / "silentgod.db"
    assert restore(f"sqlite+aiosqlite:///{target}", copy) == migrate.head()
    with sqlite3.connect(target) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    restored = _message_ids(target)
    assert committed and committed <= restored
    assert len(restored) < len(_message_ids(db_path))  # a snapshot, not the later state


def _config(tmp_path: Path, url: str) -> str:
    path = tmp_path / "config.toml"
    path.write_text(f'[storage]\nurl = "{url}"\n', encoding="utf-8")
    return str(path)


async def test_restore_refuses_a_copy_at_another_migration(
    migrated_db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = _config(tmp_path, migrated_db_url)
    copy = tmp_path / "copy.db"
    assert await asyncio.to_thread(main, ["db", "backup", str(copy), "--config", config]) == 0
    assert backup_revision(migrated_db_url, copy) == migrate.head()
    with sqlite3.connect(copy) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '0000older'")
    capsys.readouterr()
    code = await asyncio.to_thread(main, ["db", "restore", str(copy), "--config", config])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and "migration 0000older" in err
    with pytest.raises(StoreError, match="is not a Silent God database"):
        not_ours = tmp_path / "other.db"
        sqlite3.connect(not_ours).execute("CREATE TABLE t (x)").connection.commit()
        restore(migrated_db_url, not_ours)


async def test_backup_never_overwrites(migrated_db_url: str, tmp_path: Path) -> None:
    existing = tmp_path / "there.db"
    existing.write_bytes(b"keep")
    with pytest.raises(StoreError, match="already exists"):
        backup(migrated_db_url, existing)
    assert existing.read_bytes() == b"keep"


async def test_postgresql_backup_and_restore(postgres_url: str, tmp_path: Path) -> None:
    from sqlalchemy import text

    from core.storage import SqlStore
    from core.storage.records import NewMessage

    if shutil.which("pg_dump") is None:
        pytest.skip("pg_dump is not installed")
    await migrate.upgrade(postgres_url)
    async with SqlStore.from_url(postgres_url) as store:
        chat = await store.ensure_chat("console", "c", "private")
        user = await store.ensure_user("console", "u")

        async def ask(words: str) -> None:
            new = NewMessage(chat.id, user.id, "user", words, "🜂", "glyph", "en")
            await store.add_messages([new])

        async def texts() -> list[str]:
            async with store.sessions() as session:
                rows = await session.execute(text("SELECT text FROM messages ORDER BY id"))
                return [row[0] for row in rows]

        await ask("before")
        copy = tmp_path / "pg.dump"
        await asyncio.to_thread(backup, postgres_url, copy)
        await ask("after")
        assert await asyncio.to_thread(backup_revision, postgres_url, copy) == migrate.head()
        await store.close()  # pg_restore --clean drops the tables these connections use
        assert await asyncio.to_thread(restore, postgres_url, copy) == migrate.head()
        assert await texts() == ["before"]


def test_a_missing_pg_dump_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda _name: None)
    url = "postgresql+asyncpg://god:hunter22@db.example/silentgod"
    with pytest.raises(StoreError, match="pg_dump is not installed") as raised:
        backup(url, tmp_path / "pg.dump")
    assert "hunter22" not in str(raised.value) and "\n" not in str(raised.value)
