"""``/healthz`` and ``/metrics`` over HTTP, served on the loop that runs the frontends.

``[observe] listen = "127.0.0.1:9108"`` turns it on. ``/healthz`` answers 200 when every
frontend this process runs says it can serve (its ``health()`` returns None) and the store
answers a cheap query in time; 503 with a JSON reason otherwise. ``/metrics`` is the service's
``core.observe.Metrics`` in the Prometheus text format.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST
from sqlalchemy import text

from bot.app import StartupError
from core.service import GodService

logger = logging.getLogger(__name__)

STORE_TIMEOUT_S = 2.0


@runtime_checkable
class Checked(Protocol):
    """A frontend that can say whether it is serving (a Telegram follower waiting for the
    leadership is serving: its ``health()`` returns None)."""

    def health(self) -> str | None:
        """Why this frontend cannot serve now, in one line; None when it can."""
        ...


def split_listen(listen: str) -> tuple[str, int]:
    """``host:port`` (``[::1]:9108`` for IPv6) as a host and a port; ValueError if not."""
    host, sep, port = listen.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 <= int(port) < 65536:
        raise ValueError(f"{listen!r} is not host:port")
    return host.strip("[]"), int(port)


async def store_problem(service: GodService, timeout_s: float = STORE_TIMEOUT_S) -> str | None:
    """Why the store does not answer, or None when a cheap query comes back in time."""
    sessions = getattr(service.store, "sessions", None)
    if sessions is None:  # a store without SQL (a test's fake) answers by being there
        return None

    async def query() -> None:
        async with sessions() as session:
            await session.execute(text("SELECT version_num FROM alembic_version"))

    try:
        await asyncio.wait_for(query(), timeout_s)
    except TimeoutError:
        service.metrics.store_error()
        return f"store: no answer within {timeout_s:g} s"
    except Exception as error:  # any failure at all means "not healthy", with its reason
        service.metrics.store_error()
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        return f"store: {reason[:200]}"
    return None


class ObserveServer:
    """The HTTP endpoints of one ``silentgod run`` process."""

    def __init__(self, listen: str, service: GodService, frontends: Sequence[object]) -> None:
        self.host, self.port = split_listen(listen)
        self.service = service
        self.frontends = list(frontends)
        self._runner: web.AppRunner | None = None

    async def problems(self) -> list[str]:
        """Everything that keeps this process from serving (empty when healthy)."""
        found = []
        for frontend in self.frontends:
            if isinstance(frontend, Checked):
                problem = frontend.health()
                if problem:
                    found.append(problem)
        problem = await store_problem(self.service)
        if problem:
            found.append(problem)
        return found

    async def healthz(self, _request: web.Request) -> web.Response:
        """200 ``{"status": "ok"}`` or 503 with the reasons."""
        problems = await self.problems()
        if problems:
            body = {"status": "unavailable", "reason": "; ".join(problems), "problems": problems}
            return web.json_response(body, status=503)
        return web.json_response({"status": "ok"})

    async def metrics(self, _request: web.Request) -> web.Response:
        """The Prometheus text format."""
        body = self.service.metrics.text()
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    async def start(self) -> None:
        """Listen; StartupError (one line) when the address cannot be bound."""
        app = web.Application()
        app.router.add_get("/healthz", self.healthz)
        app.router.add_get("/metrics", self.metrics)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        try:
            await web.TCPSite(runner, self.host, self.port).start()
        except OSError as error:
            await runner.cleanup()
            reason = error.strerror or error
            where = f"{self.host}:{self.port}"
            raise StartupError(f"[observe] listen: cannot listen on {where}: {reason}") from None
        self._runner = runner
        logger.info("health and metrics on http://%s:%d/", self.host, self.port)

    @property
    def bound_port(self) -> int:
        """The port actually listened on (``:0`` in the config picks a free one)."""
        assert self._runner is not None
        for site in self._runner.sites:
            server = getattr(site, "_server", None)
            if server is not None and server.sockets:
                return int(server.sockets[0].getsockname()[1])
        return self.port

    async def stop(self) -> None:
        """Stop listening."""
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()
