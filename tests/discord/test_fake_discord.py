"""The real discord.py stack against the fake Discord: login, gateway, commands, views, 429s."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import io
import math
import os
import threading
import warnings
from collections.abc import AsyncIterator

import discord
import pytest
from discord import app_commands
from discord.app_commands import locale_str
from discord.ext import commands

from tests.fakes.discord_api import FakeDiscord

PING_ID = "fake-test:ping"
PNG = b"\x89PNG\r\n\x1a\n fake field"
RUSSIAN = {"echo": "эхо", "Echo a message back": "Повторить сообщение", "What to echo": "Что"}


class PingView(discord.ui.View):
    """A persistent view: one button whose answer only the clicker sees."""

    def __init__(self) -> None:
        super().__init__(timeout=None)

    @discord.ui.button(label="Ping", custom_id=PING_ID)
    async def ping(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        """Answer the click ephemerally."""
        await interaction.response.send_message("pong", ephemeral=True)


class RussianTranslator(app_commands.Translator):
    """Localizes the test command into Russian."""

    async def translate(
        self,
        string: locale_str,
        locale: discord.Locale,
        context: app_commands.TranslationContextTypes,
    ) -> str | None:
        """Russian strings from the table, nothing for other locales."""
        return RUSSIAN.get(string.message) if locale is discord.Locale.russian else None


class EchoBot(commands.Bot):
    """A small bot: a deferred slash command, a persistent view and a plain echo."""

    def __init__(self) -> None:
        intents = discord.Intents.default()
        intents.message_content = True
        super().__init__(command_prefix="!", intents=intents, guild_ready_timeout=0.05)
        self.seen: list[discord.Interaction] = []

        @self.tree.command(name=locale_str("echo"), description=locale_str("Echo a message back"))
        @app_commands.describe(message=locale_str("What to echo"))
        async def echo(interaction: discord.Interaction, message: str) -> None:
            """Defer, then answer with a follow-up."""
            self.seen.append(interaction)
            await interaction.response.defer(thinking=True)
            await interaction.followup.send(f"echo: {message}")

        @echo.autocomplete("message")
        async def echo_choices(
            interaction: discord.Interaction, current: str
        ) -> list[app_commands.Choice[str]]:
            """One choice: what was typed, with an exclamation mark."""
            return [app_commands.Choice(name=f"{current}!"[:100], value=f"{current}!")]

        @self.tree.command(name="field", description="Draw the meaning field")
        async def field(interaction: discord.Interaction) -> None:
            """Defer, follow up with a picture, then edit the original response."""
            await interaction.response.defer()
            await interaction.followup.send("drawing", file=discord.File(io.BytesIO(PNG), "f.png"))
            await interaction.edit_original_response(content="the field")

    async def setup_hook(self) -> None:
        """Register the persistent view and the translator."""
        self.add_view(PingView())
        await self.tree.set_translator(RussianTranslator())

    async def on_message(self, message: discord.Message) -> None:
        """Echo what humans say (the fake echoes the bot's own messages back, like Discord)."""
        if not message.author.bot:
            await message.channel.send(f"heard: {message.content}")


async def start_bot(fake: FakeDiscord) -> tuple[EchoBot, asyncio.Task[None]]:
    """Log in, connect in a task and wait for on_ready."""
    bot = EchoBot()
    await bot.login(fake.token)
    task = asyncio.create_task(bot.connect(), name="bot-connect")
    await asyncio.wait_for(bot.wait_until_ready(), timeout=5)
    return bot, task


async def stop_bot(bot: EchoBot, task: asyncio.Task[None]) -> None:
    """Close the bot and let its connect task finish."""
    await bot.close()
    await asyncio.wait_for(task, timeout=5)


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    """A started fake Discord, installed into discord.py."""
    async with FakeDiscord() as server:
        yield server


@pytest.fixture
async def bot(fake: FakeDiscord) -> AsyncIterator[EchoBot]:
    """A connected, ready EchoBot."""
    client, task = await start_bot(fake)
    yield client
    await stop_bot(client, task)


async def test_login_and_gateway_handshake(fake: FakeDiscord, bot: EchoBot) -> None:
    """Login asks /users/@me then the application; the gateway gives READY and the guild."""
    assert [(r.method, r.path) for r in fake.log[:2]] == [
        ("GET", "/users/@me"),
        ("GET", "/oauth2/applications/@me"),
    ]
    assert bot.user is not None and str(bot.user.id) == fake.bot_user.id
    assert bot.application_id == int(fake.application_id)
    session = fake.sessions[0]
    assert session.compression == "zlib-stream"
    assert discord.Intents._from_value(session.intents).message_content
    guild = bot.get_guild(int(fake.guild.id))
    assert guild is not None and guild.owner_id == int(fake.owner.id)
    assert {c.name for c in guild.text_channels} == {"general", "random"}
    assert guild.get_role(int(fake.admin_role.id)).permissions.manage_guild  # type: ignore[union-attr]
    assert math.isfinite(bot.latency)  # the first heartbeat was acknowledged


async def test_rest_errors_look_like_discord(fake: FakeDiscord, bot: EchoBot) -> None:
    """Over-long content, unknown routes and bad tokens fail as they do on Discord."""
    channel = bot.get_channel(int(fake.channel.id))
    assert isinstance(channel, discord.TextChannel)
    with pytest.raises(discord.HTTPException) as too_long:
        await channel.send("🜂" * 2001)
    assert too_long.value.code == 50035 and "2000 or fewer" in too_long.value.text
    assert [v.field for v in fake.take_violations()] == ["content"]
    with pytest.raises(discord.NotFound):
        await bot.http.request(discord.http.Route("GET", "/nowhere"))
    other = EchoBot()
    with pytest.raises(discord.LoginFailure):
        await other.login("wrong-token")
    await other.close()


async def test_tree_sync_stores_payload(fake: FakeDiscord, bot: EchoBot) -> None:
    """Syncing the tree bulk-overwrites global commands; names and localizations are kept."""
    synced = await bot.tree.sync()
    stored = fake.command("echo")
    assert {c.name: c.id for c in synced} == {c["name"]: int(c["id"]) for c in fake.commands()}
    assert stored["description"] == "Echo a message back"
    assert stored["name_localizations"] == {"ru": "эхо"}
    assert stored["description_localizations"] == {"ru": "Повторить сообщение"}
    [option] = stored["options"]
    assert (option["name"], option["type"], option["required"]) == ("message", 3, True)
    assert option["description_localizations"] == {"ru": "Что"}
    await bot.tree.sync()
    assert fake.command("echo")["id"] == stored["id"]  # ids survive a re-sync


async def test_slash_command_defers_then_follows_up(fake: FakeDiscord, bot: EchoBot) -> None:
    """Deferred callback (type 5) first, then the follow-up fills the thinking message."""
    await bot.tree.sync()
    ref = await fake.send_interaction("echo", {"message": "hello"}, user=fake.admin)
    callback = await ref.callback()
    assert callback.status == 200 and callback.json == {"type": 5}
    followup = await ref.followup()
    assert followup.ok and followup.json["content"] == "echo: hello"
    assert fake.messages[ref.original_message_id or ""]["content"] == "echo: hello"
    [interaction] = bot.seen
    assert interaction.permissions.manage_guild and not interaction.permissions.administrator
    assert interaction.app_permissions.send_messages
    assert interaction.locale is discord.Locale.american_english

    plain = await fake.send_interaction("echo", {"message": "again"}, user=fake.user)
    await plain.followup()
    assert not bot.seen[-1].permissions.manage_guild


async def test_autocomplete_is_a_type_4_interaction_answered_with_choices(
    fake: FakeDiscord, bot: EchoBot
) -> None:
    """Typing into an autocomplete option: choices (type 8) come back, checked like Discord."""
    await bot.tree.sync()
    [option] = fake.command("echo")["options"]
    assert option["autocomplete"] is True
    ref = await fake.send_autocomplete("echo", {"message": "he"}, "message")
    assert await ref.offered() == [{"name": "he!", "value": "he!"}]
    assert (await ref.callback()).json["type"] == 8
    assert not bot.seen  # the command itself did not run

    too_long = await fake.send_autocomplete("echo", {"message": "x" * 100}, "message")
    refused = await too_long.callback()
    assert refused.status == 400 and too_long.choices is None
    assert [v.field for v in fake.take_violations()] == ["data.choices.0.value"]
    with pytest.raises(ValueError, match="no autocomplete"):
        await fake.send_autocomplete("field", {}, "message")


async def test_followup_file_and_original_edit(fake: FakeDiscord, bot: EchoBot) -> None:
    """A multipart follow-up keeps its bytes; the @original edit lands on the same message."""
    ref = await fake.send_interaction("field")
    followup = await ref.followup()
    [upload] = followup.files
    assert (upload.filename, upload.data) == ("f.png", PNG)
    assert followup.json["content"] == "drawing"
    edit = await ref.original_edit()
    assert edit.ok and edit.json["content"] == "the field"
    original = fake.messages[ref.original_message_id or ""]
    assert original["content"] == "the field" and not original["flags"] & 128  # not loading
    [attachment] = original["attachments"]
    assert await bot.http.get_from_cdn(attachment["url"]) == PNG


async def test_persistent_button_answers_ephemerally(fake: FakeDiscord, bot: EchoBot) -> None:
    """A click on the persistent view's button gets a type 4 answer with flag 64."""
    channel = bot.get_channel(int(fake.channel.id))
    assert isinstance(channel, discord.TextChannel)
    panel = await channel.send("panel", view=PingView())
    ref = await fake.send_component_interaction(PING_ID, message=str(panel.id))
    callback = await ref.callback()
    assert callback.json["type"] == 4
    assert callback.json["data"]["content"] == "pong"
    assert callback.json["data"]["flags"] == 64


async def test_message_create_is_echoed(fake: FakeDiscord, bot: EchoBot) -> None:
    """MESSAGE_CREATE in a guild channel and in a DM is answered via POST /messages."""
    await fake.send_message_create(fake.channel, fake.user, "hello there")
    sent = await fake.wait_for("POST", rf"/channels/{fake.channel.id}/messages")
    assert sent.json["content"] == "heard: hello there"
    dm = await fake.send_dm(fake.user, "psst")
    reply = await fake.wait_for("POST", rf"/channels/{dm['channel_id']}/messages")
    assert reply.json["content"] == "heard: psst"
    await asyncio.sleep(0.05)  # the bot's own echoed messages must not be answered
    assert len(fake.requests("POST", r"/channels/\d+/messages")) == 2


async def test_rate_limit_is_retried(fake: FakeDiscord, bot: EchoBot) -> None:
    """A 429 on POST /channels/{id}/messages is waited out and the message still arrives."""
    path = rf"/channels/{fake.channel.id}/messages"
    fake.fail_next("POST", path, status=429, retry_after=0.3)
    await fake.send_message_create(fake.channel, fake.user, "slow down")
    delivered = await fake.wait_for("POST", path, lambda r: r.ok)
    limited, retried = fake.requests("POST", path)
    assert (limited.status, retried.status) == (429, 200)
    assert retried is delivered and retried.at - limited.at >= 0.29
    assert [m["content"] for m in fake.sent_messages(fake.channel)] == ["heard: slow down"]


async def test_reconnect_resumes_the_session(fake: FakeDiscord, bot: EchoBot) -> None:
    """Op 7 RECONNECT: discord.py comes back with RESUME, not a new IDENTIFY."""
    await fake.request_reconnect()

    def resumed() -> bool:
        return any(f.get("op") == 6 for f in fake.gateway_frames) and bool(fake.live_sessions)

    await fake.wait_until(resumed, 5, "RESUME")
    assert len(fake.sessions) == 1
    await fake.send_message_create(fake.channel, fake.user, "still there?")
    sent = await fake.wait_for("POST", rf"/channels/{fake.channel.id}/messages")
    assert sent.json["content"] == "heard: still there?"


async def test_clean_close_leaves_nothing_running(fake: FakeDiscord) -> None:
    """close() ends connect(), the heartbeat thread and every discord.py task."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        client, task = await start_bot(fake)
        await stop_bot(client, task)
        await fake.wait_until(lambda: not fake.live_sessions, 2, "gateway close")
        gc.collect()
    assert task.done() and task.exception() is None
    library = os.path.dirname(discord.__file__)
    leftovers = [
        t
        for t in asyncio.all_tasks()
        if getattr(t.get_coro(), "cr_code", None) is not None
        and t.get_coro().cr_code.co_filename.startswith(library)  # type: ignore[union-attr]
    ]
    assert leftovers == []
    beats = [t for t in threading.enumerate() if isinstance(t, discord.gateway.KeepAliveHandler)]
    for beat in beats:
        beat.join(timeout=1)
    assert not [t for t in beats if t.is_alive()]
    assert not [w for w in caught if issubclass(w.category, RuntimeWarning | ResourceWarning)]


async def test_restarted_bot_still_handles_the_view(fake: FakeDiscord) -> None:
    """A second bot instance gets HELLO/READY again and its persistent view answers clicks."""
    first, task = await start_bot(fake)
    channel = first.get_channel(int(fake.channel.id))
    assert isinstance(channel, discord.TextChannel)
    panel = await channel.send("panel", view=PingView())
    await stop_bot(first, task)

    second, task = await start_bot(fake)
    try:
        assert len(fake.sessions) == 2 and fake.live_sessions == [fake.sessions[1]]
        ref = await fake.send_component_interaction(PING_ID, message=str(panel.id))
        callback = await ref.callback()
        assert (callback.json["type"], callback.json["data"]["flags"]) == (4, 64)
    finally:
        await stop_bot(second, task)


async def test_the_fake_routes_guild_events_to_their_shard(fake: FakeDiscord) -> None:
    """Like Discord: a guild's events reach shard (guild_id >> 22) % count, DMs shard 0."""
    import aiohttp

    guilds = [fake.add_guild(f"g{i}", owner=fake.owner, shard=(i, 2)) for i in range(2)]
    for guild in guilds:
        fake.add_member(guild, fake.user)
    channels = [fake.add_text_channel(guild, "talk") for guild in guilds]
    received: dict[int, list[dict]] = {0: [], 1: []}
    async with aiohttp.ClientSession() as http:
        sockets = []
        for shard in (0, 1):
            ws = await http.ws_connect(fake.gateway_url + "?v=10&encoding=json")
            await ws.receive_json()  # HELLO
            identify = {"token": fake.token, "intents": 1 << 9 | 1 << 12 | 1 << 15}
            await ws.send_json({"op": 2, "d": {**identify, "shard": [shard, 2]}})
            sockets.append(ws)
        await fake.wait_until(lambda: len(fake.live_sessions) == 2, 5, "two shards")
        for shard, ws in enumerate(sockets):  # READY and this shard's GUILD_CREATEs
            while True:
                frame = await asyncio.wait_for(ws.receive_json(), 5)
                received[shard].append(frame)
                if frame["t"] == "GUILD_CREATE" and frame["d"]["id"] == guilds[shard].id:
                    break
        assert {f["d"]["id"] for f in received[0] if f["t"] == "GUILD_CREATE"} >= {guilds[0].id}
        assert guilds[1].id not in {f["d"]["id"] for f in received[0] if f["t"] == "GUILD_CREATE"}
        for shard, channel in enumerate(channels):
            await fake.send_message_create(channel, fake.user, f"to shard {shard}")
        await fake.send_dm(fake.user, "a DM")
        for shard, ws in enumerate(sockets):
            frames = []
            with contextlib.suppress(TimeoutError):
                while True:
                    frames.append(await asyncio.wait_for(ws.receive_json(), 0.5))
            contents = [f["d"]["content"] for f in frames if f["t"] == "MESSAGE_CREATE"]
            expected = ["to shard 0", "a DM"] if shard == 0 else ["to shard 1"]
            assert contents == expected, (shard, contents)
        for ws in sockets:
            await ws.close()
