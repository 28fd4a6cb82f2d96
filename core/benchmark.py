"""Latency and throughput of the inference core, against ``model.generate()`` one at a time.

Each scenario runs simulated chats that each send messages one after another through the
whole core (bridge, storage in a real SQLite file, the batching worker), first with the fast
batched decoder under the runner's shipped defaults, then with the baseline: the same service
whose worker answers one request at a time with ``model.generate()``. Every chat is new, so
its first message pays for creating the chat and the user. The event loop's worst lag is
measured alongside.

With ``bridge="lora"`` the chats write text (corpus questions as the lexicon bridge says them,
in Russian and English by turns) and the LoRA voice hears and speaks, its forward passes
batched in the god's worker; the baseline is then the plain loop of the voice answering one
message at a time: hear, ask the god (its fast decoder, one question), speak, next message.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from core.bridge.lexicon_bridge import LexiconBridge
from core.bridge.protocol import Bridge
from core.language.corpus import build_corpus
from core.language.oracle import SILENT, Exchange, load_rules
from core.language.text import script_language
from core.model.god import MAX_QUESTION, God, Request
from core.model.runner import GodRunner
from core.report import print_json
from core.service import GodService, freeze_startup_objects
from core.settings import CoreSettings, model_threads
from core.storage.repository import open_store
from core.types import LANGUAGES, Incoming, Mode

if TYPE_CHECKING:
    from core.voice.runtime import LoraVoice

BridgeName = Literal["lexicon", "lora"]

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


def spoken_questions(bridge: LexiconBridge, questions: Sequence[str]) -> list[str]:
    """Glyph questions as text, said by the lexicon bridge in Russian and English by turns."""
    return [
        bridge.speak(glyphs, LANGUAGES[index % 2]).text for index, glyphs in enumerate(questions)
    ]


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
    bridge: Bridge | None = None,
    limits: bool = False,
    storage_url: str | None = None,
) -> Figures:
    """Simulated chats through one fresh service (on ``storage_url`` if given, else a fresh
    SQLite file at ``database``); returns latency and throughput.

    ``limits``: with the shipped per-user rate limit (each chat stays inside its burst, so
    the figures show what the admission point costs, not what it refuses)."""
    store = await open_store(storage_url or f"sqlite+aiosqlite:///{database}", upgrade=True)
    if baseline:
        runner = GodRunner(
            _reference_answerer(god), batch_max=1, queue_size=concurrency, timeout_s=600.0
        )
    else:
        runner = GodRunner(god.answer_batch, queue_size=max(512, concurrency), timeout_s=600.0)
    bridge = bridge or LexiconBridge(god.lexicon)
    bridge.bind(runner)
    await runner.start()
    service = GodService(
        settings=CoreSettings(
            default_mode=mode,
            max_message_chars=4000,
            rate_per_minute=CoreSettings().rate_per_minute if limits else 0,
        ),
        store=store,
        runner=runner,
        bridge=bridge,
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
    return _figures(latencies, elapsed, worst[0])


def _plain_voice_loop(
    god: God, voice: LoraVoice, questions: Sequence[str], messages_per_chat: int
) -> list[float]:
    """Today's voice, one message after another: hear, ask the god, speak (milliseconds each).

    Languages and context are chosen as the service chooses them for these chats.
    """
    latencies: list[float] = []
    last: Exchange | None = None
    for index, text in enumerate(questions):
        if index % messages_per_chat == 0:
            last = None  # the next chat
        started = time.perf_counter()
        script = script_language(text)
        heard = voice.hear(text, script)
        question = tuple(heard.concepts)
        scene = SILENT
        if question and len(question) <= MAX_QUESTION:
            scene = god.answer_batch([Request(question, last)])[0]
            last = Exchange(question, scene)
        voice.speak(god.lexicon.glyphs(scene), script or "en")
        latencies.append((time.perf_counter() - started) * 1000)
    return latencies


async def run_voice_baseline(
    god: God,
    voice: LoraVoice,
    concurrency: int,
    *,
    messages_per_chat: int,
    seed: int = 0,
    pool: Sequence[str] | None = None,
) -> Figures:
    """The voice's baseline: the same messages through the plain loop, in one thread."""
    questions = sample_questions(god, concurrency * messages_per_chat, seed, pool)
    stop = asyncio.Event()
    worst = [0.0]
    monitor = asyncio.create_task(_loop_lag(stop, worst))
    started = time.perf_counter()
    try:
        latencies = await asyncio.to_thread(
            _plain_voice_loop, god, voice, questions, messages_per_chat
        )
    finally:
        elapsed = time.perf_counter() - started
        stop.set()
        await monitor
    return _figures(latencies, elapsed, worst[0])


def _figures(latencies: list[float], elapsed: float, lag_ms: float) -> Figures:
    latencies.sort()
    return Figures(
        p50_ms=round(statistics.median(latencies), 2),
        p95_ms=round(latencies[max(0, int(len(latencies) * 0.95) - 1)], 2),
        replies_per_s=round(len(latencies) / elapsed, 1),
        loop_lag_max_ms=round(lag_ms, 2),
        replies=len(latencies),
    )


async def benchmark(
    god: God,
    concurrencies: Sequence[int] = CONCURRENCY,
    modes: Sequence[Mode] = MODES,
    messages_per_chat: int = 2,
    min_replies: int = MIN_REPLIES,
    bridge: BridgeName = "lexicon",
    limits: bool = False,
    storage_url: str | None = None,
) -> list[dict[str, object]]:
    """Every scenario, each with its baseline measured in the same run; with ``limits``,
    each scenario again with the per-user limits on, beside the same run without them."""
    pool = question_pool(god)
    lexicon_bridge = LexiconBridge(god.lexicon)
    lexicon_bridge.prepare()
    voice: LoraVoice | None = None
    if bridge == "lora":
        from core.voice.runtime import LoraVoice

        voice = LoraVoice.load(god, fallback=lexicon_bridge)
        # The chats write text; every question of the corpus would take a minute to say.
        pool = spoken_questions(lexicon_bridge, sample_questions(god, 4096, 1, pool))
    freeze_startup_objects()  # as `silentgod run` does once everything is loaded
    results: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory(prefix="silentgod-bench-") as folder:
        # One message through a throwaway service first: the first calls into torch, SQLite
        # and the bridge cost 1–2 s (measured at 64 chats), which belong to no scenario.
        await run_scenario(
            god,
            1,
            modes[0],
            baseline=False,
            messages_per_chat=1,
            database=Path(folder) / "warm-up.db",
            pool=pool,
            bridge=voice or lexicon_bridge,
        )
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
                        bridge=voice or lexicon_bridge,
                        storage_url=storage_url,
                    )
                    if voice is None or not baseline
                    else await run_voice_baseline(
                        god, voice, concurrency, messages_per_chat=per_chat, pool=pool
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
                if limits:
                    results.append(
                        await _with_limits(god, concurrency, mode, fast, Path(folder), pool)
                    )
    return results


async def _with_limits(
    god: God, concurrency: int, mode: Mode, free: Figures, folder: Path, pool: Sequence[str]
) -> dict[str, object]:
    """One scenario with the per-user limits on, beside the same scenario without them."""
    burst = int(CoreSettings().rate_burst)
    limited = await run_scenario(
        god,
        concurrency,
        mode,
        baseline=False,
        messages_per_chat=burst,
        database=folder / f"limits-{mode}-{concurrency}.db",
        pool=pool,
        limits=True,
    )
    unlimited = await run_scenario(
        god,
        concurrency,
        mode,
        baseline=False,
        messages_per_chat=burst,
        database=folder / f"no-limits-{mode}-{concurrency}.db",
        pool=pool,
    )
    share = limited.replies_per_s / max(unlimited.replies_per_s, 1e-9)
    return {
        "concurrency": concurrency,
        "mode": mode,
        "limits": "on",
        "p50_ms": limited.p50_ms,
        "p95_ms": limited.p95_ms,
        "replies_per_s": limited.replies_per_s,
        "loop_lag_max_ms": limited.loop_lag_max_ms,
        "baseline_p50_ms": unlimited.p50_ms,
        "baseline_p95_ms": unlimited.p95_ms,
        "baseline_replies_per_s": unlimited.replies_per_s,
        "baseline_loop_lag_max_ms": unlimited.loop_lag_max_ms,
        "speedup": round(share, 2),
        "of_unlimited": round(share, 3),
        "replies": limited.replies,
    }


def run_benchmark(god: God, **kwargs: object) -> list[dict[str, object]]:
    """Synchronous entry point for the command line."""
    return asyncio.run(benchmark(god, **kwargs))  # type: ignore[arg-type]


def run(args: argparse.Namespace) -> int:
    """``silentgod bench``: latency and throughput of the inference core against the baseline,
    as a table or JSON."""
    import torch

    from core.model.god import God

    torch.set_num_threads(model_threads(args.threads))
    god = God.load(args.model_dir)
    concurrency = tuple(args.concurrency) if args.concurrency else (1, 16, 64, 256)
    modes = tuple(args.mode) if args.mode else ("glyph", "translate")
    results = run_benchmark(
        god,
        concurrencies=concurrency,
        modes=modes,
        messages_per_chat=args.messages,
        bridge=args.bridge,
        limits=args.limits,
        storage_url=args.storage_url,
    )
    if args.json:
        print_json(results)
        return 0
    header = (
        f"{'mode':<10}{'chats':>6}{'p50 ms':>9}{'p95 ms':>9}{'replies/s':>11}"
        f"{'base p50':>10}{'base p95':>10}{'base r/s':>10}{'speedup':>9}{'loop lag':>10}"
    )
    print(header)
    print("-" * len(header))
    for row in results:
        mode = f"{row['mode']}+limits" if row.get("limits") else row["mode"]
        print(
            f"{mode:<10}{row['concurrency']:>6}{row['p50_ms']:>9}{row['p95_ms']:>9}"
            f"{row['replies_per_s']:>11}{row['baseline_p50_ms']:>10}{row['baseline_p95_ms']:>10}"
            f"{row['baseline_replies_per_s']:>10}{row['speedup']:>8}x{row['loop_lag_max_ms']:>10}"
        )
    return 0
