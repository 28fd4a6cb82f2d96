"""Round trips through SqlStore on a real, migrated database: SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import UTC

import pytest

from core.storage import (
    ChatSettings,
    ConversationStore,
    SqlStore,
    UnknownChatError,
    create_engine,
    migrate,
    open_store,
    session_factory,
)
from core.storage.records import ChatRecord, ConversationKey, NewMessage, UserRecord
from tests.storage.helpers import add_answer, add_question, count_rows


async def chat_and_user(
    store: SqlStore, chat: str = "chat-1", user: str = "user-1"
) -> tuple[ChatRecord, UserRecord]:
    return (
        await store.ensure_chat("telegram", chat, "group", title="Temple"),
        await store.ensure_user("telegram", user, name="Ada", language_code="en"),
    )


async def exchange(
    store: SqlStore, chat: ChatRecord, user: UserRecord, text: str, answer: str | None = "⟁"
) -> tuple[int, int | None]:
    question = await add_question(store, chat, user, text)
    if answer is None:
        return question, None
    return question, await add_answer(store, chat, question, answer)


def test_store_is_a_conversation_store(store: SqlStore) -> None:
    assert isinstance(store, ConversationStore)


async def test_ensure_chat_is_idempotent_and_keeps_the_title_current(
    store: SqlStore, migrated_store_url: str
) -> None:
    first = await store.ensure_chat("telegram", "-100", "group", title="Old")
    again = await store.ensure_chat("telegram", "-100", "group")
    renamed = await store.ensure_chat("telegram", "-100", "group", title="New")
    other_platform = await store.ensure_chat("discord", "-100", "group")

    assert first.id == again.id == renamed.id != other_platform.id
    assert (again.title, renamed.title) == ("Old", "New")
    assert first.default_mode is None and first.language == "auto"
    assert first.created_at.tzinfo is UTC
    assert renamed.updated_at >= first.updated_at
    assert (await count_rows(migrated_store_url)).chats == 2
    with pytest.raises(ValueError, match="chat kind"):
        await store.ensure_chat("telegram", "x", "supergroup")  # type: ignore[arg-type]


async def test_ensure_user_is_idempotent(store: SqlStore, migrated_store_url: str) -> None:
    first = await store.ensure_user("discord", "42", name="Ada", language_code="ru")
    again = await store.ensure_user("discord", "42")
    renamed = await store.ensure_user("discord", "42", name="Ada L.")

    assert first.id == again.id == renamed.id
    assert (again.name, again.language_code) == ("Ada", "ru")
    assert (renamed.name, renamed.language_code) == ("Ada L.", "ru")
    assert (await count_rows(migrated_store_url)).users == 1


async def test_ensure_is_race_safe_across_engines(migrated_store_url: str) -> None:
    stores = [SqlStore.from_url(migrated_store_url) for _ in range(4)]
    try:
        chats = await asyncio.gather(
            *(s.ensure_chat("telegram", "race", "private") for s in stores for _ in range(3))
        )
        users = await asyncio.gather(
            *(s.ensure_user("telegram", "racer", name="R") for s in stores for _ in range(3))
        )
        assert len({c.id for c in chats}) == 1
        assert len({u.id for u in users}) == 1
        counts = await count_rows(migrated_store_url)
        assert (counts.chats, counts.users) == (1, 1)
    finally:
        for store in stores:
            await store.close()


async def test_settings_precedence(store: SqlStore, migrated_store_url: str) -> None:
    assert await store.get_chat_settings("discord", "nowhere", "c1") == ChatSettings()
    await store.ensure_chat("discord", "guild", "group", title="Guild")

    settings = await store.get_chat_settings("discord", "guild", "c1")
    assert settings == ChatSettings(default_mode=None, channel_mode=None, language="auto")
    assert settings.effective_mode("translate") == "translate"

    await store.set_chat_mode("discord", "guild", "glyph")
    await store.set_channel_mode("discord", "guild", "c1", "translate")
    await store.set_channel_mode("discord", "guild", "c1", "translate")  # idempotent
    await store.set_chat_language("discord", "guild", "ru")

    c1 = await store.get_chat_settings("discord", "guild", "c1")
    c2 = await store.get_chat_settings("discord", "guild", "c2")
    server = await store.get_chat_settings("discord", "guild")
    assert c1 == ChatSettings(default_mode="glyph", channel_mode="translate", language="ru")
    assert c1.effective_mode("glyph") == "translate"
    assert c2 == ChatSettings(default_mode="glyph", channel_mode=None, language="ru")
    assert c2.effective_mode("translate") == "glyph"
    assert server.channel_mode is None and server.default_mode == "glyph"
    assert (await count_rows(migrated_store_url)).channel_overrides == 1

    await store.set_channel_mode("discord", "guild", "c1", None)
    await store.set_chat_mode("discord", "guild", None)
    cleared = await store.get_chat_settings("discord", "guild", "c1")
    assert cleared == ChatSettings(default_mode=None, channel_mode=None, language="ru")
    assert cleared.effective_mode("translate") == "translate"
    assert (await count_rows(migrated_store_url)).channel_overrides == 0


async def test_settings_errors(store: SqlStore) -> None:
    with pytest.raises(UnknownChatError):
        await store.set_chat_mode("telegram", "never-seen", "glyph")
    with pytest.raises(UnknownChatError):
        await store.set_channel_mode("discord", "never-seen", "c", "glyph")
    await store.ensure_chat("telegram", "1", "private")
    with pytest.raises(ValueError, match="mode"):
        await store.set_chat_mode("telegram", "1", "loud")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="language"):
        await store.set_chat_language("telegram", "1", "de")  # type: ignore[arg-type]


async def test_question_is_committed_before_any_answer(
    store: SqlStore, migrated_store_url: str
) -> None:
    chat, user = await chat_and_user(store)
    question_id = await add_question(store, chat, user, "огонь и время", "🜂⧖", "glyph", "ru")

    async with SqlStore.from_url(migrated_store_url) as other:  # a second engine
        seen = await other.get_message(question_id)
        history = await other.recent_exchanges(chat, user, limit=5)
    assert seen is not None
    assert (seen.role, seen.text, seen.glyphs, seen.language) == (
        "user",
        "огонь и время",
        "🜂⧖",
        "ru",
    )
    assert seen.user_id == user.id and seen.reply_to_id is None
    assert seen.created_at.tzinfo is UTC
    assert [(e.question.id, e.answer) for e in history] == [(question_id, None)]


async def test_god_message_round_trip(store: SqlStore) -> None:
    chat, user = await chat_and_user(store)
    question_id = await add_question(store, chat, user, "🜂⧖🕯", "🜂⧖🕯", "glyph", None)
    answer_id = await add_answer(
        store, chat.id, question_id, "⟁☰☉⚭", "growth, law, sun, unity", "translate", "en"
    )
    answer = await store.get_message(answer_id)
    assert answer is not None
    assert (answer.role, answer.user_id, answer.reply_to_id) == ("god", None, question_id)
    assert (answer.glyphs, answer.text, answer.mode, answer.language) == (
        "⟁☰☉⚭",
        "growth, law, sun, unity",
        "translate",
        "en",
    )
    assert await store.get_message(10_000) is None
    with pytest.raises(ValueError, match="language"):
        await add_answer(store, chat, question_id, "⟁", None, "glyph", "fr")  # type: ignore[arg-type]


async def test_recent_exchanges_order_and_limit(store: SqlStore) -> None:
    chat, ada = await chat_and_user(store)
    bob = await store.ensure_user("telegram", "user-2", name="Bob")
    ids = []
    for i, who in enumerate([ada, bob, ada, bob, ada]):
        ids.append(await exchange(store, chat, who, f"q{i}", answer=f"a{i}"))
    last_question, _ = await exchange(store, chat, bob, "q5", answer=None)

    chat_last3 = await store.recent_exchanges(chat, limit=3)
    assert [e.question.text for e in chat_last3] == ["q3", "q4", "q5"]
    assert [e.answer.glyphs if e.answer else None for e in chat_last3] == ["a3", "a4", None]
    assert chat_last3[-1].question.id == last_question

    context = await store.recent_exchanges(chat, limit=1)
    assert [e.question.text for e in context] == ["q5"]

    ada_history = await store.recent_exchanges(chat, ada, limit=10)
    assert [e.question.text for e in ada_history] == ["q0", "q2", "q4"]
    assert all(e.answer and e.answer.reply_to_id == e.question.id for e in ada_history)
    assert [e.question.text for e in await store.recent_exchanges(chat, bob.id, 2)] == [
        "q3",
        "q5",
    ]
    assert await store.recent_exchanges(chat, limit=0) == []


async def test_question_answered_twice_shows_latest_answer(store: SqlStore) -> None:
    chat, user = await chat_and_user(store)
    question_id, _ = await exchange(store, chat, user, "q", answer="first")
    await add_answer(store, chat, question_id, "second")
    [only] = await store.recent_exchanges(chat, user)
    assert only.answer is not None and only.answer.glyphs == "second"


async def test_forget_deletes_only_that_user_in_that_chat(
    store: SqlStore, migrated_store_url: str
) -> None:
    temple, ada = await chat_and_user(store, chat="temple")
    garden = await store.ensure_chat("telegram", "garden", "group")
    bob = await store.ensure_user("telegram", "bob")
    ada_q = [await exchange(store, temple, ada, f"ada{i}") for i in range(3)]
    await exchange(store, temple, ada, "unanswered", answer=None)
    bob_q = await exchange(store, temple, bob, "bob")
    garden_q = await exchange(store, garden, ada, "ada elsewhere")
    before = await count_rows(migrated_store_url)

    assert await store.forget(temple, ada) == 4
    after = await count_rows(migrated_store_url)
    assert before.user_messages - after.user_messages == 4
    assert before.god_messages - after.god_messages == 3
    for question, answer in ada_q:
        assert await store.get_message(question) is None
        assert answer is not None and await store.get_message(answer) is None
    for question, answer in (bob_q, garden_q):
        assert await store.get_message(question) is not None
        assert answer is not None and await store.get_message(answer) is not None
    assert await store.recent_exchanges(temple, ada) == []
    assert [e.question.text for e in await store.recent_exchanges(temple)] == ["bob"]
    assert [e.question.text for e in await store.recent_exchanges(garden, ada)] == ["ada elsewhere"]
    assert await store.forget(temple, ada) == 0


async def test_translation_and_external_ids(store: SqlStore) -> None:
    chat, user = await chat_and_user(store)
    other_chat = await store.ensure_chat("telegram", "other", "private")
    _question, answer = await exchange(store, chat, user, "⚗⟁🔥", answer="♁🜂🜍")
    assert answer is not None

    assert await store.set_external_id(answer, "777")
    found = await store.find_by_external_id(chat, "777")
    assert found is not None and found.id == answer and found.text is None
    assert await store.find_by_external_id(other_chat, "777") is None
    assert await store.find_by_external_id(chat, "778") is None

    user_row = await add_question(store, chat, user, "fire")
    assert await store.set_external_id(user_row, "5")
    found_user_row = await store.find_by_external_id(chat.id, "5")
    assert found_user_row is not None and found_user_row.id == user_row

    # A row deleted meanwhile (/forget racing a send) is reported, not raised.
    await store.forget(chat, user)
    assert not await store.set_external_id(answer, "779")


async def test_store_on_a_session_factory_leaves_the_engine_open(migrated_store_url: str) -> None:
    engine = create_engine(migrated_store_url)
    try:
        store = SqlStore(session_factory(engine))
        await store.ensure_chat("console", "local", "private")
        await store.close()
        async with engine.connect() as connection:
            count = await connection.exec_driver_sql("SELECT count(*) FROM chats")
            assert count.scalar_one() == 1
    finally:
        await engine.dispose()


async def test_open_store_migrates_a_fresh_database(store_url: str) -> None:
    url = store_url
    async with await open_store(url) as store:
        chat = await store.ensure_chat("console", "local", "private")
        assert (await store.get_chat_settings("console", "local")).language == "auto"
        assert chat.id > 0
    assert await migrate.current(url) == migrate.head()


# -- open_conversations: the core's cold path, many chats in one transaction -------------


def key(chat: str, user: str, **extra: object) -> ConversationKey:
    return ConversationKey("discord", chat, "group", user, **extra)  # type: ignore[arg-type]


async def test_open_conversations_creates_chats_and_users_once(
    store: SqlStore, migrated_store_url: str
) -> None:
    keys = [key("g1", "ada", user_name="Ada"), key("g1", "bob"), key("g2", "ada")]
    opened = await store.open_conversations(keys)
    again = await store.open_conversations(list(reversed(keys)))

    assert [c.chat.external_id for c in opened] == ["g1", "g1", "g2"]
    assert [c.user.external_id for c in opened] == ["ada", "bob", "ada"]
    assert opened[0].chat.id == opened[1].chat.id != opened[2].chat.id
    assert opened[0].user.id == opened[2].user.id and opened[0].user.name == "Ada"
    assert [c.chat.id for c in again] == [c.chat.id for c in reversed(opened)]
    counts = await count_rows(migrated_store_url)
    assert (counts.chats, counts.users) == (2, 2)
    assert opened[0].settings == ChatSettings() and opened[0].last_exchange is None
    assert await store.open_conversations([]) == []


async def test_open_conversations_agrees_with_the_single_calls(store: SqlStore) -> None:
    chat = await store.ensure_chat("discord", "guild", "group")
    await store.set_chat_mode("discord", "guild", "glyph")
    await store.set_chat_language("discord", "guild", "ru")
    await store.set_channel_mode("discord", "guild", "c1", "translate")
    user = await store.ensure_user("discord", "ada", name="Ada")
    answered, _ = await exchange(store, chat, user, "fire", answer="⟁")

    c1, c2, server = await store.open_conversations(
        [
            key("guild", "ada", channel_external_id="c1"),
            key("guild", "ada", channel_external_id="c2"),
            key("guild", "ada"),
        ]
    )
    assert c1.settings == await store.get_chat_settings("discord", "guild", "c1")
    assert c2.settings == await store.get_chat_settings("discord", "guild", "c2")
    assert server.settings == await store.get_chat_settings("discord", "guild")
    assert c1.settings.effective_mode("translate") == "translate"
    assert c2.settings.effective_mode("translate") == "glyph"
    assert server.settings.language == "ru"
    last = c1.last_exchange
    assert last is not None and last.answer is not None
    assert (last.question.id, last.answer.glyphs) == (answered, "⟁")
    assert last == (await store.recent_exchanges(chat, None, limit=1))[-1]


async def test_an_unanswered_last_question_is_no_context(store: SqlStore) -> None:
    chat, user = await chat_and_user(store)
    await exchange(store, chat, user, "fire", answer="⟁")
    await exchange(store, chat, user, "water", answer=None)
    (opened,) = await store.open_conversations(
        [ConversationKey("telegram", "chat-1", "group", "user-1")]
    )
    assert opened.last_exchange is None


async def test_open_conversations_keeps_kind_and_user_current(store: SqlStore) -> None:
    await store.ensure_chat("discord", "g", "private")
    await store.ensure_user("discord", "ada", name="Ada", language_code="ru")
    (opened,) = await store.open_conversations(
        [key("g", "ada", user_name="Ada L.", language_code="en")]
    )
    assert opened.chat.kind == "group"
    assert (opened.user.name, opened.user.language_code) == ("Ada L.", "en")
    (unchanged,) = await store.open_conversations([key("g", "ada")])
    assert (unchanged.user.name, unchanged.user.language_code) == ("Ada L.", "en")
    with pytest.raises(ValueError, match="chat kind"):
        await store.open_conversations(
            [ConversationKey("discord", "g", "supergroup", "ada")]  # type: ignore[arg-type]
        )


async def test_open_conversations_is_race_safe_across_engines(migrated_store_url: str) -> None:
    stores = [SqlStore.from_url(migrated_store_url) for _ in range(4)]
    try:
        opened = await asyncio.gather(
            *(s.open_conversations([key("race", "r1"), key("race", "r2")]) for s in stores)
        )
        assert len({c.chat.id for batch in opened for c in batch}) == 1
        assert len({c.user.id for batch in opened for c in batch}) == 2
        counts = await count_rows(migrated_store_url)
        assert (counts.chats, counts.users) == (1, 2)
    finally:
        for store in stores:
            await store.close()


async def test_add_messages_returns_the_ids_in_the_given_order(store: SqlStore) -> None:
    chat, user = await chat_and_user(store)
    # 70 rows: more than one multi-row INSERT batch on SQLite (its bind-parameter limit).
    messages = [
        NewMessage(chat.id, user.id, "user", f"question {i}", "🜂", "glyph", "en") for i in range(70)
    ]
    ids = await store.add_messages(messages)
    assert len(set(ids)) == 70
    for message_id, message in zip(ids, messages, strict=True):
        stored = await store.get_message(message_id)
        assert stored is not None and stored.text == message.text
    # Answers in one batch point at their questions by the returned ids.
    answers = [
        NewMessage(chat.id, None, "god", None, f"a{i}", "glyph", None, reply_to_id=question)
        for i, question in enumerate(ids)
    ]
    await store.add_messages(answers)
    history = await store.recent_exchanges(chat, user, limit=70)
    assert [(e.question.text, e.answer and e.answer.glyphs) for e in history] == [
        (f"question {i}", f"a{i}") for i in range(70)
    ]
    assert await store.add_messages([]) == []
