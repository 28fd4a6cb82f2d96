"""What is kept about people, handing it to them, and erasing it: /privacy, /export, /forget all.

The store's reads and deletes go in pages and batches (``core.storage.export``,
``core.storage.erasure``); this piece adds what the service knows: its caches, which must not
keep a user that was erased, and the operator's retention settings.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass

from core.service.chats import Chats
from core.service.context import Contexts
from core.storage import erasure, export
from core.storage.errors import DEFAULT_RETRIES
from core.storage.records import StoreError
from core.storage.repository import ConversationStore
from core.types import Incoming

logger = logging.getLogger(__name__)

ERASE_CONFIRM_S = 600


@dataclass(frozen=True, slots=True)
class PrivacySettings:
    """The operator's privacy keys of ``[storage]``."""

    retention_days: int = 0  # exchanges older than this are deleted; 0: kept until erased
    erase_confirm_s: int = ERASE_CONFIRM_S  # how long a /forget all button may be pressed


class Privacy:
    """Exports and erasures of one person across every chat of a platform."""

    def __init__(
        self,
        store: ConversationStore,
        chats: Chats,
        contexts: Contexts,
        settings: PrivacySettings,
    ) -> None:
        self.store = store
        self.chats = chats
        self.contexts = contexts
        self.settings = settings

    def _sessions(self):  # type: ignore[no-untyped-def]
        sessions = getattr(self.store, "sessions", None)
        if sessions is None:
            raise StoreError("this store cannot export or erase people")
        return sessions

    @property
    def _retries(self) -> int:
        return int(getattr(self.store, "retries", DEFAULT_RETRIES))

    async def export(self, message: Incoming) -> tuple[bytes, int]:
        """The JSON document of everything kept about the asker on this platform, and how
        many of their questions it holds."""
        out = io.BytesIO()
        count = await export.write_export(
            self._sessions(), message.platform, message.user_id, out, retries=self._retries
        )
        return out.getvalue(), count

    async def erase(self, message: Incoming) -> erasure.Erased:
        """Everything kept about the asker on this platform, in batches (``/forget all``)."""
        batch = int(getattr(self.store, "delete_batch", erasure.DELETE_BATCH))
        erased = await erasure.erase_user(
            self._sessions(),
            message.platform,
            message.user_id,
            batch=batch,
            retries=self._retries,
        )
        # the caches must not hand the erased rows out again (a private chat's id among them)
        self.chats.forget_user(message.platform, message.user_id)
        self.chats.forget_all()
        for chat_id in erased.chats:
            self.contexts.drop(chat_id)
        return erased
