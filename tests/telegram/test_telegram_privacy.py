"""/privacy, /export and /forget all on the real Telegram stack (PTB over the fake Bot API, a real
SQLite file): the file Telegram receives, the confirmation buttons and who may press them, and
a database that no longer mentions the erased user anywhere."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from bot.telegram.frontend import TelegramFrontend
from core.storage.models import IntakeEvent
from tests.fakes.telegram_api import DEFAULT_GROUP_ID, DEFAULT_USER_ID, Call, FakeBotAPI
from tests.storage.helpers import rows_mentioning
from tests.telegram.frontend import running

WAIT = 10.0
BOB_ID = 2002


@pytest.fixture
async def bot(fake: FakeBotAPI, god_service) -> AsyncIterator[TelegramFrontend]:  # type: ignore[no-untyped-def]
    async with running(fake, god_service) as frontend:
        yield frontend


async def _reply(fake: FakeBotAPI, update: dict, method: str = "sendMessage") -> Call:
    mark = fake.mark()
    fake.push_update(update)
    return await fake.wait_for(method, since=mark, timeout=WAIT, ok=True)


def _buttons(call: Call) -> list[dict]:
    markup = call.params.get("reply_markup") or {}
    return [button for row in markup.get("inline_keyboard", []) for button in row]


async def _talk(fake: FakeBotAPI) -> None:
    """Alice asks in private and in a group; Bob asks in the same group."""
    await _reply(fake, fake.private_message("🜂⧖🕯"))
    await _reply(fake, fake.private_message("fire and water"))
    await _reply(fake, fake.group_message("/glyph ⚗⟁🔥"))
    bob = {"user_id": BOB_ID, "first_name": "Bob", "username": "bob_builder"}
    await _reply(fake, fake.group_message("/glyph ☍🜂", **bob))
    await _reply(fake, fake.private_message("opposite of day", **bob))


async def test_privacy_says_what_is_kept_and_how_to_erase_it(fake: FakeBotAPI, bot) -> None:  # type: ignore[no-untyped-def]
    said = (await _reply(fake, fake.command("privacy"))).params["text"]
    assert "user id and name" in said and "until you erase it" in said
    assert "/export" in said and "/forget all" in said
    ru = (await _reply(fake, fake.command("privacy", language_code="ru"))).params["text"]
    assert "Что я храню о вас" in ru and "/forget all" in ru
    published = [c["command"] for c in fake.commands()]
    assert "privacy" in published and "export" in published


async def test_export_sends_every_message_of_the_user_and_no_one_elses(
    fake: FakeBotAPI, bot, god_service
) -> None:  # type: ignore[no-untyped-def]
    await _talk(fake)
    sent = await _reply(fake, fake.command("export"), "sendDocument")
    assert sent.params["chat_id"] == DEFAULT_USER_ID
    assert sent.file_names["document"] == f"silentgod-telegram-{DEFAULT_USER_ID}.json"
    assert "3 questions" in sent.params["caption"]
    exported = json.loads(sent.files["document"])
    assert exported["user"]["id"] == str(DEFAULT_USER_ID) and exported["user"]["name"] == "alice"
    questions = [e["question"] for e in exported["exchanges"]]
    assert questions == ["🜂⧖🕯", "fire and water", "⚗⟁🔥"]
    assert all(e["answers"] and e["answers"][0]["glyphs"] for e in exported["exchanges"])
    assert {c["id"] for c in exported["chats"]} == {str(DEFAULT_USER_ID), str(DEFAULT_GROUP_ID)}
    # the raw updates Alice sent (the /export itself among them), each found by its sender
    senders = {u["payload"]["message"]["from"]["id"] for u in exported["raw_updates"]}
    assert senders == {DEFAULT_USER_ID} and len(exported["raw_updates"]) == 4
    document = sent.files["document"].decode()
    assert "bob" not in document.lower() and str(BOB_ID) not in document and "☍" not in document

    # asked in a group, the file goes to the private chat; the group only hears where
    mark = fake.mark()
    fake.push_update(fake.group_message("/export"))
    private = await fake.wait_for("sendDocument", since=mark, timeout=WAIT, ok=True)
    told = await fake.wait_for("sendMessage", since=mark, timeout=WAIT, ok=True)
    assert private.params["chat_id"] == DEFAULT_USER_ID
    assert told.params["chat_id"] == DEFAULT_GROUP_ID and "private chat" in told.params["text"]
    # a user who never opened a private chat is told how to
    fake.fail_next("sendDocument", error_code=403, description="Forbidden: bot can't initiate")
    told = await _reply(fake, fake.group_message("/export"))
    assert "press Start" in told.params["text"]


async def test_forget_all_asks_first_and_only_the_asker_may_answer(
    fake: FakeBotAPI, bot, god_service
) -> None:  # type: ignore[no-untyped-def]
    await _talk(fake)
    asked = await _reply(fake, fake.group_message("/forget all"))
    assert "This cannot be undone" in asked.params["text"]
    yes, no = _buttons(asked)
    assert yes["callback_data"].startswith("erase:y:1001:")
    assert no["callback_data"].startswith("erase:n:1001:")

    # Bob presses Alice's button: an alert for him, nothing erased
    mark = fake.mark()
    fake.push_update(fake.callback_query(yes["callback_data"], message=asked, user_id=BOB_ID))
    alert = await fake.wait_for("answerCallbackQuery", since=mark, timeout=WAIT, ok=True)
    assert alert.params["show_alert"] is True and "Only the person" in alert.params["text"]
    assert await rows_mentioning(god_service.store.sessions, "fire and water")

    # Alice cancels: the question is replaced, nothing erased
    mark = fake.mark()
    fake.push_update(fake.callback_query(no["callback_data"], message=asked))
    edit = await fake.wait_for("editMessageText", since=mark, timeout=WAIT, ok=True)
    assert edit.params["text"] == "Nothing was erased." and "reply_markup" not in edit.params
    assert await rows_mentioning(god_service.store.sessions, "fire and water")

    # a stale button (asked long ago) is refused
    stale = f"erase:y:{DEFAULT_USER_ID}:{int(time.time()) - 3600}"
    mark = fake.mark()
    fake.push_update(fake.callback_query(stale, message=asked))
    alert = await fake.wait_for("answerCallbackQuery", since=mark, timeout=WAIT, ok=True)
    assert "expired" in alert.params["text"] and alert.params["show_alert"] is True
    assert await rows_mentioning(god_service.store.sessions, "fire and water")

    # Alice confirms: everything about her goes, Bob's stays
    asked = await _reply(fake, fake.command("forget", "all"))
    yes, _ = _buttons(asked)
    mark = fake.mark()
    fake.push_update(fake.callback_query(yes["callback_data"], message=asked))
    edit = await fake.wait_for("editMessageText", since=mark, timeout=WAIT, ok=True)
    assert edit.params["text"].startswith("Erased: your user record, 3 of your messages")
    assert not _buttons(Call("", edit.params, {}, 0))
    await fake.wait_for("answerCallbackQuery", since=mark, timeout=WAIT, ok=True)
    assert (
        await rows_mentioning(god_service.store.sessions, str(DEFAULT_USER_ID), "alice", "Alice")
        == []
    )
    assert await rows_mentioning(god_service.store.sessions, "bob_builder", "☍🜂", "opposite of day")

    # the bot still answers her afterwards, as a new user
    again = await _reply(fake, fake.private_message("🜂⧖🕯"))
    assert again.params["text"]


async def test_the_intake_remembers_each_updates_sender(fake: FakeBotAPI, bot, god_service) -> None:  # type: ignore[no-untyped-def]
    await _talk(fake)
    async with god_service.store.sessions() as session:
        senders = list(await session.scalars(select(IntakeEvent.user_external_id)))
    assert sorted(set(senders)) == sorted({str(DEFAULT_USER_ID), str(BOB_ID)})
    assert len(senders) == 5
