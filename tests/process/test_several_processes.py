"""Two real ``silentgod run`` processes on one PostgreSQL database, as an operator runs them.

Discord's four shards are split between them (0-1 from the config file, 2-3 from
``SILENTGOD_DISCORD_SHARDS``); both enable Telegram, and one leads. One test shares the two
processes between the checks: every guild message and DM answered exactly once, commands
synced once, a ``/mode`` set through one process in force in the other (whose cache held
the old mode), and a SIGKILL of the Telegram leader mid-burst: the other takes over and
every confirmed update is answered once (those in flight at the kill, one per chat, at most twice).
"""

from __future__ import annotations

import asyncio
import os
import random
import re
from collections import Counter
from pathlib import Path

import asyncpg

from tests.fakes.discord_api import FakeDiscord
from tests.fakes.telegram_api import FakeBotAPI
from tests.process.test_nothing_lost import STARTUP_S, TOKEN, Bot, _replied_to, _seed

SHARDS = 4
GROUPS = (-1008001, -1008002, -1008003, -1008004)
QUESTIONS = ("🜂⧖🕯", "⚗⟁🔥", "fire and water", "☍🜂", "огонь и время", "⇝🜄")
LETTERS = re.compile(r"[A-Za-zА-Яа-яЁё]")


def _config(path: Path, url: str, telegram: FakeBotAPI, discord: FakeDiscord, extra: str) -> Path:
    path.write_text(
        f"""
[core]
rate_per_minute = 0  # bursts from one user: this is about who answers, not how fast
torch_threads = 1  # two bots and the test share the machine's cores
default_mode = "translate"
settings_ttl_s = 0  # no expiry: only the other process's notice can make this one see a change
[storage]
url = "{url}"
[telegram]
enabled = true
token = "{TOKEN}"
base_url = "{telegram.base_url}"
base_file_url = "{telegram.base_file_url}"
poll_timeout_s = 1
leader_retry_s = 0.5
[discord]
enabled = true
token = "{discord.token}"
api_base = "{discord.api_base}"
gateway_url = "{discord.gateway_url}"
shard_count = {SHARDS}
{extra}
[logging]
level = "INFO"
""",
        "utf-8",
    )
    return path


async def _until(check, timeout: float, what: str) -> None:  # type: ignore[no-untyped-def]
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not check():
        assert loop.time() < deadline, f"not within {timeout:g} s: {what}"
        await asyncio.sleep(0.1)


async def _leader_pid(dsn: str) -> int | None:
    """The process id of the Telegram leader (its lock connection names it)."""
    connection = await asyncpg.connect(dsn)
    try:
        name = await connection.fetchval(
            "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a USING (pid) "
            "WHERE l.locktype = 'advisory' AND l.granted "
            "AND a.application_name LIKE 'silentgod telegram-%'"
        )
    finally:
        await connection.close()
    return int(name.rsplit(" ", 1)[1]) if name else None


async def _depose(dsn: str) -> None:
    """End the leader's lock connection, as a network cut or a server restart would."""
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute(
            "SELECT pg_terminate_backend(l.pid) FROM pg_locks l JOIN pg_stat_activity a "
            "USING (pid) WHERE l.locktype = 'advisory' AND l.granted "
            "AND a.application_name LIKE 'silentgod telegram-%'"
        )
    finally:
        await connection.close()


def _answers(fake: FakeBotAPI) -> Counter[tuple[int, int | None]]:
    return Counter(
        (int(call.params["chat_id"]), _replied_to(call.params))
        for call in fake.calls("sendMessage")
        if call.ok
    )


async def _ask(fake: FakeBotAPI, chat: int, timeout: float = 30) -> str:
    """Say "fire and water" in a private chat; the text of the answer."""
    mark = fake.mark()
    fake.push_update(fake.private_message("fire and water", user_id=chat))
    call = await fake.wait_for(
        "sendMessage", lambda c: int(c.params["chat_id"]) == chat, since=mark, timeout=timeout
    )
    return str(call.params["text"])


async def test_two_processes_split_discord_and_share_one_telegram_leader(
    tmp_path: Path, postgres_url: str
) -> None:
    rng = random.Random(_seed())
    dsn = postgres_url.replace("postgresql+asyncpg", "postgresql")
    async with FakeBotAPI() as telegram, FakeDiscord() as discord:
        channels = []
        for shard in range(SHARDS):
            guild = discord.add_guild(f"g{shard}", owner=discord.owner, shard=(shard, SHARDS))
            discord.add_member(guild, discord.user)
            channels.append(discord.add_text_channel(guild, "talk"))
        first = Bot(
            _config(tmp_path / "a.toml", postgres_url, telegram, discord, 'shard_ids = "0-1"'),
            tmp_path / "a.log",
        )
        second = Bot(
            _config(tmp_path / "b.toml", postgres_url, telegram, discord, ""), tmp_path / "b.log"
        )
        await first.start()  # both start at once on the empty database: one migrates
        os.environ["SILENTGOD_DISCORD_SHARDS"] = "2-3/4"  # the second's shards: its environment
        try:
            await second.start()
        finally:
            del os.environ["SILENTGOD_DISCORD_SHARDS"]
        bots = {first.process.pid: first, second.process.pid: second}  # type: ignore[union-attr]
        try:
            await _until(lambda: len(discord.live_sessions) == SHARDS, STARTUP_S, "4 shards")
            shards = sorted(s.identify["shard"][0] for s in discord.live_sessions)
            assert shards == [0, 1, 2, 3], shards
            await telegram.wait_for("getUpdates", timeout=STARTUP_S)
            await asyncio.sleep(1)  # the follower has had its chances to (wrongly) poll

            # Discord: one answer per guild message and DM, from whichever process owns it
            mentions = [
                await discord.send_message_create(
                    channel, discord.user, f"{discord.bot_user.mention} {rng.choice(QUESTIONS)}"
                )
                for channel in channels
            ]
            dm = await discord.send_dm(discord.user, "fire and water")
            posts = r"/channels/\d+/messages"

            def answered() -> Counter[str]:
                return Counter(
                    str((r.json or {}).get("message_reference", {}).get("message_id"))
                    for r in discord.requests("POST", posts)
                    if r.ok
                )

            def dm_answers() -> int:
                path = f"/channels/{dm['channel_id']}/messages"
                return sum(1 for r in discord.requests("POST", posts) if r.ok and path in r.path)

            await _until(
                lambda: all(answered()[m["id"]] for m in mentions) and dm_answers(),
                30,
                "every guild message and the DM answered",
            )
            await asyncio.sleep(1.5)  # time for a second answer, were there one
            assert [answered()[m["id"]] for m in mentions] == [1, 1, 1, 1]
            assert dm_answers() == 1
            syncs = discord.requests("PUT", r"/applications/\d+/commands$")
            assert len(syncs) == 1, "the commands are synced by shard 0's process only"

            # Telegram: the leader answers a private chat and caches its (default) mode
            leader = bots[await _leader_pid(dsn) or 0]
            chat = 515151
            assert LETTERS.search(await _ask(telegram, chat)), "translate mode: words"

            # the leader loses its lock (its connection cut) and the follower takes over
            for _ in range(10):
                await _depose(dsn)
                await asyncio.sleep(2)
                now = await _leader_pid(dsn)
                if now is not None and bots[now] is not leader:
                    break
            follower, leader = leader, bots[now or 0]
            assert leader is not follower, "the follower never took over"

            # /mode through the new leader; the old one still caches "translate" (no TTL)
            mark = telegram.mark()
            telegram.push_update(telegram.command("mode", "glyph", user_id=chat))
            await telegram.wait_for("sendMessage", since=mark, timeout=30)

            # SIGKILL of the leader mid-burst: the other takes over, nothing is lost
            sent: dict[int, tuple[int, int]] = {}
            for _ in range(4):
                for group in GROUPS:
                    update = telegram.command("glyph", rng.choice(QUESTIONS), chat_id=group)
                    telegram.push_update(update)
                    message = update["message"]
                    sent[update["update_id"]] = (message["chat"]["id"], message["message_id"])
            await asyncio.sleep(rng.uniform(0.0, 0.8))
            await leader.kill()
            survivor_answer = await _ask(telegram, chat, timeout=60)
            assert not LETTERS.search(survivor_answer), (
                "the survivor answered in its cached mode, not the one set through its peer"
            )
            assert await _leader_pid(dsn) == follower.process.pid  # type: ignore[union-attr]

            def done() -> bool:
                answers = _answers(telegram)
                return all(answers[q] for q in sent.values())

            await _until(done, 60, "the survivor answers every confirmed update")
            answers = _answers(telegram)
            twice = sum(answers[q] - 1 for q in sent.values())
            # Groups are answered side by side: each may have one question in flight at the kill.
            assert twice <= len(GROUPS), f"{twice} questions answered twice for one kill"
            assert await follower.stop() == 0, follower.tail()
        finally:
            for bot in bots.values():
                if bot.process is not None and bot.process.returncode is None:
                    await bot.kill()
    connection = await asyncpg.connect(dsn)
    try:
        pending = await connection.fetchval("SELECT count(*) FROM intake WHERE status = 'pending'")
        stored = await connection.fetch("SELECT event_id FROM intake WHERE platform = 'telegram'")
    finally:
        await connection.close()
    assert {int(r["event_id"]) for r in stored} >= set(sent), "every confirmed update stored"
    assert pending == 0
