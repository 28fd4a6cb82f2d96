"""Every migration after the first upgrades a database that already holds conversations."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from core.storage import migrate


async def test_upgrades_keep_every_row(db_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{db_path}"
    await migrate.upgrade(url, "0001")
    with sqlite3.connect(db_path) as conn:
        conn.execute(
            "INSERT INTO chats (id, platform, external_id, kind, language, created_at, updated_at)"
            " VALUES (1, 'telegram', '42', 'private', 'auto', '2026-11-30', '2026-11-30')"
        )
        conn.execute(
            "INSERT INTO users (id, platform, external_id, name, created_at)"
            " VALUES (1, 'telegram', '42', 'alice', '2026-11-30')"
        )
        conn.execute(
            "INSERT INTO messages (chat_id, user_id, role, text, glyphs, mode, created_at)"
            " VALUES (1, 1, 'user', 'fire', '🜂', 'glyph', '2026-11-30')"
        )
    await migrate.upgrade(url, "head")
    assert await migrate.current(url) == migrate.head()
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT status FROM chats").fetchall() == [("active",)]
        assert conn.execute("SELECT text, glyphs, thread_external_id FROM messages").fetchall() == [
            ("fire", "🜂", None)
        ]
        assert conn.execute("SELECT count(*) FROM intake").fetchone() == (0,)
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    await migrate.downgrade(url, "0001")
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT text FROM messages").fetchall() == [("fire",)]
