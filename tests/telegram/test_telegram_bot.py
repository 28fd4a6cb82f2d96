"""The real Telegram frontend end to end: PTB over a fake Bot API, the shipped god, real SQLite.

Every test starts the real ``TelegramFrontend`` (PTB Application, AIORateLimiter, polling) against
``FakeBotAPI``, pushes real updates and asserts on the requests the bot sends back.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import AsyncIterator

import aiohttp
import pytest

from bot.chunks import utf16_length
from bot.telegram.frontend import TelegramFrontend
from core.commands import commands_on
from core.language.graphemes import graphemes
from tests.fakes.telegram_api import DEFAULT_GROUP_ID, DEFAULT_USER_ID, Call, FakeBotAPI
from tests.telegram.frontend import TOKEN, running, telegram_config

BOT_ID = 4242
GROUP = DEFAULT_GROUP_ID
WAIT = 10.0  # seconds; the god answers in milliseconds, but CI machines can be slow


# --------------------------------------------------------------------------- fixtures


@pytest.fixture
async def bot(fake: FakeBotAPI, god_service) -> AsyncIterator[TelegramFrontend]:
    """The real frontend over the god_service fixture, polling the fake."""
    async with running(fake, god_service) as frontend:
        yield frontend


async def _reply(fake: FakeBotAPI, update: dict, method: str = "sendMessage") -> Call:
    """Push ``update`` and return the first ``method`` call made after it."""
    mark = fake.mark()
    fake.push_update(update)
    return await fake.wait_for(method, since=mark, timeout=WAIT, ok=True)


async def _text(fake: FakeBotAPI, update: dict) -> str:
    """Push ``update`` and return the text the bot answers with."""
    return (await _reply(fake, update)).params["text"]


def _buttons(call: Call) -> list[dict]:
    markup = call.params.get("reply_markup") or {}
    return [button for row in markup.get("inline_keyboard", []) for button in row]


# --------------------------------------------------------------------------- start-up


async def test_start_publishes_commands_in_russian_and_english(
    fake: FakeBotAPI, god_service, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async with running(fake, god_service) as frontend:
        assert frontend.name == "telegram"
        assert frontend.application is not None
        assert frontend.application.bot.base_url == f"{fake.base_url}{TOKEN}"
        await _text(fake, fake.private_message("🜂⧖🕯"))
    table = [c.name for c in commands_on("telegram")]
    admins = [name for name in table if name != "stats"]  # the owners' command: private only
    for scope, shown in ((None, table), ({"type": "all_chat_administrators"}, admins)):
        en = fake.commands(scope=scope)
        ru = fake.commands(scope=scope, language_code="ru")
        assert [c["command"] for c in en] == shown == [c["command"] for c in ru]
        assert "silent god" in next(c for c in en if c["command"] == "glyph")["description"]
        assert "молчащего бога" in next(c for c in ru if c["command"] == "glyph")["description"]
    # group members are not offered what only administrators may do
    members = [c["command"] for c in fake.commands(scope={"type": "all_group_chats"})]
    assert "glyph" in members and "mode" not in members and "lang" not in members
    assert {c.params.get("language_code") for c in fake.calls("setMyCommands")} == {"ru", None}
    polls = fake.calls("getUpdates")
    assert polls and set(polls[0].params["allowed_updates"]) == {
        "message",
        "callback_query",
        "inline_query",
    }
    # the token never reaches the log, not even at DEBUG
    assert caplog.records
    assert not [r for r in caplog.records if TOKEN in r.getMessage()]
    assert TOKEN not in caplog.text
    assert logging.getLogger("httpx").level == logging.WARNING


async def test_rejected_token_is_one_clean_line(fake: FakeBotAPI, god_service) -> None:
    from bot.app import StartupError

    fake.accepted_tokens = {"1:other"}
    frontend = TelegramFrontend(telegram_config(fake), god_service)
    with pytest.raises(StartupError) as caught:
        await frontend.start()
    assert "token was rejected" in str(caught.value)
    assert TOKEN not in str(caught.value) and caught.value.__cause__ is None
    assert frontend.application is None


async def test_a_second_process_on_sqlite_refuses_telegram_in_one_line(
    fake: FakeBotAPI, god_service
) -> None:
    from bot.app import StartupError

    async with running(fake, god_service):
        second = TelegramFrontend(telegram_config(fake), god_service)
        with pytest.raises(StartupError) as caught:
            await second.start()
        assert "another process already runs this bot" in str(caught.value)
        assert "\n" not in str(caught.value) and second.application is None
    third = TelegramFrontend(telegram_config(fake), god_service)  # the lock went with the first
    await third.start()
    await third.stop()


# --------------------------------------------------------------------------- private chats


async def test_private_message_in_the_translated_voice(fake: FakeBotAPI, bot) -> None:
    update = fake.private_message("⚗⟁🔥")
    call = await _reply(fake, update)
    glyphs, text = call.params["text"].split("\n")[:2]
    assert glyphs == "♁🜂🜍"
    assert "matter passes through fire into transformation" in text.lower()
    assert call.params["chat_id"] == DEFAULT_USER_ID
    assert "parse_mode" not in call.params and not _buttons(call)


async def test_typing_is_shown_only_for_a_slow_answer(
    fake: FakeBotAPI, god_service, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A quick answer needs no "typing…" (each action spends Telegram's 30 messages a
    second); one slower than ``typing_after_s`` shows it first."""
    async with running(fake, god_service, typing_after_s=1.0):
        await _reply(fake, fake.private_message("⚗⟁🔥"))  # the god answers in milliseconds
        assert not fake.calls("sendChatAction")

        ask = god_service.runner.ask

        async def slow_ask(*args: object, **kwargs: object) -> object:
            await asyncio.sleep(1.5)
            return await ask(*args, **kwargs)

        monkeypatch.setattr(god_service.runner, "ask", slow_ask)
        call = await _reply(fake, fake.private_message("⚗⟁🔥"))
    typing = [c for c in fake.calls("sendChatAction") if c.params["chat_id"] == DEFAULT_USER_ID]
    assert len(typing) == 1 and typing[0].params["action"] == "typing"
    assert call.at - 1.5 < typing[0].at < call.at


async def test_glyph_mode_button_reveals_the_translation_in_place(
    fake: FakeBotAPI, bot, god_service, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert await _text(fake, fake.command("mode", "glyph")) == "Mode set to glyph."
    sent = await _reply(fake, fake.private_message("⚗⟁🔥"))
    assert sent.params["text"] == "♁🜂🜍"
    [button] = _buttons(sent)
    assert button["text"] == "Translate"
    assert button["callback_data"].startswith("reveal:")

    runs = 0
    ask = god_service.runner.ask

    async def counting_ask(*args: object, **kwargs: object) -> object:
        nonlocal runs
        runs += 1
        return await ask(*args, **kwargs)

    monkeypatch.setattr(god_service.runner, "ask", counting_ask)
    mark = fake.mark()
    fake.push_update(fake.callback_query(button["callback_data"], message=sent))
    answered = await fake.wait_for("answerCallbackQuery", since=mark, timeout=WAIT)
    edit = await fake.wait_for("editMessageText", since=mark, timeout=WAIT, ok=True)
    assert answered.ok
    assert edit.params["message_id"] == sent.result["message_id"]
    glyphs, text = edit.params["text"].split("\n")[:2]
    assert glyphs == "♁🜂🜍" and "transformation" in text.lower()
    current = fake.message(DEFAULT_USER_ID, sent.result["message_id"])
    assert current is not None and "reply_markup" not in current  # the button is gone
    assert runs == 0  # the stored translation was shown; the god did not think again

    # a forged button (another message's answer id) reveals nothing
    mark = fake.mark()
    fake.push_update(fake.callback_query("reveal:999999", message=sent))
    refused = await fake.wait_for("answerCallbackQuery", since=mark, timeout=WAIT)
    assert "no longer remembered" in refused.params["text"]


async def test_the_button_speaks_the_users_language(fake: FakeBotAPI, bot) -> None:
    ivan = 2002
    ru = {"user_id": ivan, "first_name": "Иван", "username": "ivan", "language_code": "ru"}
    assert "glyph" in await _text(fake, fake.command("mode", "glyph", **ru))
    sent = await _reply(fake, fake.private_message("огонь, время и свеча", **ru))
    assert sent.params["text"].split("\n")[0] == "⟁☰☉⚭"
    assert [b["text"] for b in _buttons(sent)] == ["Перевести"]
    help_text = await _text(fake, fake.command("help", **ru))
    assert help_text.startswith("Я — Молчащий бог")


async def test_translate_as_a_reply_to_glyphs(fake: FakeBotAPI, bot) -> None:
    await _text(fake, fake.command("mode", "glyph"))
    glyph_message = await _reply(fake, fake.private_message("⚗⟁🔥"))
    assert glyph_message.params["text"] == "♁🜂🜍"
    translated = await _text(fake, fake.command("translate", reply_to=glyph_message))
    assert translated.split("\n")[0] == "♁🜂🜍"
    assert "transformation" in translated.lower()
    assert "Reply to one of my glyph messages" in await _text(fake, fake.command("translate"))
    # with text, /translate answers that text in the translated voice despite glyph mode
    answered = await _text(fake, fake.command("translate", "🜂⧖🕯"))
    assert answered.split("\n")[0] == "⟁☰☉⚭" and len(answered.split("\n")) >= 2


async def test_commands_with_and_without_arguments(fake: FakeBotAPI, bot, god_service) -> None:
    lexicon = god_service.lexicon
    assert await _text(fake, fake.command("glyph", "🜂⧖🕯")) == "⟁☰☉⚭"
    assert "Add a message after the command" in await _text(fake, fake.command("glyph"))
    start = await _text(fake, fake.command("start"))
    assert start.startswith("I am the Silent God") and "/glyph" in start
    assert "/translate" in await _text(fake, fake.command("nonsense"))  # unknown: the help
    looked_up = await _text(fake, fake.command("lexicon", "огонь"))
    assert lexicon.glyph("fire") in looked_up and "fire" in looked_up
    assert "No glyph" in await _text(fake, fake.command("lexicon", "zzzz"))
    assert "Add a message" in await _text(fake, fake.command("lexicon"))
    bridged = await _text(fake, fake.command("bridge", "fire and time"))
    assert bridged.split("\n")[0] == lexicon.glyph("fire") + lexicon.glyph("time")
    # Markdown/HTML characters are sent as plain text: never a parse error
    odd = await _reply(fake, fake.command("bridge", "<b>fire</b> *bold_ [x](y) &amp;"))
    assert odd.ok and "parse_mode" not in odd.params
    assert "Add a message" in await _text(fake, fake.command("bridge"))

    history = await _text(fake, fake.command("history", "2"))
    assert "🜂⧖🕯" in history and "⟁☰☉⚭" in history
    assert "1 to 50" in await _text(fake, fake.command("history", "many"))
    assert await _text(fake, fake.command("lang")) == "Language of the translated voice: auto (en)."
    assert await _text(fake, fake.command("lang", "ru")) == "Язык установлен: ru."
    assert "Язык" in await _text(fake, fake.command("lang"))
    assert "Неизвестный язык" in await _text(fake, fake.command("lang", "xx"))
    await _text(fake, fake.command("lang", "auto"))
    assert (await _text(fake, fake.command("mode"))).startswith("Mode here: translate")
    forgotten = await _text(fake, fake.command("forget"))
    assert forgotten.startswith("Forgotten: ") and not forgotten.startswith("Forgotten: 0")
    assert "No exchanges" in await _text(fake, fake.command("history"))
    assert "too long" in await _text(fake, fake.private_message("fire " * 1000))


async def test_field_sends_a_picture_or_its_caption(fake: FakeBotAPI, bot, god_service) -> None:
    mark = fake.mark()
    fake.push_update(fake.command("field", "🜂⧖🕯"))
    call = await fake.wait_for("sendPhoto", since=mark, timeout=WAIT, ok=True)
    assert call.files["photo"].startswith(b"\x89PNG")
    assert utf16_length(call.params["caption"]) <= 1024
    assert "Add a message" in await _text(fake, fake.command("field"))
    assert "Nothing to draw" in await _text(fake, fake.command("field", "qwzx blorft"))


# --------------------------------------------------------------------------- groups


async def test_group_answers_only_when_addressed(fake: FakeBotAPI, bot) -> None:
    ignored = fake.push_update(fake.group_message("🜂⧖🕯"))
    mentioned = fake.group_message("@silentgod_bot 🜂⧖🕯")
    call = await _reply(fake, mentioned)  # a chat's updates are answered in order
    assert call.params["chat_id"] == GROUP
    assert call.params["text"].split("\n")[0] == "⟁☰☉⚭"
    assert call.params["reply_parameters"]["message_id"] == mentioned["message"]["message_id"]
    answered_ids = [c.params.get("reply_parameters", {}).get("message_id") for c in
                    fake.calls("sendMessage")]  # fmt: skip
    assert ignored["message"]["message_id"] not in answered_ids

    reply_to_bot = fake.group_message("⚗⟁🔥", reply_to=call)
    again = await _reply(fake, reply_to_bot)
    assert again.params["text"].split("\n")[0] == "♁🜂🜍"

    command = await _text(fake, fake.command("glyph", "🜂⧖🕯", chat_id=GROUP, mention=True))
    assert command == "⟁☰☉⚭"
    assert await _text(fake, fake.command("glyph", "🜂⧖🕯", chat_id=GROUP)) == "⟁☰☉⚭"


async def test_only_group_administrators_set_the_mode(fake: FakeBotAPI, bot) -> None:
    member, admin, owner = 3003, 3004, 3005
    fake.set_chat_member(GROUP, admin, "administrator")
    fake.set_chat_member(GROUP, owner, "creator")

    refused = await _text(fake, fake.command("mode", "glyph", chat_id=GROUP, user_id=member))
    assert refused == "Only administrators may change this setting here."
    asked = fake.calls("getChatMember")
    assert asked and asked[-1].params == {"chat_id": GROUP, "user_id": member}
    still = await _reply(fake, fake.group_message("@silentgod_bot ⚗⟁🔥", user_id=member))
    assert len(still.params["text"].split("\n")) >= 2 and not _buttons(still)  # translate

    shown = await _text(fake, fake.command("mode", chat_id=GROUP, user_id=member))
    assert shown.startswith("Mode here: translate")
    set_by_admin = fake.command("mode", "glyph", chat_id=GROUP, user_id=admin, mention=True)
    assert await _text(fake, set_by_admin) == "Mode set to glyph."
    now = await _reply(fake, fake.group_message("@silentgod_bot ⚗⟁🔥", user_id=member))
    assert now.params["text"] == "♁🜂🜍" and _buttons(now)

    refused_lang = await _text(fake, fake.command("lang", "ru", chat_id=GROUP, user_id=member))
    assert refused_lang.startswith("Only administrators")
    assert await _text(fake, fake.command("lang", "ru", chat_id=GROUP, user_id=owner)) == (
        "Язык установлен: ru."
    )


# --------------------------------------------------------------------------- inline mode


async def test_inline_query_offers_glyphs_and_the_gods_answer(
    fake: FakeBotAPI, bot, god_service
) -> None:
    lexicon = god_service.lexicon
    mark = fake.mark()
    update = fake.push_update(fake.inline_query("fire and time"))
    call = await fake.wait_for("answerInlineQuery", since=mark, timeout=WAIT, ok=True)
    assert call.params["inline_query_id"] == update["inline_query"]["id"]
    assert call.params["is_personal"] is True and call.params["cache_time"] <= 30
    results = {r["id"]: r for r in call.params["results"]}
    assert list(results) == ["bridge", "silent", "voice"]
    bridge_text = results["bridge"]["input_message_content"]["message_text"]
    assert bridge_text == lexicon.glyph("fire") + lexicon.glyph("time")
    silent = results["silent"]["input_message_content"]["message_text"]
    assert silent and all(lexicon.by_glyph(g) for g in graphemes(silent))
    voice = results["voice"]["input_message_content"]["message_text"]
    assert voice.startswith(silent + "\n") and len(voice) > len(silent) + 3
    # previews are not stored
    assert "No exchanges" in await _text(fake, fake.command("history"))

    mark = fake.mark()
    fake.push_update(fake.inline_query("⚗⟁🔥", user_id=2002, language_code="ru"))
    call = await fake.wait_for("answerInlineQuery", since=mark, timeout=WAIT, ok=True)
    results = {r["id"]: r for r in call.params["results"]}
    assert results["silent"]["input_message_content"]["message_text"] == "♁🜂🜍"
    assert results["voice"]["title"] == "Переведённый голос"


# --------------------------------------------------------------------------- delivery


async def test_429_retry_after_is_obeyed(fake: FakeBotAPI, bot) -> None:
    fake.fail_next("sendMessage", retry_after=1)
    mark = fake.mark()
    fake.push_update(fake.private_message("🜂⧖🕯"))
    delivered = await fake.wait_for("sendMessage", since=mark, timeout=WAIT, ok=True)
    [refused] = fake.calls("sendMessage", ok=False)
    assert refused.status == 429
    assert delivered.at - refused.at >= 1.0
    assert delivered.params["text"].split("\n")[0] == "⟁☰☉⚭"


async def test_a_huge_answer_is_split_without_breaking_glyphs(
    fake: FakeBotAPI, bot, god_service
) -> None:
    glyphs = "".join(entry.glyph for entry in god_service.lexicon)
    question = ""
    for glyph in graphemes(glyphs * 20):  # as much as one Telegram message may carry
        if utf16_length(question + glyph) > 4000:
            break
        question += glyph
    from core.commands.outcomes import bridge_outcome

    result = await god_service.dictionary.bridge_text(question, _probe())
    expected = bridge_outcome(result).text
    assert utf16_length(expected) > 10_000  # the bridge reads every glyph out in words

    mark = fake.mark()
    fake.push_update(fake.command("bridge", question))
    await fake.wait_for("sendMessage", since=mark, timeout=WAIT, ok=True)
    await asyncio.sleep(0.5)  # the other parts follow
    parts = [c.params["text"] for c in fake.calls("sendMessage", ok=True)[-3:]]
    assert len(fake.calls("sendMessage")) == 3 and all(c.ok for c in fake.calls("sendMessage"))
    assert all(utf16_length(part) <= 4096 for part in parts)
    assert parts[-1].endswith("…")  # an absurd answer is capped at three messages
    joined = "".join(graphemes("".join(parts)[:-1]))
    squeeze = lambda text: "".join(text.split())  # noqa: E731 - parts break at spaces and lines
    assert squeeze(expected).startswith(squeeze(joined))
    whole = set(graphemes(expected)) | {"…"}
    for part in parts:  # no glyph cut in half: every cluster of every part is one of the answer's
        assert set(graphemes(part)) <= whole


def _probe():  # type: ignore[no-untyped-def]
    from core.types import Incoming

    return Incoming("telegram", str(DEFAULT_USER_ID), str(DEFAULT_USER_ID), "", language_hint="en")


# --------------------------------------------------------------------------- errors


async def test_a_failing_handler_apologises_and_the_bot_goes_on(
    fake: FakeBotAPI, bot, god_service, monkeypatch: pytest.MonkeyPatch, caplog
) -> None:
    def broken_lookup(query: str) -> list:
        raise RuntimeError(f"the dictionary burned ({TOKEN})")

    monkeypatch.setattr(god_service.dictionary, "lookup", broken_lookup)
    with caplog.at_level(logging.ERROR, logger="bot.telegram"):
        apology = await _text(fake, fake.command("lexicon", "fire"))
    assert apology == "Something went wrong while the god was thinking. Please try again."
    [record] = [r for r in caplog.records if r.name == "bot.telegram.handlers"]
    logged = record.getMessage()
    assert f"chat {DEFAULT_USER_ID}" in logged and "command /lexicon" in logged
    assert "RuntimeError" in logged and TOKEN not in logged and "<redacted>" in logged
    monkeypatch.undo()
    assert await _text(fake, fake.private_message("🜂⧖🕯")) != apology
    assert "🜂" in await _text(fake, fake.command("lexicon", "fire"))


# --------------------------------------------------------------------------- restarts, webhook


@contextlib.asynccontextmanager
async def _service(url: str, god):  # type: ignore[no-untyped-def]
    """A GodService of its own over the SQLite file at ``url`` (as after a process restart)."""
    from core.bridge.lexicon_bridge import LexiconBridge
    from core.model.runner import GodRunner
    from core.service import CoreSettings, GodService
    from core.storage import SqlStore

    runner = GodRunner(god.answer_batch, batch_wait_ms=1.0)
    await runner.start()
    service = GodService(
        settings=CoreSettings(default_mode="translate"),
        store=SqlStore.from_url(url),
        runner=runner,
        bridge=LexiconBridge(god.lexicon),
        lexicon=god.lexicon,
        god=god,
    )
    try:
        yield service
    finally:
        await service.close()


async def test_a_conversation_survives_a_restart(
    fake: FakeBotAPI, migrated_db_url: str, shipped_god
) -> None:
    lexicon = shipped_god.lexicon
    question = lexicon.glyph("cycle") + lexicon.glyph("night")
    async with _service(migrated_db_url, shipped_god) as service, running(fake, service):
        await _text(fake, fake.command("mode", "glyph"))
        assert await _text(fake, fake.private_message(question)) == lexicon.glyph("dawn")

    async with _service(migrated_db_url, shipped_god) as service, running(fake, service):
        history = await _text(fake, fake.command("history"))
        assert question in history and lexicon.glyph("dawn") in history
        then = await _text(fake, fake.private_message(lexicon.glyph("then")))
        assert then == lexicon.glyph("day")  # glyph mode was remembered too


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def test_webhook_mode(fake: FakeBotAPI, god_service) -> None:
    port = _free_port()
    secret = "webhook-secret-42"
    overrides = {
        "mode": "webhook",
        "webhook_url": "https://god.example.org/tg-hook",
        "webhook_listen": "127.0.0.1",
        "webhook_port": port,
        "webhook_path": "tg-hook",
        "webhook_secret": secret,
    }
    async with running(fake, god_service, **overrides):
        [registered] = fake.calls("setWebhook")
        assert registered.params["url"] == "https://god.example.org/tg-hook"
        assert registered.params["secret_token"] == secret
        update = fake.private_message("🜂⧖🕯")
        mark = fake.mark()
        async with aiohttp.ClientSession() as http:
            url = f"http://127.0.0.1:{port}/tg-hook"
            wrong = {"X-Telegram-Bot-Api-Secret-Token": "guess"}
            async with http.post(url, json=update, headers=wrong) as response:
                assert response.status == 403
            right = {"X-Telegram-Bot-Api-Secret-Token": secret}
            async with http.post(url, json=update, headers=right) as response:
                assert response.status == 200
        call = await fake.wait_for("sendMessage", since=mark, timeout=WAIT, ok=True)
        assert call.params["text"].split("\n")[0] == "⟁☰☉⚭"
        assert len(fake.calls("sendMessage")) == 1


async def test_a_taken_webhook_port_is_one_clean_line(fake: FakeBotAPI, god_service) -> None:
    from bot.app import StartupError

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        config = telegram_config(
            fake, mode="webhook", webhook_url="https://god.example.org/x", webhook_port=port
        )
        frontend = TelegramFrontend(config, god_service)
        with pytest.raises(StartupError, match="cannot listen for the webhook"):
            await frontend.start()
    assert frontend.application is None


async def test_health_for_the_operator(fake: FakeBotAPI, god_service) -> None:
    """Running and polling: healthy; stopped: not."""
    async with running(fake, god_service) as frontend:
        assert frontend.health() is None
    assert frontend.health() == "telegram: not running"


async def test_the_update_s_ids_are_in_the_log_context(
    fake: FakeBotAPI, god_service, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a handler logs carries the chat, user and update ids (for JSON logs)."""
    import bot.logs
    from bot.telegram import handlers

    seen: list[dict[str, str] | None] = []
    real_run = handlers.commands.run

    async def run(*args: object):  # type: ignore[no-untyped-def]
        seen.append(bot.logs._CONTEXT.get())
        return await real_run(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(handlers.commands, "run", run)
    async with running(fake, god_service):
        update = fake.private_message("🜂⧖🕯", user_id=4242)
        await _text(fake, update)
    [context] = seen
    assert context == {
        "platform": "telegram",
        "chat_id": str(update["message"]["chat"]["id"]),
        "user_id": "4242",
        "update_id": str(update["update_id"]),
    }
