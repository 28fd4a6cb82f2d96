"""``silentgod run``: every enabled frontend in one process and one event loop."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal

from bot.app import build_service
from bot.config import Config
from bot.frontend import Frontend

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
    try:
        for frontend in frontends:
            await frontend.start()
            started.append(frontend)
            logger.info("%s frontend started", frontend.name)
        if not frontends:
            logger.warning("no frontend is enabled in the config; nothing to serve")
        logger.info("the god is listening; SIGTERM or Ctrl-C stops it")
        await stop.wait()
        logger.info("stopping")
    finally:
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
