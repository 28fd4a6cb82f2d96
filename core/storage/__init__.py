"""The conversation store: chats, users, settings and exchanges, in SQL via SQLAlchemy.

Nothing here opens a database at import time: call ``open_store(url)`` (or build an
engine with ``create_engine`` and pass it to ``SqlStore``) and migrate with
``core.storage.migrate``.
"""

from core.storage.engine import create_engine, session_factory
from core.storage.records import (
    ChatRecord,
    ChatSettings,
    Exchange,
    MessageRecord,
    StoreCounts,
    StoreError,
    UnknownChatError,
    UserRecord,
)
from core.storage.repository import ConversationStore, SqlStore, open_store

__all__ = [
    "ChatRecord",
    "ChatSettings",
    "ConversationStore",
    "Exchange",
    "MessageRecord",
    "SqlStore",
    "StoreCounts",
    "StoreError",
    "UnknownChatError",
    "UserRecord",
    "create_engine",
    "open_store",
    "session_factory",
]
