"""Settings notices between processes: PostgreSQL ``LISTEN/NOTIFY`` on a connection of its own.

Each process caches chat settings. When one process changes a chat's mode or language it
sends ``(platform, chat)`` on one channel; every other process drops that chat's cached
settings as the notice arrives (milliseconds). A notice can be lost while the listening
connection is down (a server restart): after reconnecting, a process drops its whole
settings cache, and the cache's time limit (``[core] settings_ttl_s``) bounds what even that
misses. SQLite has no notices: ``open_notices`` returns None there.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
from collections.abc import Callable
from typing import Any

from sqlalchemy.engine import URL

from core.storage.engine import mask_url, parse_url

logger = logging.getLogger(__name__)

CHANNEL = "silentgod_settings"
CONNECT_TIMEOUT_S = 5.0

Changed = Callable[[str, str], None]


class SettingsNotices:
    """Tells the other processes which chat's settings changed, and hears what they changed."""

    def __init__(self, url: str | URL, *, retry_s: float = 1.0) -> None:
        self.url = parse_url(url)
        self.retry_s = retry_s
        self.sender = secrets.token_hex(8)  # a process ignores its own notices
        self._connection: Any = None  # asyncpg.Connection
        self._lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None
        self._on_change: Changed = lambda _platform, _chat: None
        self._on_gap: Callable[[], None] = lambda: None

    async def start(self, on_change: Changed, on_gap: Callable[[], None]) -> None:
        """Listen: ``on_change(platform, chat)`` per notice, ``on_gap()`` after a reconnect."""
        self._on_change, self._on_gap = on_change, on_gap
        try:
            await self._connect()
        except Exception as error:  # the store works without notices; the TTL catches up
            logger.warning("settings notices unavailable (%s); retrying in the background", error)
        self._task = asyncio.create_task(self._keep_listening(), name="settings-notices")

    async def _connect(self) -> None:
        import asyncpg

        dsn = self.url.set(drivername="postgresql").render_as_string(hide_password=False)
        connection = await asyncpg.connect(dsn, timeout=CONNECT_TIMEOUT_S)
        await connection.add_listener(CHANNEL, self._heard)
        self._connection = connection

    async def _keep_listening(self) -> None:
        while True:
            await asyncio.sleep(self.retry_s)
            if self._connection is not None and not self._connection.is_closed():
                continue
            try:
                await self._connect()
            except Exception as error:
                logger.debug("settings notices: %s unreachable: %s", mask_url(self.url), error)
                continue
            logger.info("settings notices: listening again; cached settings are read afresh")
            self._on_gap()  # what changed while nobody listened is unknown

    def _heard(self, _connection: object, _pid: int, _channel: str, payload: str) -> None:
        try:
            notice = json.loads(payload)
            if notice["from"] != self.sender:
                self._on_change(str(notice["platform"]), str(notice["chat"]))
        except (ValueError, KeyError, TypeError):
            logger.warning("settings notices: a notice that is not ours ignored: %r", payload)

    async def changed(self, platform: str, chat_id: str) -> None:
        """Tell the other processes that this chat's settings changed."""
        payload = json.dumps({"from": self.sender, "platform": platform, "chat": chat_id})
        async with self._lock:  # one query at a time on one asyncpg connection
            connection = self._connection
            if connection is None or connection.is_closed():
                logger.warning("settings notices: not connected; others see %s later", chat_id)
                return
            try:
                await connection.execute("SELECT pg_notify($1, $2)", CHANNEL, payload)
            except Exception as error:
                logger.warning("settings notices: %s not sent (%s)", chat_id, error)

    async def close(self) -> None:
        """Stop listening and close the connection."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        connection, self._connection = self._connection, None
        if connection is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(connection.close(), CONNECT_TIMEOUT_S)


def open_notices(url: str | URL) -> SettingsNotices | None:
    """Notices for a PostgreSQL database; None for SQLite, where one process is the rule."""
    parsed = parse_url(url)
    return SettingsNotices(parsed) if parsed.get_backend_name() == "postgresql" else None
