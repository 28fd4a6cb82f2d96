"""Latency and throughput of the inference core, against ``model.generate()`` one at a time.

Each scenario runs simulated chats that each send messages one after another through the
whole core (bridge, storage in a real SQLite file, the batching worker), first with the fast
batched decoder under the runner's shipped defaults, then with the baseline: the same service
whose worker answers one request at a time with ``model.generate()``. Every chat is new, so
its first message pays for creating the chat and the user. The event loop's worst lag is
measured alongside.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from core.bridge.lexicon_bridge import LexiconBridge
from core.language.corpus import build_corpus
from core.language.oracle import load_rules
from core.model.god import God, Request
from core.model.runner import GodRunner
from core.service import GodService, freeze_startup_objects
from core.settings import CoreSettings
from core.storage.repository import open_store
from core.types import Incoming, Mode

CONCURRENCY = (1, 16, 64, 256)
# Fewer replies than this make a scenario's figures noise (one chat of 4 messages, one cold).
MIN_REPLIES = 256
MODES: tuple[Mode, ...] = ("glyph", "translate")


@dataclass(frozen=True, slots=True)
class Figures:
    """One measured run."""

    p50_ms: float
    p95_ms: float
    replies_per_s: float
    loop_lag_max_ms: float
    replies: int


def question_pool(god: God) -> list[str]:
    """Every question of the corpus as glyphs, training and held-out alike."""
    corpus = build_corpus(load_rules(), seed=0, contemplations=2000, silences=200)
    scenes = [e.question for group in corpus.heldout.values() for e in group]
    scenes += [e.question for group in corpus.train.values() for e in group]
    return [god.lexicon.glyphs(scene) for scene in scenes]


def sample_questions(
    god: God, count: int, seed: int = 0, pool: Sequence[str] | None = None
) -> list[str]:
    """``count`` questions drawn from the pool (default: the whole corpus)."""
    pool = pool if pool is not None else question_pool(god)
    rng = random.Random(seed)
    return [rng.choice(pool) for _ in range(count)]


def _reference_answerer(god: God):  # type: ignore[no-untyped-def]
    def answer(requests: Sequence[Request]) -> list:  # type: ignore[type-arg]
        return [god.generate_reference(request) for request in requests]

    return answer


async def _loop_lag(stop: asyncio.Event, worst: list[float]) -> None:
    interval = 0.005
    while not stop.is_set():
        started = time.perf_counter()
        await asyncio.sleep(interval)
        worst[0] = max(worst[0], (time.perf_counter() - started - interval) * 1000)


async def run_scenario(
    god: God,
    concurrency: int,
    mode: Mode,
    *,
    baseline: bool,
    messages_per_chat: int,
    database: Path,
    seed: int = 0,
    pool: Sequence[str] | None = None,
    bridge: LexiconBridge | None = None,
    storage_url: str | None = None,
) -> Figures:
    """Simulated chats through one fresh service (on ``storage_url`` if given, else a fresh
    SQLite file at ``database``); returns latency and throughput."""
    store = await open_store(storage_url or f"sqlite+aiosqlite:///{database}", upgrade=True)
    if baseline:
        runner = GodRunner(
            _reference_answerer(god), batch_max=1, queue_size=concurrency, timeout_s=600.0
        )
    else:
        runner = GodRunner(god.answer_batch, queue_size=max(512, concurrency), timeout_s=600.0)
    await runner.start()
    service = GodService(
        settings=CoreSettings(default_mode=mode, max_message_chars=4000),
        store=store,
        runner=runner,
        bridge=bridge or LexiconBridge(god.lexicon),
        lexicon=god.lexicon,
        god=god,
    )
    await service.prepare()
    questions = sample_questions(god, concurrency * messages_per_chat, seed, pool)
    latencies: list[float] = []

    async def chat(index: int) -> None:
        for turn in range(messages_per_chat):
            text = questions[index * messages_per_chat + turn]
            # the scenario in the id: on a shared database each scenario has new chats too
            message = Incoming("bench", f"{database.stem}-chat{index}", f"user{index}", text)
            started = time.perf_counter()
            reply = await service.answering.answer(message)
            latencies.append((time.perf_counter() - started) * 1000)
            if reply.kind not in ("answer", "silence"):
                raise RuntimeError(f"benchmark reply failed: {reply.kind}")

    stop = asyncio.Event()
    worst = [0.0]
    monitor = asyncio.create_task(_loop_lag(stop, worst))
    started = time.perf_counter()
    try:
        await asyncio.gather(*(chat(i) for i in range(concurrency)))
    finally:
        elapsed = time.perf_counter() - started
        stop.set()
        await monitor
        await service.close()
    latencies.sort()
    return Figures(
        p50_ms=round(statistics.median(latencies), 2),
        p95_ms=round(latencies[max(0, int(len(latencies) * 0.95) - 1)], 2),
        replies_per_s=round(len(latencies) / elapsed, 1),
        loop_lag_max_ms=round(worst[0], 2),
        replies=len(latencies),
    )


async def benchmark(
    god: God,
    concurrencies: Sequence[int] = CONCURRENCY,
    modes: Sequence[Mode] = MODES,
    messages_per_chat: int = 2,
    min_replies: int = MIN_REPLIES,
    storage_url: str | None = None,
) -> list[dict[str, object]]:
    """Every scenario, each with its baseline measured in the same run."""
    pool = question_pool(god)
    bridge = LexiconBridge(god.lexicon)
    bridge.prepare()
    freeze_startup_objects()  # as `silentgod run` does once everything is loaded
    results: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory(prefix="silentgod-bench-") as folder:
        for mode in modes:
            for concurrency in concurrencies:
                per_chat = max(messages_per_chat, -(-min_replies // concurrency))
                fast, base = [
                    await run_scenario(
                        god,
                        concurrency,
                        mode,
                        baseline=baseline,
                        messages_per_chat=per_chat,
                        database=Path(folder) / f"{baseline=}-{mode}-{concurrency}.db",
                        pool=pool,
                        bridge=bridge,
                        storage_url=storage_url,
                    )
                    for baseline in (False, True)
                ]
                results.append(
                    {
                        "concurrency": concurrency,
                        "mode": mode,
                        "p50_ms": fast.p50_ms,
                        "p95_ms": fast.p95_ms,
                        "replies_per_s": fast.replies_per_s,
                        "loop_lag_max_ms": fast.loop_lag_max_ms,
                        "baseline_p50_ms": base.p50_ms,
                        "baseline_p95_ms": base.p95_ms,
                        "baseline_replies_per_s": base.replies_per_s,
                        "baseline_loop_lag_max_ms": base.loop_lag_max_ms,
                        "speedup": round(fast.replies_per_s / max(base.replies_per_s, 1e-9), 2),
                        "replies": fast.replies,
                    }
                )
    return results


def run_benchmark(god: God, **kwargs: object) -> list[dict[str, object]]:
    """Synchronous entry point for the command line."""
    return asyncio.run(benchmark(god, **kwargs))  # type: ignore[arg-type]
