"""One scripted conversation, played through all three frontends: the same words come back.

The console, the real python-telegram-bot stack against the fake Bot API and the real
discord.py stack against the fake Discord each run the same lines — every command of the
table in English and in Russian, glyph questions, ⤳, a refusal — over one shared GodService
(each platform is its own chat). Every reply is compared by its words and glyphs, so a
command that behaves differently on one platform fails here.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

import pytest

from bot.config import DiscordConfig, TelegramConfig
from bot.console.frontend import ConsoleFrontend
from bot.discord.frontend import DiscordFrontend
from bot.telegram.frontend import TelegramFrontend
from core.commands import command, commands_on
from core.commands.compose import HOW_TO_COMPOSE
from core.language.graphemes import graphemes
from core.service import GodService
from tests.fakes.discord_api import FakeDiscord
from tests.fakes.telegram_api import FakeBotAPI

WAIT = 10.0
TOO_LONG = "a" * 2100  # the god_service fixture allows 2000 characters

SCRIPT = (
    "/help",
    "/glyph 🜂⧖🕯",
    "/translate ⚗⟁🔥",
    "what comes of fire and water?",
    "⤳",
    "/mode glyph",
    "/mode",
    "☍🜂",
    "/bridge fire and time",
    "/lexicon fire",
    "/field 🜂⧖🕯",
    f"/glyph {TOO_LONG}",
    "/history 3",
    "/lang ru",
    "/help",
    "/lang",
    "/mode translate",
    "огонь и время",
    "⤳",
    "/glyph ⚗⟁🔥",
    "/translate противоположность дня",
    "/bridge огонь и вода",
    "/lexicon огня",
    "/field вода",
    "/history 2",
    "/privacy",
    "/export",
    "/forget",
    "/history",
)

Say = Callable[[str], Awaitable[str]]


# How to compose differs by platform on purpose (buttons, autocomplete, Tab): /help's lines
# about it are left out of the comparison, and /compose itself is tested per platform
# (tests/telegram/test_composer.py, tests/discord/test_discord_autocomplete.py, tests/console)
PER_PLATFORM = {w(language) for w in HOW_TO_COMPOSE.values() for language in ("en", "ru")}
# /stats is for owners only (the console's user is one, the others are not) and its numbers
# move with every answer: tested per platform in tests/access/test_stats.py
NOT_SCRIPTED = {"compose", "stats"}


def words(text: str) -> list[str]:
    """The words and glyphs of a reply, formatting aside."""
    lines = text.split("\n")
    text = "\n".join(x for x in lines if x not in PER_PLATFORM and not x.startswith("/compose "))
    tokens: list[str] = []
    for piece in re.findall(r"\w+|\S", text):
        tokens.extend(graphemes(piece) if not piece.isalnum() else [piece])
    return tokens


def unescaped(content: str) -> str:
    """Discord's content without the backslashes that keep Markdown from rendering."""
    return re.sub(r"\\([*_`~|>\[\]()#\-\\])", r"\1", content)


def split(line: str) -> tuple[str, str]:
    """A script line as (command, argument); a plain message is the command "ask"."""
    if not line.startswith("/"):
        return "ask", line
    name, _, argument = line[1:].partition(" ")
    return name, argument


async def play(say: Say) -> list[str]:
    return [await say(line) for line in SCRIPT]


async def console_replies(service: GodService, tmp_path) -> list[str]:  # type: ignore[no-untyped-def]
    console = ConsoleFrontend(service, user_id="alice", language_hint="en", field_dir=tmp_path)

    async def say(line: str) -> str:
        text = await console.handle(line)
        if line.startswith("/field") and text.endswith("field.png"):
            text = text.rsplit("\n", 1)[0]  # the console prints where it wrote the picture
        if line == "/export":
            text, written = text.rsplit("\n", 1)  # and where it wrote the file
            assert (tmp_path / "silentgod-console-alice.json").exists(), written
        return text

    return await play(say)


async def telegram_replies(service: GodService) -> list[str]:
    async with FakeBotAPI() as fake:
        config = TelegramConfig(
            enabled=True, token="4242:conversation", base_url=fake.base_url,
            base_file_url=fake.base_file_url,
        )  # fmt: skip
        frontend = TelegramFrontend(config, service, poll_timeout_s=1.0)
        await frontend.start()
        try:

            async def say(line: str) -> str:
                mark = fake.mark()
                fake.push_update(fake.private_message(line, language_code="en"))
                method = "sendPhoto" if line.startswith("/field") else "sendMessage"
                method = "sendDocument" if line == "/export" else method
                call = await fake.wait_for(method, since=mark, timeout=WAIT, ok=True)
                return call.params.get("caption") or call.params["text"]

            return await play(say)
        finally:
            await frontend.stop()


async def discord_replies(service: GodService) -> list[str]:
    async with FakeDiscord() as fake:
        config = DiscordConfig(
            enabled=True, token=fake.token, api_base=fake.api_base, gateway_url=fake.gateway_url
        )
        frontend = DiscordFrontend(config, service, ready_timeout=10, guild_ready_timeout=0.05)
        await frontend.start()
        dm = fake.dm_channel(fake.user)
        try:

            async def say(line: str) -> str:
                name, argument = split(line)
                if name == "ask":
                    since = fake.mark()
                    await fake.send_dm(fake.user, argument)
                    path = rf"/channels/{dm.id}/messages"
                    reply = await fake.wait_for(
                        "POST", path, lambda r: r.ok, timeout=WAIT, since=since
                    )
                    return unescaped(reply.json["content"])
                options: dict[str, object] = {}
                declared = command(name).options_on("discord")
                if argument:
                    first = declared[0]
                    options[first.name] = int(argument) if first.kind == "integer" else argument
                ref = await fake.send_interaction(
                    name, options, user=fake.user, channel=dm, locale="en-US"
                )
                followup = await ref.followup(timeout=WAIT)
                return unescaped(followup.json["content"])

            return await play(say)
        finally:
            await frontend.stop()


async def test_one_conversation_reads_the_same_on_every_platform(
    god_service: GodService, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    console = await console_replies(god_service, tmp_path)
    telegram = await telegram_replies(god_service)
    discord = await discord_replies(god_service)
    for line, here, there, elsewhere in zip(SCRIPT, console, telegram, discord, strict=True):
        assert words(here), line
        assert words(here) == words(there) == words(elsewhere), (line, here, there, elsewhere)
    replies = dict(zip(SCRIPT, console, strict=False))
    assert replies["/glyph 🜂⧖🕯"] == "⟁☰☉⚭"
    assert replies["/translate ⚗⟁🔥"].splitlines()[0] == "♁🜂🜍"
    assert "Only" not in replies["/mode glyph"] and "glyph" in replies["/mode glyph"]
    assert "too long" in replies[f"/glyph {TOO_LONG}"]
    assert "Молчащий бог" in console[SCRIPT.index("/help", 1)]
    assert re.search("[а-яё]", console[SCRIPT.index("огонь и время")])


@pytest.mark.parametrize("platform", ["console", "telegram", "discord"])
def test_every_listed_command_is_in_the_script(platform: str) -> None:
    played = {split(line)[0] for line in SCRIPT}
    offered = {c.name for c in commands_on(platform)} - {"start", *NOT_SCRIPTED}  # type: ignore[arg-type]
    assert offered <= played
