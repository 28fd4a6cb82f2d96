"""Do pictures hold up other people's answers? 48 concurrent /field from 6 users, and one
bystander asking plain questions meanwhile.

The service is the one ``silentgod run`` builds (shipped god, lexicon bridge, a fresh SQLite
file, the shipped per-user limits), called through the command layer as every frontend calls
it. The bystander asks ``--asks`` questions one after another, first with nothing else going
on (the baseline) and then while the 48 pictures are asked for; the table gives the
bystander's answer latency (answers only: a question refused by the bystander's own rate limit
is left out) and the event loop's worst lag in each phase. The issue's target: p95 ≤ 200 ms
with the pictures going.

Run: ``python benchmarks/field_bystander.py`` (``--threads 1`` for one torch thread, ``--json``
for one JSON document).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.app import build_service
from bot.config import parse_config
from core import commands
from core.commands.model import Invocation
from core.service import GodService
from core.types import Incoming

PAINTERS = 6
PICTURES = 48
# The bystanders take turns, so that none runs past the shipped burst of 10 answers.
BYSTANDERS = 8


def _message(user: str, text: str) -> Invocation:
    return Invocation(Incoming("console", f"chat-{user}", user, text))


async def _bystander(service: GodService, asks: int) -> list[float]:
    """Latencies (ms) of the bystanders' answered questions."""
    latencies = []
    for number in range(asks):
        started = time.perf_counter()
        outcome = await commands.run(
            service, "ask", _message(f"bystander{number % BYSTANDERS}", "⚗⟁🔥")
        )
        if outcome.glyphs or (outcome.text and not outcome.refusal):
            latencies.append((time.perf_counter() - started) * 1000)
    return latencies


async def _lag(stop: asyncio.Event, worst: list[float]) -> None:
    while not stop.is_set():
        started = time.perf_counter()
        await asyncio.sleep(0.01)
        worst[0] = max(worst[0], (time.perf_counter() - started - 0.01) * 1000)


async def _phase(service: GodService, asks: int, pictures: bool) -> dict[str, float]:
    stop, worst = asyncio.Event(), [0.0]
    lag = asyncio.create_task(_lag(stop, worst))
    painting = [
        asyncio.create_task(
            commands.run(service, "field", _message(f"painter{i % PAINTERS}", "🜂⧖🕯"))
        )
        for i in range(PICTURES if pictures else 0)
    ]
    await asyncio.sleep(0.05)
    latencies = await _bystander(service, asks)
    drawn = sum(1 for outcome in await asyncio.gather(*painting) if outcome.picture is not None)
    stop.set()
    await lag
    return {
        "answers": len(latencies),
        "p50_ms": statistics.median(latencies),
        "p95_ms": statistics.quantiles(latencies, n=20)[-1] if len(latencies) > 1 else latencies[0],
        "max_ms": max(latencies),
        "worst_loop_lag_ms": worst[0],
        "pictures_drawn": drawn,
    }


async def run(threads: int, asks: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as folder:
        config = parse_config(
            {
                "core": {"default_mode": "glyph", "torch_threads": threads},
                "storage": {"url": f"sqlite+aiosqlite:///{folder}/bench.db"},
            },
            environ={},
        )
        service = await build_service(config)
        try:
            await _bystander(service, BYSTANDERS)  # each bystander's chat and user exist
            # the drawing process is started (cold: torch and the god) before anything is timed
            await commands.run(service, "field", _message("warm", "🜂⧖🕯"))
            return {
                "threads": threads,
                "alone": await _phase(service, asks, pictures=False),
                "with_48_pictures": await _phase(service, asks, pictures=True),
            }
        finally:
            await service.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: all cores)")
    parser.add_argument("--asks", type=int, default=40, help="the bystander's questions a phase")
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    args = parser.parse_args()
    results = asyncio.run(run(args.threads, args.asks))
    if args.json:
        print(json.dumps(results))
        return
    print(f"torch threads: {args.threads or 'all cores'}")
    print(f"{'':<20} {'answers':>8} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'loop lag':>9}")
    for phase in ("alone", "with_48_pictures"):
        row = results[phase]
        assert isinstance(row, dict)
        print(
            f"{phase:<20} {row['answers']:>8} {row['p50_ms']:>8.0f} {row['p95_ms']:>8.0f} "
            f"{row['max_ms']:>8.0f} {row['worst_loop_lag_ms']:>9.0f}"
        )


if __name__ == "__main__":
    main()
