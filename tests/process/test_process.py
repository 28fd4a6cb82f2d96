"""The process: SIGTERM stops cleanly with exit 0; SIGKILL mid-conversation loses nothing."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

CHILD = textwrap.dedent(
    """
    import asyncio, sys
    from bot.config import parse_config
    from bot.app import build_service
    from core.types import Incoming

    async def main():
        # one user asking 10 000 times in a row: no per-user rate limit here
        config = parse_config(
            {"storage": {"url": sys.argv[1]}, "core": {"rate_per_minute": 0}}, environ={}
        )
        service = await build_service(config)
        questions = ["🜂⧖🕯", "⚗⟁🔥", "fire and water", "огонь и время"]
        for turn in range(10_000):
            text = questions[turn % len(questions)]
            reply = await service.answering.answer(Incoming("console", "kill", "ada", text))
            print(reply.message_id, flush=True)

    asyncio.run(main())
    """
)


def test_sigkill_mid_conversation_loses_nothing(tmp_path: Path) -> None:
    database = tmp_path / "god.db"
    url = f"sqlite+aiosqlite:///{database}"
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, url],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    answered: list[int] = []
    deadline = time.monotonic() + 120
    assert child.stdout is not None
    while len(answered) < 40 and time.monotonic() < deadline:
        line = child.stdout.readline()
        if not line:
            break
        answered.append(int(line))
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    assert len(answered) >= 40, child.stderr.read() if child.stderr else ""
    with sqlite3.connect(database) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        stored = {row[0] for row in db.execute("SELECT id FROM messages WHERE role = 'god'")}
        questions = db.execute("SELECT count(*) FROM messages WHERE role = 'user'").fetchone()[0]
    assert set(answered) <= stored
    assert questions >= len(answered)

    async def carry_on() -> str:
        from bot.app import build_service
        from bot.config import parse_config
        from core.types import Incoming

        service = await build_service(parse_config({"storage": {"url": url}}, environ={}))
        try:
            reply = await service.answering.answer(Incoming("console", "kill", "ada", "🜂⧖🕯"))
            history = await service.memory.history(Incoming("console", "kill", "ada", ""), 50)
            assert len(history) == min(50, questions + 1), "every stored question is still there"
            return reply.glyphs
        finally:
            await service.close()

    assert asyncio.run(carry_on()) == "⟁☰☉⚭"


def test_run_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    database = tmp_path / "run.db"
    config.write_text(
        f'[storage]\nurl = "sqlite+aiosqlite:///{database}"\n[logging]\nlevel = "INFO"\n', "utf-8"
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "run", "--config", str(config)],
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert process.stderr is not None
    seen = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        line = process.stderr.readline()
        seen.append(line)
        if "listening" in line or not line:
            break
    process.send_signal(signal.SIGTERM)
    rest = process.stderr.read()
    assert process.wait(timeout=60) == 0, "".join(seen) + rest
    assert "stopped" in rest and "Traceback" not in rest
