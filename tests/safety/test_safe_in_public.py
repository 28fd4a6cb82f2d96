"""Safe in public: the hostile users' and careless operators' cases of issue #15.

Each test reproduces one case through the real frontends (python-telegram-bot against the
fake Bot API, discord.py against the fake Discord) or the real service, and checks that the
bot now refuses, contains or neutralises it.
"""

from __future__ import annotations

import asyncio
import re
import socket
import sqlite3
import statistics
import time
from dataclasses import replace
from pathlib import Path

import aiohttp

from bot.config import TelegramConfig, parse_config
from bot.telegram.frontend import TelegramFrontend
from core import commands
from core.commands import Invocation
from core.service import GodService
from core.types import Incoming
from tests.discord.frontend import running_frontend
from tests.fakes.discord_api import FakeDiscord
from tests.fakes.telegram_api import FakeBotAPI

TOKEN = "4242:safe-in-public"
WAIT = 10.0
PICTURE_WAIT = 60.0  # the first picture starts a drawing process (torch and the god, cold)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _telegram(fake: FakeBotAPI, **overrides: object) -> TelegramConfig:
    config = TelegramConfig(
        enabled=True, token=TOKEN, base_url=fake.base_url, base_file_url=fake.base_file_url
    )
    return replace(config, **overrides)  # type: ignore[arg-type]


def _rows(db: Path, query: str) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute(query).fetchall()


async def test_a_forged_webhook_update_is_refused_and_changes_nothing(
    god_service: GodService, db_path: Path
) -> None:
    """Case 1: webhook mode with no secret configured still demands one (made at start)."""
    port = _free_port()
    async with FakeBotAPI() as fake:
        config = _telegram(
            fake,
            mode="webhook",
            webhook_url="https://god.example.org/hook",
            webhook_port=port,
            webhook_path="hook",
        )
        frontend = TelegramFrontend(config, god_service)
        await frontend.start()
        try:
            [registered] = fake.calls("setWebhook")
            assert len(registered.params["secret_token"]) >= 32
            forged = fake.command("mode", "glyph", chat_id=-1001, user_id=666)
            forged["message"]["sender_chat"] = forged["message"]["chat"]  # "an anonymous admin"
            async with aiohttp.ClientSession() as http:
                url = f"http://127.0.0.1:{port}/hook"
                for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "x" * 43}):
                    async with http.post(url, json=forged, headers=headers) as response:
                        assert response.status == 403
            await asyncio.sleep(0.3)
        finally:
            await frontend.stop()
        assert not fake.calls("getChatMember") and not fake.calls("sendMessage")
    assert _rows(db_path, "SELECT count(*) FROM intake") == [(0,)]
    assert _rows(db_path, "SELECT count(*) FROM chats") == [(0,)]


async def test_context_never_crosses_discord_channels(god_service: GodService) -> None:
    """Case 2: ⤳ in one channel does not continue a question asked in another."""
    async with FakeDiscord() as fake, running_frontend(fake, god_service):

        async def ask(channel: object, text: str) -> str:
            ref = await fake.send_interaction(
                "glyph", {"message": text}, user=fake.moderator, channel=channel
            )
            return (await ref.followup(timeout=WAIT)).json["content"]

        night = god_service.lexicon.glyph("cycle") + god_service.lexicon.glyph("night")
        dawn = god_service.lexicon.glyph("dawn")
        assert await ask(fake.other_channel, night) == dawn  # asked in #random
        leaked = await ask(fake.channel, "⤳")  # "and then?" in #general
        assert leaked.splitlines()[0] == god_service.lexicon.glyph("silence")
        assert await ask(fake.other_channel, "⤳") == god_service.lexicon.glyph("day")
        picture = await fake.send_interaction(
            "field", {"message": "⤳"}, user=fake.user, channel=fake.channel
        )
        caption = (await picture.followup(timeout=PICTURE_WAIT)).json["content"]
        assert dawn not in caption and god_service.lexicon.glyph("day") not in caption


async def test_flooding_groups_never_starve_an_innocent_one(god_service: GodService) -> None:
    """Case 3: 16 groups flood at once; an innocent group's question is answered within 2 s."""
    async with FakeBotAPI() as fake:
        config = _telegram(fake, per_chat_backlog=8, poll_timeout_s=1)
        frontend = TelegramFrontend(config, god_service)
        await frontend.start()
        try:
            await fake.wait_for("getUpdates", timeout=WAIT)
            for _ in range(60):
                for group in range(16):
                    flood = fake.command("glyph", "🜂⧖🕯", chat_id=-1002000 - group, user_id=group)
                    fake.push_update(flood)
            mark = fake.mark()
            started = time.perf_counter()
            fake.push_update(fake.command("glyph", "⚗⟁🔥", chat_id=-1003000, user_id=99))
            await fake.wait_for(
                "sendMessage", lambda c: int(c.params["chat_id"]) == -1003000, timeout=WAIT,
                since=mark,
            )  # fmt: skip
            waited = time.perf_counter() - started
        finally:
            await frontend.stop()
    assert waited <= 2.0, f"the innocent group waited {waited:.1f} s"
    told = [c for c in fake.calls("sendMessage") if "Too many messages" in c.params["text"]]
    assert 1 <= len(told) <= 16, "each flooding group is told once"


async def test_pictures_do_not_hold_up_other_peoples_answers(god_service: GodService) -> None:
    """Case 4: 48 concurrent /field from 6 users; other people's answers stay fast (p95 of
    the answered questions ≤ 200 ms; benchmarks/field_bystander.py measures the same)."""

    def message(user: str, text: str) -> Invocation:
        return Invocation(Incoming("console", f"chat-{user}", user, text))

    bystanders = [f"bystander{i}" for i in range(8)]  # by turns: none runs past its burst

    async def timed(user: str, text: str) -> float | None:
        started = time.perf_counter()
        outcome = await commands.run(god_service, "ask", message(user, text))
        return (time.perf_counter() - started) * 1000 if outcome.glyphs else None

    for user in bystanders:
        await timed(user, "🜂⧖🕯")  # their chats exist, as a bystander's would
    await commands.run(god_service, "field", message("warm", "🜂⧖🕯"))  # the drawing process
    pictures = [
        asyncio.create_task(commands.run(god_service, "field", message(f"painter{i % 6}", "🜂⧖🕯")))
        for i in range(48)
    ]
    await asyncio.sleep(0.05)
    latencies = [await timed(bystanders[i % len(bystanders)], "⚗⟁🔥") for i in range(40)]
    outcomes = await asyncio.gather(*pictures)
    answered = [ms for ms in latencies if ms is not None]
    assert len(answered) == 40, "no bystander was refused"
    p95 = statistics.quantiles(answered, n=20)[-1]
    # Before the pictures left the answering process, 12 of them made an answer take 1.3 s;
    # with them drawn in a process of their own: 60-100 ms here, quiet or loaded.
    assert p95 <= 200, f"p95 {p95:.0f} ms"
    drawn = sum(1 for o in outcomes if o.picture is not None)
    assert 1 <= drawn <= 6 * 4, "each painter's bucket lets a few pictures through"


async def test_one_user_flooding_the_god_is_refused_once_and_others_are_answered(
    god_service: GodService,
) -> None:
    """Case 5: 150 concurrent messages from one user: the excess refused (one word said),
    another user answered within a second."""
    flood = [
        asyncio.create_task(
            commands.run(
                god_service, "ask", Invocation(Incoming("console", "flood", "flooder", "🜂⧖🕯"))
            )
        )
        for _ in range(150)
    ]
    await asyncio.sleep(0)
    started = time.perf_counter()
    other = await commands.run(
        god_service, "ask", Invocation(Incoming("console", "calm", "calm", "⚗⟁🔥"))
    )
    assert time.perf_counter() - started < 1.0
    assert other.glyphs == "♁🜂🜍"
    outcomes = await asyncio.gather(*flood)
    answered = [o for o in outcomes if o.glyphs]
    busy = [o for o in outcomes if o.refusal == "busy"]  # past the runner's per-user cap
    told = [o for o in outcomes if o.refusal == "rate_limited"]
    silent = [o for o in outcomes if o.send_nothing]
    assert len(answered) >= 1 and len(answered) + len(busy) <= god_service.settings.rate_burst
    assert len(told) == 1 and "Slow down" in told[0].text
    assert len(answered) + len(busy) + len(told) + len(silent) == 150


async def test_a_forged_translate_button_reveals_nothing(god_service: GodService) -> None:
    """Case 6: a custom_id carrying another server's answer id reveals nothing, and a reader
    of another language never rewrites the stored translation."""
    async with FakeDiscord() as fake, running_frontend(fake, god_service):
        ref = await fake.send_interaction("glyph", {"message": "⚗⟁🔥"}, user=fake.admin)
        secret = await ref.followup(timeout=WAIT)
        [row] = secret.json["components"]
        custom_id = row["components"][0]["custom_id"]
        other = fake.add_guild("Elsewhere", owner=fake.user)
        elsewhere = fake.add_text_channel(other, "lobby")
        forged = await fake.send_component_interaction(custom_id, channel=elsewhere, user=fake.user)
        shown = (await forged.followup(timeout=WAIT)).json["content"]
        assert "♁🜂🜍" not in shown and "no longer remembered" in shown
        russian = await fake.send_component_interaction(
            custom_id, message=ref.original_message_id, user=fake.user, locale="ru"
        )
        assert "материя" in (await russian.followup(timeout=WAIT)).json["content"].lower()
        english = await fake.send_component_interaction(
            custom_id, message=ref.original_message_id, user=fake.user, locale="en-US"
        )
        assert "matter" in (await english.followup(timeout=WAIT)).json["content"].lower()


async def test_echoed_words_are_neutralised_on_discord(god_service: GodService) -> None:
    """Case 7: a masked link or an RTL override in a /lexicon query is not rendered."""
    async with FakeDiscord() as fake, running_frontend(fake, god_service):
        query = "[qqzx](https://zzqx) \u202evvqx\u200b"
        ref = await fake.send_interaction("lexicon", {"query": query}, user=fake.user)
        content = (await ref.followup(timeout=WAIT)).json["content"]
    assert "\\[qqzx](" in content, "the masked link is escaped, so it shows as typed"
    assert not re.search(r"(?<!\\)\[qqzx\]", content)
    assert "\u202e" not in content and "\u200b" not in content


async def test_caches_stay_at_their_bound(migrated_db_url: str, shipped_god) -> None:  # type: ignore[no-untyped-def]
    """Case 8: 20 000 distinct users leave no more than ``cache_size`` entries anywhere."""
    from bot.app import build_service

    config = parse_config(
        {"storage": {"url": migrated_db_url}, "core": {"cache_size": 500}}, environ={}
    )
    service = await build_service(config, god=shipped_god)
    try:
        for start in range(0, 20_000, 1_000):
            await asyncio.gather(
                *(
                    service.chats.language_for(Incoming("telegram", str(i), str(i), "fire"))
                    for i in range(start, start + 1_000)
                )
            )
            for i in range(start, start + 1_000, 50):
                service.admission.admit(f"telegram:{i}")
        sizes = service.chats.cache_sizes()
        assert all(size <= 500 for size in sizes.values()), sizes
        assert service.admission.size <= 500
    finally:
        await service.close()


def test_no_password_in_config_reprs_or_database_output(tmp_path: Path) -> None:
    """Case 9: a password in the storage URL never appears in a repr."""
    config = parse_config(
        {"storage": {"url": "postgresql+asyncpg://god:s3cret-pw@db.example/silentgod"}},
        environ={"SILENTGOD_TELEGRAM_TOKEN": "123:token-secret"},
    )
    assert "s3cret-pw" not in repr(config) and "token-secret" not in repr(config)
