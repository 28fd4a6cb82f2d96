"""The fake Bot API holds every request to Telegram's own specification (Bot API 10.1).

Requests go straight to the fake over HTTP on 127.0.0.1, as python-telegram-bot sends them
(form fields; objects JSON-serialised), so each kind of violation is shown refused with a 400
that names the method, the field and the value — and recorded, so the test that caused it
fails unless it takes the violation. Last, the bot's own command menu is checked.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import aiohttp
import pytest

from bot.config import TelegramConfig
from bot.telegram.frontend import TelegramFrontend
from core.commands import commands_on
from tests.fakes import telegram_spec
from tests.fakes.telegram_api import FakeBotAPI
from tests.fakes.violations import SpecViolationError

TOKEN = "4242:spec-token"


@pytest.fixture
async def fake() -> AsyncIterator[FakeBotAPI]:
    """A running fake Bot API; it must not have failed, nor been left with violations."""
    async with FakeBotAPI() as api:
        yield api
    assert not api.server_errors


async def post(fake: FakeBotAPI, method: str, **form: Any) -> tuple[int, dict[str, Any]]:
    """POST one urlencoded Bot API request; objects and arrays travel JSON-serialised."""
    data = {k: v if isinstance(v, str) else json.dumps(v) for k, v in form.items()}
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{fake.base_url}{TOKEN}/{method}", data=data) as response,
    ):
        return response.status, await response.json()


def button(**actions: Any) -> dict[str, Any]:
    """An inline keyboard of one button with the given action fields."""
    return {"inline_keyboard": [[{"text": "Go", **actions}]]}


def article(**fields: Any) -> dict[str, Any]:
    """A valid InlineQueryResultArticle, with fields replaced or added."""
    result = {"type": "article", "id": "1", "title": "Answer"}
    result["input_message_content"] = {"message_text": "🜂"}
    return {**result, **fields}


CHAT = {"chat_id": "1001"}
COMMAND = {"command": "glyph", "description": "Answer as the god"}

# (method, form fields, the field named, the value named)
VIOLATIONS = [
    pytest.param("getUpdates", {"timeout": "10.0"}, "timeout", "10.0", id="float-timeout"),
    pytest.param(
        "sendMessage", {**CHAT, "text": "hi", "colour": "red"}, "colour", "red", id="unknown"
    ),
    pytest.param("sendMessage", {"text": "hi"}, "chat_id", None, id="missing-required"),
    pytest.param(
        "getUpdates",
        {"allowed_updates": ["message", "messages"]},
        "allowed_updates.1",
        "messages",
        id="allowed-updates",
    ),
    pytest.param(
        "sendMessage",
        {**CHAT, "text": "hi", "disable_notification": "yes"},
        "disable_notification",
        "yes",
        id="not-a-boolean",
    ),
    pytest.param(
        "sendMessage",
        {**CHAT, "text": "hi", "reply_markup": button(callback_data="x", url="https://a.b")},
        "reply_markup.inline_keyboard.0.0",
        {"text": "Go", "callback_data": "x", "url": "https://a.b"},
        id="button-with-two-actions",
    ),
    pytest.param(
        "sendMessage",
        {**CHAT, "text": "hi", "reply_markup": button()},
        "reply_markup.inline_keyboard.0.0",
        {"text": "Go"},
        id="button-without-action",
    ),
    pytest.param(
        "sendMessage",
        {**CHAT, "text": "hi", "reply_markup": button(callback_data="x" * 65)},
        "reply_markup.inline_keyboard.0.0.callback_data",
        "x" * 65,
        id="callback-data-65-bytes",
    ),
    pytest.param(
        "sendMessage",
        {**CHAT, "text": "hi", "parse_mode": "html"},
        "parse_mode",
        "html",
        id="parse-mode",
    ),
    pytest.param(
        "sendChatAction", {**CHAT, "action": "thinking"}, "action", "thinking", id="chat-action"
    ),
    pytest.param(
        "setMyCommands",
        {"commands": [{**COMMAND, "description": "d" * 257}]},
        "commands.0.description",
        "d" * 257,
        id="command-description-257",
    ),
    pytest.param(
        "setMyCommands",
        {"commands": [{**COMMAND, "command": "Glyph-Now"}]},
        "commands.0.command",
        "Glyph-Now",
        id="command-name",
    ),
    pytest.param(
        "setMyCommands",
        {"commands": [{"command": f"c{i}", "description": "d"} for i in range(101)]},
        "commands",
        101,
        id="101-commands",
    ),
    pytest.param(
        "setMyCommands",
        {"commands": [COMMAND], "language_code": "ru-RU"},
        "language_code",
        "ru-RU",
        id="language-code",
    ),
    pytest.param(
        "setMyCommands",
        {"commands": [COMMAND], "scope": {"type": "chat"}},
        "scope.chat_id",
        None,
        id="scope-without-chat",
    ),
    pytest.param(
        "answerInlineQuery",
        {"inline_query_id": "7", "results": [article(type="post")]},
        "results.0",
        article(type="post"),
        id="inline-result-type",
    ),
    pytest.param(
        "answerInlineQuery",
        {"inline_query_id": "7", "results": [article(id="i" * 65)]},
        "results.0.id",
        "i" * 65,
        id="inline-result-id",
    ),
    pytest.param(
        "answerInlineQuery",
        {"inline_query_id": "7", "results": [{**article(), "title": None}]},
        "results.0.title",
        None,
        id="inline-result-field-type",
    ),
    pytest.param(
        "answerInlineQuery",
        {"inline_query_id": "7", "results": [{"type": "article", "id": "1", "title": "t"}]},
        "results.0.input_message_content",
        None,
        id="inline-result-required-field",
    ),
    pytest.param(
        "sendPhoto", {**CHAT, "photo": "attach://nothing"}, "photo", "attach://nothing", id="file"
    ),
]


@pytest.mark.parametrize(("method", "form", "field", "value"), VIOLATIONS)
async def test_each_kind_of_violation_is_refused_and_named(
    fake: FakeBotAPI, method: str, form: dict[str, Any], field: str, value: Any
) -> None:
    status, body = await post(fake, method, **form)
    assert status == 400 and body["ok"] is False
    assert body["description"].startswith(f"Bad Request: {method}: {field}=")
    found = fake.take_violations()
    assert (method, field) in [(v.method, v.field) for v in found], found
    named = next(v for v in found if v.field == field)
    assert named.value == value


async def test_a_valid_request_passes(fake: FakeBotAPI) -> None:
    keyboard = button(callback_data="silentgod:reveal:1")
    status, body = await post(fake, "sendMessage", **CHAT, text="🜂", reply_markup=keyboard)
    assert status == 200 and body["ok"]
    status, body = await post(fake, "getUpdates", timeout="0", allowed_updates=["message"])
    assert status == 200 and not fake.violations


async def test_an_unknown_method_is_a_violation(fake: FakeBotAPI) -> None:
    status, body = await post(fake, "sendTelepathy", **CHAT)
    assert (status, body["description"]) == (404, "Not Found")
    assert [(v.method, v.field) for v in fake.take_violations()] == [("sendTelepathy", "(method)")]


async def test_a_violation_nobody_took_fails_the_test() -> None:
    with pytest.raises(SpecViolationError) as caught:
        async with FakeBotAPI() as api:
            await post(api, "getUpdates", timeout="10.0")
    assert "getUpdates: timeout='10.0': is not Integer" in str(caught.value)


async def test_every_command_menu_the_bot_publishes_meets_the_spec(
    fake: FakeBotAPI, god_service: object
) -> None:
    """setMyCommands for each language and scope the bot sends, checked against the spec."""
    config = TelegramConfig(
        enabled=True, token=TOKEN, base_url=fake.base_url, base_file_url=fake.base_file_url
    )
    frontend = TelegramFrontend(replace(config), god_service, poll_timeout_s=1)  # type: ignore[arg-type]
    await frontend.start()
    try:
        await fake.wait_for("getUpdates")
    finally:
        await frontend.stop()
    menus = fake.calls("setMyCommands")
    scopes = ("default", "all_group_chats", "all_chat_administrators")
    assert {(c.params["scope"]["type"], c.params.get("language_code")) for c in menus} == {
        (scope, language) for scope in scopes for language in ("ru", None)
    }
    table = [c.name for c in commands_on("telegram")]
    members = [c.name for c in commands_on("telegram") if c.who == "everyone"]
    admins = [c.name for c in commands_on("telegram") if c.who != "owners"]
    expected = {"default": table, "all_group_chats": members, "all_chat_administrators": admins}
    for call in menus:
        assert call.ok, call.response
        shown = [c["command"] for c in call.params["commands"]]
        assert shown == expected[call.params["scope"]["type"]]
        assert telegram_spec.check("setMyCommands", call.params) == []
    assert all(c.ok for c in fake.calls()), [c.response for c in fake.calls() if not c.ok]
    assert not fake.violations
