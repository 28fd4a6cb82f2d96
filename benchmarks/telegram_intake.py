"""What storing every update before confirming it costs: the real Telegram frontend against
the fake Bot API, 64 chats, python-telegram-bot's own Updater against the stored intake.

Both runs use the same shipped god, a fresh SQLite file each, and no outgoing rate limit
(the fake is local; Telegram's 30 messages/s would hide everything else). Each chat sends
``--messages`` glyph questions at once; the clock runs from the first update pushed to the
last answer sent. The stored intake should keep at least 90% of the stock throughput.

Run: ``python benchmarks/telegram_intake.py`` (``--json`` for one JSON document).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the fake Bot API lives in tests/

from telegram.ext import AIORateLimiter

from bot.app import build_service
from bot.config import TelegramConfig, parse_config
from bot.telegram.frontend import TelegramFrontend
from tests.fakes.telegram_api import FakeBotAPI

QUESTIONS = ("🜂⧖🕯", "⚗⟁🔥", "☍🜂", "⇝🜄", "⚗🜂🜄")


async def one_run(stock: bool, chats: int, messages: int, folder: Path) -> dict[str, object]:
    """Replies per second of one intake."""
    name = "stock" if stock else "stored"
    config = parse_config(
        {
            "core": {"default_mode": "glyph"},
            "storage": {"url": f"sqlite+aiosqlite:///{folder / name}.db"},
        },
        environ={},
    )
    folder.mkdir(parents=True, exist_ok=True)
    service = await build_service(config)
    async with FakeBotAPI() as fake:
        telegram = TelegramConfig(
            enabled=True, token="4242:bench", base_url=fake.base_url,
            base_file_url=fake.base_file_url,
        )  # fmt: skip
        unlimited = AIORateLimiter(overall_max_rate=0, group_max_rate=0)
        frontend = TelegramFrontend(
            telegram, service, rate_limiter=unlimited, poll_timeout_s=1, stock_intake=stock
        )
        await frontend.start()
        try:
            await fake.wait_for("getUpdates", timeout=60)
            total = chats * messages
            start = time.perf_counter()
            for index in range(messages):
                for chat in range(chats):
                    text = QUESTIONS[(index + chat) % len(QUESTIONS)]
                    fake.push_update(fake.private_message(text, user_id=9000 + chat))
            while sum(1 for c in fake.calls("sendMessage", ok=True)) < total:
                await asyncio.sleep(0.01)
            elapsed = time.perf_counter() - start
        finally:
            await frontend.stop()
            await service.close()
    return {"intake": name, "chats": chats, "replies": total, "seconds": round(elapsed, 3),
            "replies_per_s": round(total / elapsed, 1)}  # fmt: skip


async def main(chats: int, messages: int, rounds: int) -> list[dict[str, object]]:
    """A warm-up, then both intakes in turn ``rounds`` times; the best run of each."""
    best: dict[bool, dict[str, object]] = {}
    with tempfile.TemporaryDirectory() as folder:
        await one_run(False, 4, 2, Path(folder) / "warm")
        for index in range(rounds):
            for stock in (True, False) if index % 2 == 0 else (False, True):
                row = await one_run(stock, chats, messages, Path(folder) / f"{index}")
                if stock not in best or row["replies_per_s"] > best[stock]["replies_per_s"]:  # type: ignore[operator]
                    best[stock] = row
    stock_row, stored_row = best[True], best[False]
    share = float(stored_row["replies_per_s"]) / float(stock_row["replies_per_s"])  # type: ignore[arg-type]
    stored_row["of_stock"] = round(share, 3)
    return [stock_row, stored_row]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chats", type=int, default=64)
    parser.add_argument("--messages", type=int, default=8, help="questions per chat")
    parser.add_argument("--rounds", type=int, default=3, help="runs of each intake (best kept)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    rows = asyncio.run(main(args.chats, args.messages, args.rounds))
    if args.json:
        print(json.dumps(rows, ensure_ascii=False))
    else:
        print(f"{'intake':<8}{'chats':>6}{'replies':>9}{'seconds':>9}{'replies/s':>11}")
        for row in rows:
            print(
                f"{row['intake']:<8}{row['chats']:>6}{row['replies']:>9}{row['seconds']:>9}"
                f"{row['replies_per_s']:>11}"
            )
        print(f"stored intake keeps {rows[1]['of_stock']:.0%} of the stock throughput")
