"""How fast Discord's autocomplete is answered: the real Discord frontend and discord.py against
the fake Discord, the shipped god, a fresh SQLite file.

Each round sends one type 4 interaction per typed text (words, Russian words, glyphs, a long
mixed line) and times it from the gateway event sent to the choices received (type 8) —
the path Discord's 3 s window covers, less the network. Completion never calls the model or
the store, so the time is discord.py's and the fake's, not the god's.

Run: ``python benchmarks/discord_autocomplete.py`` (``--json`` for one JSON document).
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

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the fake Discord lives in tests/

from bot.app import build_service
from bot.config import DiscordConfig, parse_config
from bot.discord.frontend import DiscordFrontend
from tests.fakes.discord_api import FakeDiscord

TYPED = (
    ("glyph", "message", "fire ti", "en-US"),
    ("translate", "message", "огонь вр", "ru"),
    ("lexicon", "query", "⚗🜂", "en-US"),
    ("bridge", "text", "what comes of fire and water and ti", "en-US"),
    ("glyph", "message", "⚗ огонь и вода, время и св", "ru"),
    ("glyph", "message", "s", "en-US"),  # a one-letter prefix: the most candidates
)


async def main(rounds: int) -> dict[str, object]:
    """Every typed text ``rounds`` times; latency percentiles in milliseconds."""
    with tempfile.TemporaryDirectory() as folder:
        config = parse_config(
            {"storage": {"url": f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"}}, environ={}
        )
        service = await build_service(config)
        async with FakeDiscord() as fake:
            discord_config = DiscordConfig(
                enabled=True, token=fake.token, api_base=fake.api_base, gateway_url=fake.gateway_url
            )
            frontend = DiscordFrontend(
                discord_config, service, ready_timeout=30, guild_ready_timeout=0.05
            )
            await frontend.start()
            timings: list[float] = []
            try:
                for index in range(rounds + 1):
                    for command, option, typed, locale in TYPED:
                        start = time.perf_counter()
                        ref = await fake.send_autocomplete(
                            command, {option: typed}, option, locale=locale
                        )
                        choices = await ref.offered(timeout=10)
                        if index:  # the first round warms up
                            timings.append(time.perf_counter() - start)
                        assert len(choices) <= 25
            finally:
                await frontend.stop()
                await service.close()
    timings.sort()
    milliseconds = [t * 1000 for t in timings]
    quantiles = statistics.quantiles(milliseconds, n=100)
    return {
        "requests": len(milliseconds),
        "median_ms": round(statistics.median(milliseconds), 2),
        "p95_ms": round(quantiles[94], 2),
        "max_ms": round(milliseconds[-1], 2),
        "window_ms": 3000,
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=50, help="times each text is typed")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    row = asyncio.run(main(args.rounds))
    if args.json:
        print(json.dumps(row))
    else:
        print(
            f"autocomplete: {row['requests']} requests, median {row['median_ms']} ms, "
            f"p95 {row['p95_ms']} ms, max {row['max_ms']} ms (Discord's window: 3000 ms)"
        )
