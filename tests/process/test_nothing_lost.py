"""Nothing lost: a real ``silentgod run`` killed (SIGKILL) mid-burst, again and again.

Each round starts the process on the same database, lets a burst of messages from four
chats arrive, and kills it at a random moment (the seed is printed). A last round lets it
finish and stops it with SIGTERM. The polling scenario and the webhook-and-Discord scenario
run side by side (each its own bot, fakes and database): a start is mostly one core's work of
importing and loading, so the two together take little longer than one. Then: every
update the fake saw confirmed is stored exactly once and settled, every question got an
answer, no question was answered twice except those in flight at a kill (at most one per
chat: a crash between sending and recording a reply), and SQLite's integrity check passes.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import signal
import socket
import sqlite3
import sys
import time
from collections import Counter
from pathlib import Path

import aiohttp

from tests.fakes.discord_api import FakeDiscord
from tests.fakes.telegram_api import FakeBotAPI

ROUNDS = int(os.environ.get("SILENTGOD_KILL_ROUNDS") or 20)  # the issue asks for 20
CHATS = (-1007001, -1007002, -1007003, -1007004)  # groups: answers quote their question
BURST = 4  # messages per chat per round
QUESTIONS = ("🜂⧖🕯", "⚗⟁🔥", "fire and water", "☍🜂", "огонь и время", "⇝🜄")
TOKEN = "4242:nothing-lost"
STARTUP_S = 120.0  # a cold start takes seconds; a loaded CI machine may take longer


def _seed() -> int:
    seed = int(os.environ.get("SILENTGOD_KILL_SEED") or random.randrange(1 << 30))
    print(f"kill/restart seed {seed} (SILENTGOD_KILL_SEED={seed} repeats it)")
    return seed


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Bot:
    """``python -m bot run`` on one config, started and killed as a test tells it."""

    def __init__(self, config: Path, log: Path) -> None:
        self.config = config
        self.log = log
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        handle = self.log.open("a")
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", "--config", str(self.config),
            stdout=handle, stderr=handle, env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )  # fmt: skip
        handle.close()

    async def kill(self) -> None:
        assert self.process is not None
        with contextlib.suppress(ProcessLookupError):
            self.process.send_signal(signal.SIGKILL)
        await self.process.wait()

    async def stop(self) -> int:
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        return await asyncio.wait_for(self.process.wait(), 60)

    def tail(self) -> str:
        return self.log.read_text("utf-8", "replace")[-4000:]


def _replied_to(params: dict) -> int | None:
    """The message a sendMessage answered (reply_parameters, as PTB sends it)."""
    reply = params.get("reply_parameters")
    if isinstance(reply, str):
        reply = json.loads(reply)
    if isinstance(reply, dict):
        return int(reply["message_id"])
    value = params.get("reply_to_message_id")
    return int(value) if value is not None else None


def _check_database(database: Path, platform: str) -> dict[str, int]:
    with sqlite3.connect(database) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        statuses = dict(
            db.execute(
                "SELECT status, count(*) FROM intake WHERE platform = ? GROUP BY status",
                (platform,),
            ).fetchall()
        )
        duplicates = db.execute(
            "SELECT count(*) FROM (SELECT chat_id, external_message_id FROM messages "
            "WHERE role = 'user' AND external_message_id IS NOT NULL "
            "GROUP BY chat_id, external_message_id HAVING count(*) > 1)"
        ).fetchone()[0]
    assert duplicates == 0, "a question was stored twice"
    assert "pending" not in statuses, statuses
    return statuses


def _telegram_config(tmp_path: Path, fake: FakeBotAPI, extra: str = "") -> Path:
    config = tmp_path / "config.toml"
    config.write_text(
        f"""
[core]
default_mode = "glyph"
torch_threads = 1  # two bots and the test share the machine's cores
rate_per_minute = 0  # the bursts are far beyond one user's rate; this is about losing nothing
[storage]
url = "sqlite+aiosqlite:///{tmp_path / "god.db"}"
[telegram]
enabled = true
token = "{TOKEN}"
base_url = "{fake.base_url}"
base_file_url = "{fake.base_file_url}"
poll_timeout_s = 1
{extra}
[logging]
level = "INFO"
""",
        "utf-8",
    )
    return config


def _unanswered(fake: FakeBotAPI, sent: dict[int, tuple[int, int]]) -> int:
    answered = {
        (int(call.params["chat_id"]), _replied_to(call.params))
        for call in fake.calls("sendMessage")
        if call.ok
    }
    return len(set(sent.values()) - answered)


def _telegram_verdict(fake: FakeBotAPI, sent: dict[int, tuple[int, int]], kills: int) -> None:
    """Every confirmed or stored message answered; duplicates only at kills."""
    answers = Counter(
        (int(call.params["chat_id"]), _replied_to(call.params))
        for call in fake.calls("sendMessage")
        if call.ok
    )
    questions = set(sent.values())
    missing = [q for q in questions if answers[q] == 0]
    assert not missing, f"{len(missing)} of {len(questions)} questions never answered"
    twice = sum(count - 1 for q, count in answers.items() if q in questions and count > 1)
    # Each chat answers one question at a time, so a kill finds at most one in flight per
    # chat; only one caught between sending and recording its answer is sent again.
    assert twice <= kills * len(CHATS), f"{twice} extra answers for {kills} kills"


async def test_killed_mid_burst_loses_nothing(tmp_path: Path) -> None:
    """Telegram polling, and Telegram webhook with Discord, each killed ROUNDS times."""
    seed = _seed()
    polling, webhook = tmp_path / "polling", tmp_path / "webhook"
    polling.mkdir()
    webhook.mkdir()
    await asyncio.gather(
        _telegram_polling_killed_mid_burst(polling, random.Random(seed)),
        _webhook_and_discord_killed_mid_burst(webhook, random.Random(seed + 1)),
    )


async def _telegram_polling_killed_mid_burst(tmp_path: Path, rng: random.Random) -> None:
    async with FakeBotAPI() as fake:
        bot = Bot(_telegram_config(tmp_path, fake), tmp_path / "bot.log")
        sent: dict[int, tuple[int, int]] = {}  # update id → (chat, message id)
        for _ in range(ROUNDS):
            mark = fake.mark()
            await bot.start()
            await fake.wait_for("getUpdates", since=mark, timeout=STARTUP_S)
            for _ in range(BURST):
                for chat in CHATS:
                    update = fake.command("glyph", rng.choice(QUESTIONS), chat_id=chat)
                    fake.push_update(update)
                    message = update["message"]
                    sent[update["update_id"]] = (message["chat"]["id"], message["message_id"])
            await asyncio.sleep(rng.uniform(0.0, 0.8))
            await bot.kill()
        mark = fake.mark()
        await bot.start()
        await fake.wait_for("getUpdates", since=mark, timeout=STARTUP_S)  # up and polling
        deadline = time.monotonic() + STARTUP_S
        while time.monotonic() < deadline:
            if not fake.unconfirmed() and _unanswered(fake, sent) == 0:
                break
            await asyncio.sleep(0.2)
        assert await bot.stop() == 0, bot.tail()
        assert not fake.unconfirmed(), "the last updates were never confirmed"
    statuses = _check_database(tmp_path / "god.db", "telegram")
    with sqlite3.connect(tmp_path / "god.db") as db:
        stored = [int(r[0]) for r in db.execute("SELECT event_id FROM intake")]
    assert sorted(stored) == sorted(set(stored)) == sorted(sent), "each update stored once"
    assert statuses.get("handled", 0) == len(sent), statuses
    _telegram_verdict(fake, sent, ROUNDS)


async def _webhook_and_discord_killed_mid_burst(tmp_path: Path, rng: random.Random) -> None:
    port = _free_port()
    async with FakeBotAPI() as fake, FakeDiscord() as discord_fake:
        webhook = f"""mode = "webhook"
webhook_url = "https://god.example.org/hook"
webhook_port = {port}
webhook_path = "hook"
[discord]
enabled = true
token = "{discord_fake.token}"
api_base = "{discord_fake.api_base}"
gateway_url = "{discord_fake.gateway_url}"
"""
        bot = Bot(_telegram_config(tmp_path, fake, webhook), tmp_path / "bot.log")
        sent: dict[int, tuple[int, int]] = {}
        confirmed: set[int] = set()
        mentions: list[str] = []
        slashes: list[object] = []
        url = f"http://127.0.0.1:{port}/hook"
        async with aiohttp.ClientSession() as http:

            async def deliver(update: dict, secret: str) -> None:
                """Telegram's part: POST until the bot answers 200 (or it dies)."""
                headers = {"X-Telegram-Bot-Api-Secret-Token": secret}
                with contextlib.suppress(aiohttp.ClientError):
                    async with http.post(url, json=update, headers=headers) as response:
                        if response.status == 200:
                            confirmed.add(update["update_id"])

            for round_number in range(ROUNDS + 1):
                mark = fake.mark()
                sessions = len(discord_fake.sessions)
                await bot.start()
                registered = await fake.wait_for("setWebhook", since=mark, timeout=STARTUP_S)
                secret = registered.params["secret_token"]
                await discord_fake.wait_for_session(timeout=STARTUP_S, since=sessions)
                # updates Telegram still holds (never answered 200) come again
                for update_id in sorted(set(sent) - confirmed):
                    chat, message_id = sent[update_id]
                    await deliver(_again(fake, update_id, chat, message_id), secret)
                if round_number == ROUNDS:
                    break
                burst = []
                for _ in range(BURST):
                    for chat in CHATS:
                        update = fake.command("glyph", rng.choice(QUESTIONS), chat_id=chat)
                        message = update["message"]
                        sent[update["update_id"]] = (message["chat"]["id"], message["message_id"])
                        burst.append(update)
                mentioned = await discord_fake.send_message_create(
                    discord_fake.channel,
                    discord_fake.user,
                    f"{discord_fake.bot_user.mention} {rng.choice(QUESTIONS)}",
                )
                mentions.append(mentioned["id"])
                # the first follow-up fails with a 500, so the kill lands between the
                # deferral and the answer (discord.py waits a second before retrying)
                discord_fake.fail_next("POST", r"/webhooks/\d+/[^/]+", status=500)
                slash = await discord_fake.send_interaction(
                    "glyph", {"message": rng.choice(QUESTIONS)}, user=discord_fake.user
                )
                slashes.append(slash)
                await asyncio.gather(*(deliver(u, secret) for u in burst))
                await slash.callback(timeout=STARTUP_S)  # deferred…
                await asyncio.sleep(rng.uniform(0.0, 0.5))
                await bot.kill()  # …and killed before the follow-up
            await asyncio.sleep(3)  # the recovery answers at start; the last burst settles
            for slash in slashes:
                await slash.followup(timeout=STARTUP_S)  # type: ignore[attr-defined]
            assert await bot.stop() == 0, bot.tail()
        assert confirmed == set(sent), "Telegram got its 200 for every update in the end"
        answered = Counter(
            str(r.json.get("message_reference", {}).get("message_id"))
            for r in discord_fake.requests("POST", r"/channels/\d+/messages")
            if r.ok
        )
        assert all(answered[m] >= 1 for m in mentions), "every mention answered"
        assert sum(answered[m] - 1 for m in mentions) <= ROUNDS
    _check_database(tmp_path / "god.db", "telegram")
    _check_database(tmp_path / "god.db", "discord")
    _telegram_verdict(fake, sent, ROUNDS)


def _again(fake: FakeBotAPI, update_id: int, chat: int, message_id: int) -> dict:
    """The same update once more (Telegram redelivers what was not answered 200)."""
    message = fake.message(chat, message_id)
    assert message is not None
    return {"update_id": update_id, "message": message}
