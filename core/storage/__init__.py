"""The conversation store: chats, users, settings and exchanges, in SQL via SQLAlchemy.

Nothing here opens a database at import time: call ``open_store(url)`` (or build an
engine with ``create_engine`` and pass it to ``SqlStore``) and migrate with
``core.storage.migrate``. SQLite (aiosqlite) is the default; PostgreSQL (asyncpg) works
through the same URL setting, the same migrations and the same store.
"""

from core.storage.engine import create_engine, mask_url, session_factory
from core.storage.protocol import ConversationStore
from core.storage.records import (
    ChatRecord,
    ChatSettings,
    Exchange,
    MessageRecord,
    StoreError,
    UnknownChatError,
    UserRecord,
)
from core.storage.repository import open_store
from core.storage.store import SqlStore

__all__ = [
    "ChatRecord",
    "ChatSettings",
    "ConversationStore",
    "Exchange",
    "MessageRecord",
    "SqlStore",
    "StoreError",
    "UnknownChatError",
    "UserRecord",
    "create_engine",
    "mask_url",
    "open_store",
    "session_factory",
]
