"""``/healthz`` and ``/metrics`` of a running ``silentgod run`` (the console drives answers)."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

import bot.run
from bot.config import parse_config
from bot.console.frontend import ConsoleFrontend
from bot.observe import ObserveServer, split_listen


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _sample(text: str, family: str, **labels: str) -> float:
    """The sum of a family's samples (counters: their ``_total``) whose labels match."""
    total = 0.0
    for metric in text_string_to_metric_families(text):
        if metric.name != family:
            continue
        for sample in metric.samples:
            if sample.name.endswith("_created"):
                continue
            if metric.type == "histogram" and not sample.name.endswith("_count"):
                continue
            if all(sample.labels.get(k) == v for k, v in labels.items()):
                total += sample.value
    return total


@pytest.fixture
async def running(tmp_path: Path, shipped_god, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """``serve`` with no network frontend and [observe] on; yields (base URL, service, db)."""
    db = tmp_path / "db" / "silentgod.db"
    port = _free_port()
    config = parse_config(
        {
            "core": {"rate_per_minute": 0},
            "storage": {"url": f"sqlite+aiosqlite:///{db}"},
            "observe": {"listen": f"127.0.0.1:{port}"},
        },
        environ={},
    )
    services = []
    real_build = bot.run.build_service

    async def build(config):  # type: ignore[no-untyped-def]
        service = await real_build(config, god=shipped_god)
        services.append(service)
        return service

    monkeypatch.setattr(bot.run, "build_service", build)
    stop = asyncio.Event()
    task = asyncio.create_task(bot.run.serve(config, stop))
    base = f"http://127.0.0.1:{port}"
    async with aiohttp.ClientSession() as http:
        for _ in range(600):
            try:
                async with http.get(f"{base}/healthz"):
                    break
            except aiohttp.ClientConnectionError:
                assert not task.done(), task.exception()
                await asyncio.sleep(0.05)
    try:
        yield base, services[0], db
    finally:
        stop.set()
        assert await asyncio.wait_for(task, 60) == 0


async def _get(base: str, path: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as http, http.get(base + path) as response:
        return response.status, await response.text()


async def test_healthz_flips_to_503_when_the_store_is_gone_and_back(running) -> None:
    base, service, db = running
    assert await _get(base, "/healthz") == (200, '{"status": "ok"}')
    away = db.parent.with_name("away")
    await service.store.close()  # drop the pooled connections, which would outlive the rename
    db.parent.rename(away)
    try:
        status, body = await _get(base, "/healthz")
        assert status == 503
        assert '"reason": "store: ' in body
    finally:
        away.rename(db.parent)
    assert (await _get(base, "/healthz"))[0] == 200
    _, metrics = await _get(base, "/metrics")
    assert _sample(metrics, "silentgod_store_errors") == 1


async def test_metrics_count_exactly_the_answers_sent(running) -> None:
    base, service, _ = running
    _, before = await _get(base, "/metrics")
    replies_before = _sample(before, "silentgod_replies")
    console = ConsoleFrontend(service, user_id="ada", language_hint="en")
    for text in ("⚗⟁🔥", "🜂⧖🕯", "fire and time", "⚗⟁🔥", "water"):
        await console.handle(text)
    await console.handle("x" * 5000)  # too long: a refusal, not a reply
    await console.handle("/help")  # a command that asks nothing
    _, after = await _get(base, "/metrics")
    assert _sample(after, "silentgod_replies") - replies_before == 5
    assert _sample(after, "silentgod_replies", platform="console", mode="translate") == 5
    assert _sample(after, "silentgod_reply_seconds", platform="console") == 5
    assert _sample(after, "silentgod_refusals", kind="too_long") == 1
    assert _sample(after, "silentgod_model_batch_size", kind="god") >= 1
    assert "silentgod_queue_depth 0.0" in after


class _Frontend:
    name = "fake"

    def __init__(self) -> None:
        self.problem: str | None = None

    def health(self) -> str | None:
        return self.problem


async def test_a_frontend_that_is_down_makes_it_unhealthy(god_service) -> None:
    frontend = _Frontend()
    server = ObserveServer("127.0.0.1:0", god_service, [frontend])
    await server.start()
    base = f"http://127.0.0.1:{server.bound_port}"
    try:
        assert (await _get(base, "/healthz"))[0] == 200
        frontend.problem = "discord: the gateway is not ready"
        status, body = await _get(base, "/healthz")
        assert status == 503 and "discord: the gateway is not ready" in body
    finally:
        await server.stop()


def test_listen_addresses() -> None:
    assert split_listen("127.0.0.1:9108") == ("127.0.0.1", 9108)
    assert split_listen("[::1]:0") == ("::1", 0)
    with pytest.raises(ValueError):
        split_listen("9108")
