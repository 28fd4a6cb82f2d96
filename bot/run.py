"""``silentgod run``: every enabled frontend in one process and one event loop."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal

from bot.app import build_service
from bot.config import Config
from bot.frontend import Frontend
from core.service import GodService

logger = logging.getLogger(__name__)


def make_frontends(config: Config, service: object) -> list[Frontend]:
    """The frontends the configuration enables."""
    frontends: list[Frontend] = []
    if config.telegram.enabled:
        from bot.telegram.frontend import TelegramFrontend

        frontends.append(TelegramFrontend(config.telegram, service))  # type: ignore[arg-type]
    if config.discord.enabled:
        from bot.discord.frontend import DiscordFrontend

        frontends.append(DiscordFrontend(config.discord, service))  # type: ignore[arg-type]
    return frontends


def start_pruning(config: Config, service: GodService) -> asyncio.Task[None] | None:
    """The hourly retention job, when ``[storage] retention_days`` is set."""
    days = config.storage.retention_days
    sessions = getattr(service.store, "sessions", None)
    if not days or sessions is None:
        return None
    from core.storage.retention import prune_forever

    storage = config.storage
    job = prune_forever(sessions, days, retries=storage.retries, batch=storage.delete_batch)
    return asyncio.create_task(job, name="retention")


async def serve(config: Config, stop: asyncio.Event | None = None) -> int:
    """Run until SIGTERM/SIGINT (or ``stop``), then shut down cleanly."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signum, stop.set)
    service = await build_service(config)
    frontends = make_frontends(config, service)
    started: list[Frontend] = []
    observer, pruner = None, start_pruning(config, service)
    try:
        for frontend in frontends:
            await frontend.start()
            started.append(frontend)
            logger.info("%s frontend started", frontend.name)
        if config.observe.listen:
            from bot.observe import ObserveServer

            observer = ObserveServer(config.observe.listen, service, frontends)
            await observer.start()
        if not frontends:
            logger.warning("no frontend is enabled in the config; nothing to serve")
        logger.info("the god is listening; SIGTERM or Ctrl-C stops it")
        await stop.wait()
        logger.info("stopping")
    finally:
        if observer is not None:
            await observer.stop()
        if pruner is not None:
            pruner.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await pruner
        for frontend in reversed(started):
            try:
                await frontend.stop()
            except Exception:
                logger.exception("%s frontend did not stop cleanly", frontend.name)
        await service.close()
        for signum in (signal.SIGTERM, signal.SIGINT):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.remove_signal_handler(signum)
    logger.info("stopped")
    return 0
