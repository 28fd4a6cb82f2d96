"""The inference core: modes, settings, memory, context and faults, over a real store."""

from __future__ import annotations

import asyncio
import dataclasses
import sqlite3
from pathlib import Path

from core.service import GodService
from core.storage import SqlStore, create_engine
from core.types import Incoming
from tests.storage.helpers import count_rows

SEED = "🜂⧖🕯"
SEED_ANSWER = "⟁☰☉⚭"


def message(text: str, **changes: object) -> Incoming:
    base = Incoming(platform="test", chat_id="chat", user_id="ada", text=text, language_hint="en")
    return dataclasses.replace(base, **changes)


async def test_modes_and_their_precedence(god_service: GodService) -> None:
    group = dict(chat_kind="group", channel_id="general", is_admin=True)
    reply = await god_service.answering.answer(message(SEED, **group))
    assert reply.mode == "translate" and reply.glyphs == SEED_ANSWER and reply.text
    await god_service.chats.mode_setting(message("", **group), "glyph")
    reply = await god_service.answering.answer(message(SEED, **group))
    assert reply.mode == "glyph" and reply.text is None
    await god_service.chats.mode_setting(message("", **group), "translate", scope="channel")
    assert (await god_service.answering.answer(message(SEED, **group))).mode == "translate"
    other_channel = dict(group, channel_id="random")
    assert (await god_service.answering.answer(message(SEED, **other_channel))).mode == "glyph"
    explicit = await god_service.answering.answer(message(SEED, mode="glyph", **group))
    assert explicit.mode == "glyph"


async def test_only_admins_change_group_settings(god_service: GodService) -> None:
    member = message("", chat_kind="group", is_admin=False)
    refused = await god_service.chats.mode_setting(member, "glyph")
    assert refused.outcome == "refused" and "administrators" in refused.message
    assert (await god_service.chats.mode_setting(member, None)).value == "translate"
    assert (await god_service.chats.language_setting(member, "ru")).outcome == "refused"
    assert (await god_service.chats.mode_setting(member, "loud")).outcome == "invalid"
    private = await god_service.chats.mode_setting(message("", chat_kind="private"), "glyph")
    assert private.outcome == "set"


async def test_the_question_is_stored_before_the_god_answers(
    god_service: GodService, migrated_db_url: str
) -> None:
    started, release = asyncio.Event(), asyncio.Event()
    answer_batch = god_service.runner._answer_batch

    def slow(requests):  # type: ignore[no-untyped-def]
        started.set()
        asyncio.run_coroutine_threadsafe(release.wait(), loop).result()
        return answer_batch(requests)

    loop = asyncio.get_running_loop()
    god_service.runner._answer_batch = slow
    pending = asyncio.create_task(god_service.answering.answer(message(SEED)))
    await started.wait()
    counts = await count_rows(migrated_db_url)
    assert counts.user_messages == 1 and counts.god_messages == 0
    release.set()
    assert (await pending).glyphs == SEED_ANSWER
    assert (await count_rows(migrated_db_url)).god_messages == 1


async def test_context_survives_a_restart(god_service: GodService, migrated_db_url: str) -> None:
    lexicon = god_service.lexicon
    night = lexicon.glyph("cycle") + lexicon.glyph("night")
    assert (await god_service.answering.answer(message(night))).glyphs == lexicon.glyph("dawn")
    assert (
        await god_service.answering.answer(message(lexicon.glyph("then")))
    ).glyphs == lexicon.glyph("day")
    restarted = GodService(
        settings=god_service.settings,
        store=SqlStore.from_url(migrated_db_url),
        runner=god_service.runner,
        bridge=god_service.bridge,
        lexicon=lexicon,
    )
    reply = await restarted.answering.answer(message(lexicon.glyph("then")))
    assert reply.glyphs == lexicon.glyph("dusk")
    await restarted.store.close()


async def test_history_forget_and_reveal(god_service: GodService) -> None:
    first = await god_service.answering.answer(message(SEED, mode="glyph"))
    revealed = await god_service.memory.reveal(first.message_id, message(""))
    assert revealed is not None and revealed.glyphs == SEED_ANSWER and revealed.text
    other_user = message("⚗⟁🔥", user_id="bob")
    await god_service.answering.answer(other_user)
    history = await god_service.memory.history(message(""), 5)
    assert [item.glyphs for item in history] == [SEED_ANSWER]
    assert await god_service.memory.forget(message("")) == 1
    assert await god_service.memory.history(message(""), 5) == []
    assert len(await god_service.memory.history(other_user, 5)) == 1
    assert await god_service.memory.reveal(first.message_id, message("")) is None


async def test_bad_input_never_raises(god_service: GodService) -> None:
    assert (await god_service.answering.answer(message("x" * 100_000))).kind == "too_long"
    assert (await god_service.answering.answer(message(""))).kind == "empty"
    assert (await god_service.answering.answer(message("\x00\x01\x02"))).kind == "empty"
    for text in ("\ud800 fire", "👨\u200d👩\u200d👧" * 50, "🜂" * 300, "ﷺ ∰ 漢字"):
        reply = await god_service.answering.answer(message(text))
        assert reply.kind in ("answer", "silence"), text


async def test_a_failing_model_fails_one_request(god_service: GodService) -> None:
    answer_batch = god_service.runner._answer_batch

    def flaky(requests):  # type: ignore[no-untyped-def]
        if any("alembic" in r.question for r in requests):
            raise RuntimeError("boom")
        return answer_batch(requests)

    god_service.runner._answer_batch = flaky
    broken, fine = await asyncio.gather(
        god_service.answering.answer(message("⚗⟁🔥")),
        god_service.answering.answer(message(SEED, user_id="bob")),
    )
    assert broken.kind == "error" and "went wrong" in (broken.text or "")
    assert fine.glyphs == SEED_ANSWER


async def test_a_locked_database_is_a_clear_answer(
    god_service: GodService, db_path: Path, migrated_db_url: str
) -> None:
    impatient = dataclasses.replace(god_service.settings)
    service = GodService(
        settings=impatient,
        store=SqlStore.from_url(migrated_db_url, busy_timeout_ms=200),
        runner=god_service.runner,
        bridge=god_service.bridge,
        lexicon=god_service.lexicon,
    )
    await service.answering.answer(message(SEED))
    holder = sqlite3.connect(db_path, timeout=0.1)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        reply = await asyncio.wait_for(service.answering.answer(message("⚗⟁🔥")), 30)
        assert reply.kind == "error" and "database" in (reply.text or "")
    finally:
        holder.rollback()
        holder.close()
    assert (await service.answering.answer(message(SEED))).glyphs == SEED_ANSWER, (
        "the bot keeps running"
    )
    await service.store.close()


class CountingStore(SqlStore):
    """The real store, counting how many conversations each cold-path transaction opens."""

    def __init__(self, url: str) -> None:
        super().__init__(create_engine(url), owns_engine=True)
        self.opened: list[int] = []

    async def open_conversations(self, keys):  # type: ignore[no-untyped-def]
        self.opened.append(len(keys))
        return await super().open_conversations(keys)


async def test_new_chats_arriving_together_share_one_store_transaction(
    god_service: GodService, migrated_db_url: str
) -> None:
    store = CountingStore(migrated_db_url)
    service = GodService(
        settings=god_service.settings,
        store=store,
        runner=god_service.runner,
        bridge=god_service.bridge,
        lexicon=god_service.lexicon,
    )
    opened = store.opened
    replies = await asyncio.gather(
        *(
            service.answering.answer(message(SEED, chat_id=f"chat{i}", user_id=f"u{i}"))
            for i in range(40)
        )
    )
    assert all(reply.glyphs == SEED_ANSWER for reply in replies)
    assert sum(opened) == 40 and len(opened) <= 2  # the first may go alone
    counts = await count_rows(migrated_db_url)
    assert (counts.chats, counts.users, counts.user_messages, counts.god_messages) == (
        40,
        40,
        40,
        40,
    )
    # Known chats are answered from memory: no more conversation loads.
    await asyncio.gather(
        *(
            service.answering.answer(message(SEED, chat_id=f"chat{i}", user_id=f"u{i}"))
            for i in range(40)
        )
    )
    assert sum(opened) == 40
    await service.close()  # the store too


async def test_a_changed_setting_reaches_the_next_answer(god_service: GodService) -> None:
    private = message(SEED, chat_kind="private")
    assert (await god_service.answering.answer(private)).mode == "translate"
    await god_service.chats.mode_setting(private, "glyph")
    assert (await god_service.answering.answer(private)).mode == "glyph"
    await god_service.chats.language_setting(private, "ru")
    reply = await god_service.answering.answer(dataclasses.replace(private, mode="translate"))
    assert (
        reply.language == "ru" and reply.text and reply.text[0] in "АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЭЮЯ"
    )
