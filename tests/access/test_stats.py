"""/stats for the owners on every frontend, its refusal for anyone else, and ``silentgod stats``."""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import sys
from pathlib import Path

from bot.console.frontend import ConsoleFrontend
from core.access import AccessSettings
from core.service import GodService
from core.texts import say
from tests.access.conftest import WAIT, telegram
from tests.discord.frontend import running_frontend
from tests.fakes.discord_api import EPHEMERAL, FakeDiscord
from tests.fakes.telegram_api import DEFAULT_GROUP_ID, DEFAULT_USER_ID, FakeBotAPI

ROOT = Path(__file__).resolve().parents[2]
OWNERS_ONLY = say("owners_only", "en")
OWNER = 4004


async def stats_text(fake: FakeBotAPI, user_id: int, username: str) -> str:
    mark = fake.mark()
    fake.push_update(fake.command("stats", user_id=user_id, username=username))
    call = await fake.wait_for(
        "sendMessage", lambda c: c.params["chat_id"] == user_id, since=mark, timeout=WAIT
    )
    return str(call.params["text"])


async def test_stats_show_the_owner_users_chats_answers_busiest_chats_latency_and_queue(
    god_service: GodService, tmp_path: Path
) -> None:
    god_service.configure_access(AccessSettings(owners=(f"telegram:{OWNER}",)))
    console = ConsoleFrontend(god_service, user_id="operator", language_hint="en",
                              field_dir=tmp_path)  # fmt: skip
    assert "p95 reply latency: no replies yet" in await console.handle("/stats")
    async with telegram(god_service) as (fake, _):
        # three answers in the group, one in Alice's private chat, one on the console
        for _ in range(3):
            mark = fake.mark()
            fake.push_update(fake.command("glyph", "🜂⧖🕯", chat_id=DEFAULT_GROUP_ID, mention=True))
            await fake.wait_for("sendMessage", since=mark, timeout=WAIT)
        mark = fake.mark()
        fake.push_update(fake.private_message("🜂⧖🕯"))
        await fake.wait_for("sendMessage", since=mark, timeout=WAIT)
        await console.handle("🜂⧖🕯")

        assert await stats_text(fake, DEFAULT_USER_ID, "alice") == OWNERS_ONLY
        shown = await stats_text(fake, OWNER, "carol")
    lines = shown.split("\n")
    # users: Alice and the console's operator (the owner only asked for /stats: not stored)
    assert lines[0] == "Users: 2 · chats: 3"
    assert lines[1] == "Answers today: 5 · last 7 days: 5"
    assert lines[2] == "Busiest chats (7 days):"
    assert lines[3:6] == [  # ties in the order the chats were first seen
        f"  1. telegram {DEFAULT_GROUP_ID}: 3",
        f"  2. telegram {DEFAULT_USER_ID}: 1",
        "  3. console local: 1",
    ]
    p95 = re.fullmatch(r"p95 reply latency: ([\d.]+) ms", lines[6])
    assert p95 is not None and 0 < float(p95.group(1)) < 10_000
    assert lines[7] == "Queue: 0 waiting for the god"
    # the console's user runs the bot: an owner there
    on_console = await console.handle("/stats")
    assert on_console.startswith("Users: 2 · chats: 3\nAnswers today: 5")
    metrics = god_service.metrics.text().decode()
    assert 'silentgod_refusals_total{kind="not_allowed",platform="telegram"} 1.0' in metrics


async def test_stats_on_discord_for_the_owner_only(god_service: GodService) -> None:
    async with FakeDiscord() as fake:
        god_service.configure_access(AccessSettings(owners=(fake.owner.id,)))
        async with running_frontend(fake, god_service):
            refused = await fake.send_interaction("stats", {}, user=fake.user, channel=fake.channel)
            told = await refused.followup(timeout=WAIT)
            assert "Only the bot" in told.json["content"] and told.json["flags"] & EPHEMERAL
            asked = await fake.send_interaction("stats", {}, user=fake.owner, channel=fake.channel)
            shown = await asked.followup(timeout=WAIT)
            assert shown.json["flags"] & EPHEMERAL  # for the owner's eyes only
            content = re.sub(r"\\(.)", r"\1", shown.json["content"])
            assert content.startswith("Users: 0 · chats: 0\nAnswers today: 0 · last 7 days: 0")
            assert "Queue: 0 waiting for the god" in content


async def test_silentgod_stats_reads_the_store(god_service: GodService, db_path: Path) -> None:
    console = ConsoleFrontend(god_service, user_id="operator", language_hint="en")
    for _ in range(2):
        await console.handle("🜂⧖🕯")
    url = f"sqlite+aiosqlite:///{db_path}"
    command = [sys.executable, "-m", "bot", "stats", "--storage-url", url]
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = await asyncio.to_thread(
        subprocess.run, [*command, "--json"], capture_output=True, text=True, env=environment,
        cwd=ROOT, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {
        "users": 1,
        "chats": 1,
        "answers_today": 2,
        "answers_7_days": 2,
        "busiest": [{"platform": "console", "external_id": "local", "title": None, "answers": 2}],
        "p95_reply_ms": None,
        "queue_depth": None,
    }
    text = await asyncio.to_thread(
        subprocess.run, command, capture_output=True, text=True, env=environment, cwd=ROOT,
        timeout=120, check=False,
    )  # fmt: skip
    assert text.returncode == 0, text.stderr
    assert text.stdout.splitlines()[:4] == [
        "Users: 1 · chats: 1",
        "Answers today: 2 · last 7 days: 2",
        "Busiest chats (7 days):",
        "  1. console local: 2",
    ]
    assert "known only inside the running bot" in text.stdout
