"""The one core every frontend calls, in pieces with one job each.

``GodService`` only puts the pieces together and closes them: ``chats`` (settings and their
cache), ``answering`` (hear → ask → reply), ``memory`` (history, forget, reveal), ``privacy``
(/export, /forget all), ``dictionary`` (the bridge and the lexicon alone) and ``painter`` (the
meaning field). Blocking work never runs on the event loop: the god runs in the runner's
thread, the database through its async driver, and the bridge in a thread unless the text is
short and the bridge cheap.
"""

from __future__ import annotations

import gc
from datetime import datetime

from core.access import AccessSettings, Clock, Gate, utc_now
from core.bridge.protocol import Bridge
from core.language.lexicon import Lexicon
from core.model.god import God
from core.model.runner import GodRunner
from core.observe import Metrics
from core.service.admission import Admission
from core.service.answering import Answering
from core.service.chats import Chats, SettingChange
from core.service.context import Contexts
from core.service.dictionary import Dictionary
from core.service.field import FieldPainter
from core.service.hearing import Hearing
from core.service.memory import HISTORY_LIMIT, HistoryItem, Memory
from core.service.privacy import Privacy, PrivacySettings
from core.service.quota import Quotas
from core.settings import CoreSettings
from core.storage.notify import SettingsNotices
from core.storage.repository import ConversationStore
from core.storage.stats import StatsStore

__all__ = [
    "HISTORY_LIMIT",
    "CoreSettings",
    "GodService",
    "HistoryItem",
    "PrivacySettings",
    "SettingChange",
    "freeze_startup_objects",
]


class GodService:
    """Shared by every frontend on one event loop; received through their constructors."""

    def __init__(
        self,
        *,
        settings: CoreSettings,
        store: ConversationStore,
        runner: GodRunner,
        bridge: Bridge,
        lexicon: Lexicon,
        god: God | None = None,
        notices: SettingsNotices | None = None,
        metrics: Metrics | None = None,
        access: AccessSettings | None = None,
        clock: Clock = utc_now,
        privacy: PrivacySettings | None = None,
    ) -> None:
        self.settings = settings
        self.clock = clock  # the day of quotas and refusals; tests move it
        sessions = getattr(store, "sessions", None)
        retries = getattr(store, "retries", 3)
        self.stats = StatsStore(sessions, retries=retries) if sessions is not None else None
        self.notices = notices
        self.metrics = metrics or Metrics()
        self.metrics.watch_queue(lambda: runner.queued)
        runner.on_batch = self.metrics.batch
        self.store = store
        self.runner = runner
        self.lexicon = lexicon
        self.hearing = Hearing(bridge)
        self.admission = Admission(
            rate_per_minute=settings.rate_per_minute,
            burst=settings.rate_burst,
            notice_window_s=settings.rate_notice_window_s,
            askers=settings.cache_size,
        )
        contexts = Contexts(store, lexicon, settings.context_turns, settings.cache_size)
        self.chats = Chats(settings, store, contexts, notices)
        self.answering = Answering(
            settings, store, self.chats, contexts, self.hearing, runner, lexicon, self.admission
        )
        self.answering.metrics = self.metrics
        self.configure_access(access or AccessSettings())
        self.memory = Memory(store, self.chats, contexts, self.hearing, lexicon)
        self.privacy = Privacy(store, self.chats, contexts, privacy or PrivacySettings())
        self.dictionary = Dictionary(self.chats, self.hearing, lexicon)
        self.painter = FieldPainter(
            settings, self.answering, self.chats, contexts, runner, lexicon, god
        )

    def now(self) -> datetime:
        """The service's clock (``clock``), read at every call so that a test may move it."""
        return self.clock()

    def configure_access(self, access: AccessSettings) -> None:
        """Who may ask and the daily quotas (``[access]``)."""
        self.access = access
        self.gate = Gate(access, self.now)
        self.quotas = Quotas(
            self.gate,
            self.stats,
            daily_answers=access.daily_answers,
            daily_fields=access.daily_fields,
            clock=self.now,
        )
        self.answering.quotas = self.quotas

    @property
    def bridge(self) -> Bridge:
        """The configured bridge."""
        return self.hearing.bridge

    async def prepare(self) -> None:
        """Load what a first message would otherwise wait for; hear other processes' changes."""
        await self.hearing.prepare()
        if self.notices is not None:
            await self.notices.start(self.chats.forget, self.chats.forget_all)

    async def close(self) -> None:
        """Drain in-flight answers, stop the worker and close the store."""
        await self.runner.stop()
        self.painter.close()
        await self.answering.close()
        await self.memory.close()
        await self.chats.close()
        if self.notices is not None:
            await self.notices.close()
        await self.store.close()


def freeze_startup_objects() -> None:
    """Keep what was loaded at start (torch, transformers, lexicon, dictionaries: ~400 000
    objects) out of the garbage collector's full passes, which otherwise stop the event loop
    for ~200 ms each. For the process's owner to call once everything is loaded."""
    gc.collect()
    gc.freeze()
