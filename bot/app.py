"""Builds the shared core from the configuration, and runs the enabled frontends."""

from __future__ import annotations

import asyncio
import logging

from bot.config import Config
from core.bridge.protocol import Bridge
from core.errors import SilentGodError
from core.language.lexicon import Lexicon, load_lexicon
from core.model.god import God
from core.model.runner import GodRunner
from core.service import GodService, PrivacySettings, freeze_startup_objects
from core.settings import model_threads
from core.storage.notify import open_notices
from core.storage.records import StoreError
from core.storage.repository import open_store

logger = logging.getLogger(__name__)


class StartupError(SilentGodError, RuntimeError):
    """The service cannot start; the message says what to fix, in one line."""


def make_bridge(config: Config, god: God, lexicon: Lexicon) -> Bridge:
    """The configured bridge: the lexicon bridge, or the LoRA voice over the god."""
    from core.bridge.lexicon_bridge import LexiconBridge

    lexicon_bridge = LexiconBridge(lexicon)
    if config.core.bridge == "lexicon":
        return lexicon_bridge
    try:
        from core.voice.runtime import LoraVoice

        floor = config.core.voice_confidence
        return LoraVoice.load(
            god,
            config.core.voice_dir or None,
            fallback=lexicon_bridge,
            confidence=floor if floor > 0 else None,
        )
    except Exception as error:
        where = config.core.voice_dir or "the package"
        if config.core.bridge_fallback:
            logger.warning("LoRA voice unavailable (%s); using the lexicon bridge", error)
            return lexicon_bridge
        raise StartupError(f"cannot load the LoRA voice from {where}: {error}") from error


async def build_service(config: Config, *, god: God | None = None) -> GodService:
    """Open the store (migrating it), load the god and the bridge, start the worker."""
    from core.model.god import CheckpointError

    lexicon = load_lexicon()
    if god is None:
        try:
            god = await asyncio.to_thread(God.load, config.core.model_dir or None, lexicon)
        except CheckpointError as error:
            raise StartupError(str(error)) from error
    bridge = make_bridge(config, god, lexicon)
    storage = config.storage
    try:
        store = await open_store(
            storage.url,
            upgrade=True,
            busy_timeout_ms=storage.busy_timeout_ms,
            pool_size=storage.pool_size,
            pool_pre_ping=storage.pool_pre_ping,
            retries=storage.retries,
            delete_batch=storage.delete_batch,
        )
    except StoreError as error:
        raise StartupError(f"[storage] url: {error}") from error
    core = config.core
    runner = GodRunner(
        god.answer_batch,
        batch_max=core.batch_max,
        batch_wait_ms=core.batch_wait_ms,
        queue_size=core.queue_size,
        per_user_inflight=core.per_user_inflight,
        timeout_s=core.request_timeout_s,
        torch_threads=model_threads(core.torch_threads),
    )
    bridge.bind(runner)  # the LoRA voice's forward passes go through the god's worker
    await runner.start()
    service = GodService(
        settings=core,
        store=store,
        runner=runner,
        bridge=bridge,
        lexicon=lexicon,
        god=god,
        notices=open_notices(store.url),
        access=config.access,
        privacy=PrivacySettings(storage.retention_days, storage.erase_confirm_s),
    )
    await service.prepare()
    freeze_startup_objects()
    return service
