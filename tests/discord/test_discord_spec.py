"""The fake Discord holds every REST request to Discord's own specification.

Requests go straight to the fake over HTTP on 127.0.0.1, so each kind of violation is shown
refused as Discord refuses it (400, code 50035, an ``errors`` object) and recorded with its
route, field and value, so the test that caused it fails unless it takes the violation. Last,
the bot's global command sync, Russian localisations included, is checked against the spec.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import discord
import pytest

from bot.config import DiscordConfig
from bot.discord.frontend import DiscordFrontend
from core.service import GodService
from tests.fakes import discord_spec
from tests.fakes.discord_api import EPHEMERAL, FakeDiscord
from tests.fakes.violations import SpecViolationError


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    """A started fake Discord; leaving it with violations fails the test."""
    async with FakeDiscord() as server:
        yield server


@pytest.fixture
async def client(fake: FakeDiscord) -> AsyncIterator[discord.Client]:
    """A connected discord.py client that leaves interactions for the test to answer."""
    bot = discord.Client(intents=discord.Intents.default())
    await bot.login(fake.token)
    task = asyncio.create_task(bot.connect(), name="spec-client")
    await asyncio.wait_for(bot.wait_until_ready(), timeout=5)
    yield bot
    await bot.close()
    await asyncio.wait_for(task, timeout=5)


async def request(
    fake: FakeDiscord, method: str, path: str, body: Any
) -> tuple[int, dict[str, Any]]:
    """One authorised REST request with a JSON body."""
    headers = {"Authorization": f"Bot {fake.token}"}
    async with (
        aiohttp.ClientSession() as session,
        session.request(method, fake.api_base + path, json=body, headers=headers) as response,
    ):
        return response.status, await response.json() if response.status != 204 else {}


def command() -> dict[str, Any]:
    """A valid chat-input command with one string option."""
    option = {"type": 3, "name": "message", "description": "What to say", "required": True}
    return {"type": 1, "name": "glyph", "description": "Answer as the god", "options": [option]}


def option(**fields: Any) -> dict[str, Any]:
    """A valid string option, fields replaced or added."""
    return {"type": 3, "name": "message", "description": "What to say", **fields}


def row(*buttons: dict[str, Any]) -> list[dict[str, Any]]:
    """One action row of buttons."""
    return [{"type": 1, "components": list(buttons)}]


BUTTON = {"type": 2, "style": 1, "label": "Translate", "custom_id": "silentgod:reveal:1"}
CHOICES = [{"name": f"c{i}", "value": f"c{i}"} for i in range(26)]
COMMANDS = "/applications/{app}/commands"
MESSAGES = "/channels/{channel}/messages"

# (method, path, body, the field named, the value named)
VIOLATIONS = [
    pytest.param(
        "PUT",
        COMMANDS,
        [{**command(), "name_localizations": {"ru-RU": "глиф"}}],
        "0.name_localizations.ru-RU",
        "ru-RU",
        id="ru-RU-locale",
    ),
    pytest.param(
        "PUT",
        COMMANDS,
        [{**command(), "options": [option(description="d" * 101)]}],
        "0.options.0.description",
        "d" * 101,
        id="101-character-option-description",
    ),
    pytest.param(
        "PUT",
        COMMANDS,
        [{**command(), "options": [option(choices=CHOICES)]}],
        "0.options.0.choices",
        26,
        id="26-choices",
    ),
    pytest.param(
        "PUT",
        COMMANDS,
        [{**command(), "options": [option(name=f"o{i}") for i in range(26)]}],
        "0.options",
        26,
        id="26-options",
    ),
    pytest.param(
        "PUT",
        COMMANDS,
        [{**command(), "options": [option(name="a"), option(name="b", required=True)]}],
        "0.options.1.required",
        True,
        id="required-after-optional",
    ),
    pytest.param(
        "PUT",
        COMMANDS,
        [{**command(), "name": "Glyph"}],
        "0.name",
        "Glyph",
        id="uppercase-name",
    ),
    pytest.param(
        "PUT",
        COMMANDS,
        [{"type": 3, "name": "Translate", "description": "Translate this message"}],
        "0.description",
        "Translate this message",
        id="message-command-description",
    ),
    pytest.param(
        "PUT",
        COMMANDS,
        [{**command(), "description": 7}],
        "0.description",
        7,
        id="schema-type",
    ),
    pytest.param(
        "POST",
        MESSAGES,
        {"content": "🜂", "flags": EPHEMERAL},
        "flags",
        EPHEMERAL,
        id="ephemeral-channel-message",
    ),
    pytest.param(
        "POST", MESSAGES, {"content": "🜂" * 2001}, "content", "🜂" * 2001, id="content-2001"
    ),
    pytest.param(
        "POST",
        MESSAGES,
        {"content": "🜂", "components": row({**BUTTON, "style": 5, "url": "https://a.b"})},
        "components.0.components.0",
        {**BUTTON, "style": 5, "url": "https://a.b"},
        id="link-button-with-custom-id",
    ),
    pytest.param(
        "POST",
        MESSAGES,
        {"content": "🜂", "components": row({**BUTTON, "url": "https://a.b"})},
        "components.0.components.0",
        {**BUTTON, "url": "https://a.b"},
        id="button-with-two-actions",
    ),
    pytest.param(
        "POST",
        MESSAGES,
        {"content": "🜂", "components": row(BUTTON, {**BUTTON, "label": "Again"})},
        "components.0.components.1.custom_id",
        BUTTON["custom_id"],
        id="duplicate-custom-id",
    ),
]


@pytest.mark.parametrize(("method", "path", "body", "field", "value"), VIOLATIONS)
async def test_each_kind_of_violation_is_refused_and_named(
    fake: FakeDiscord, method: str, path: str, body: Any, field: str, value: Any
) -> None:
    path = path.format(app=fake.application_id, channel=fake.channel.id)
    status, answer = await request(fake, method, path, body)
    assert (status, answer["code"], answer["message"]) == (400, 50035, "Invalid Form Body")
    node = answer["errors"]
    for key in field.split("."):
        node = node[key]
    assert node["_errors"], answer
    found = fake.take_violations()
    named = [v for v in found if v.field == field]
    assert named and named[0].value == value, found
    assert named[0].route.startswith(method + " /")
    assert not fake.log[-1].ok


async def test_callback_type_must_fit_the_interaction(
    fake: FakeDiscord, client: discord.Client
) -> None:
    """UPDATE_MESSAGE (7) answers a component, never a slash command."""
    ref = await fake.send_interaction("glyph", {"message": "🜂"})
    path = f"/interactions/{ref.id}/{ref.token}/callback"
    status, answer = await request(fake, "POST", path, {"type": 7, "data": {"content": "🜂"}})
    assert (status, answer["code"]) == (400, 50035) and "type" in answer["errors"]
    [violation] = fake.take_violations()
    assert (violation.field, violation.value) == ("type", 7)


async def test_ephemeral_is_fine_on_an_interaction_response(
    fake: FakeDiscord, client: discord.Client
) -> None:
    ref = await fake.send_interaction("glyph", {"message": "🜂"})
    path = f"/interactions/{ref.id}/{ref.token}/callback"
    body = {"type": 4, "data": {"content": "🜂", "flags": EPHEMERAL, "components": row(BUTTON)}}
    status, _ = await request(fake, "POST", path, body)
    assert status == 204 and not fake.violations


async def test_a_violation_nobody_took_fails_the_test() -> None:
    with pytest.raises(SpecViolationError) as caught:
        async with FakeDiscord() as server:
            await request(server, "POST", f"/channels/{server.channel.id}/messages", {"flags": 64})
    assert "POST /channels/{channel_id}/messages: flags=64" in str(caught.value)


def test_locales_come_from_the_spec() -> None:
    assert "ru" in discord_spec.locales() and "ru-RU" not in discord_spec.locales()
    assert discord_spec.operation("PATCH", "/webhooks/1/t/messages/@original") == (
        "/webhooks/{webhook_id}/{webhook_token}/messages/@original"
    )


async def test_the_bots_global_commands_meet_the_spec(
    fake: FakeDiscord, god_service: GodService
) -> None:
    """The sync every deployment makes: each command, option and choice, in ru too."""
    config = DiscordConfig(
        enabled=True, token=fake.token, api_base=fake.api_base, gateway_url=fake.gateway_url
    )
    frontend = DiscordFrontend(config, god_service, ready_timeout=10, guild_ready_timeout=0.05)
    await frontend.start()
    await frontend.stop()
    [sync] = [r for r in fake.log if r.method == "PUT" and r.path.endswith("/commands")]
    assert sync.ok and sync.path == f"/applications/{fake.application_id}/commands"
    assert discord_spec.check("PUT", sync.path, sync.json) == []
    localised = [c for c in sync.json if c.get("name_localizations")]
    assert localised and all(set(c["name_localizations"]) == {"ru"} for c in localised)
    assert all(r.ok for r in fake.log), [(r.method, r.path, r.status) for r in fake.log]
    assert not fake.violations
