"""``SqlStore``: the ConversationStore on any SQLAlchemy async database.

Every method is one short transaction, committed before it returns, and runs through
``core.storage.errors.retrying``: a lost connection or a serialization failure runs the
transaction again on a fresh connection, and whatever fails for good leaves as a
StoreError, never as a driver exception.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from types import TracebackType
from typing import Literal, Self, TypeVar

from sqlalchemy import and_, delete, insert, select, update
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from core.storage import conversations, erasure
from core.storage.engine import DEFAULT_BUSY_TIMEOUT_MS, create_engine, session_factory
from core.storage.errors import DEFAULT_RETRIES, commit_once, retrying
from core.storage.models import ChannelOverride, Chat, Message, User
from core.storage.records import (
    ChatRecord,
    ChatSettings,
    Conversation,
    ConversationKey,
    Exchange,
    MessageRecord,
    NewMessage,
    StoreError,
    UserRecord,
)
from core.storage.rows import (
    chat_record,
    check_choice,
    message_record,
    row_id,
    user_record,
)
from core.types import LANGUAGES, MODES, ChatKind, LanguageSetting, Mode

logger = logging.getLogger(__name__)

T = TypeVar("T")

CHAT_KINDS: tuple[ChatKind, ...] = ("private", "group", "channel")
LANGUAGE_SETTINGS: tuple[LanguageSetting, ...] = ("ru", "en", "auto")


class SqlStore:
    """A ConversationStore on any SQLAlchemy async database (SQLite by default).

    Every method is its own short transaction, committed before it returns, so a
    question is durable before the god starts thinking about it.
    """

    def __init__(
        self,
        bind: AsyncEngine | async_sessionmaker[AsyncSession],
        *,
        owns_engine: bool = False,
        retries: int = DEFAULT_RETRIES,
        delete_batch: int = erasure.DELETE_BATCH,
    ) -> None:
        """Use an engine (disposed by ``close`` only if ``owns_engine``) or a session factory.

        ``retries`` bounds how often one call runs its transaction again after a failure
        that cannot have changed anything (see ``core.storage.errors``).
        """
        if retries < 0:
            raise ValueError("retries must not be negative")
        if isinstance(bind, AsyncEngine):
            self._engine: AsyncEngine | None = bind
            self._sessions = session_factory(bind)
        else:
            self._engine = None
            self._sessions = bind
        self._owns_engine = owns_engine and self._engine is not None
        self._retries = retries
        self.delete_batch = delete_batch  # questions per transaction of a bulk delete

    @classmethod
    def from_url(
        cls,
        url: str | URL,
        *,
        busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS,
        pool_size: int | None = None,
        pool_pre_ping: bool = True,
        retries: int = DEFAULT_RETRIES,
        delete_batch: int = erasure.DELETE_BATCH,
        **engine_kwargs: object,
    ) -> SqlStore:
        """A store with its own engine for ``url`` (which must already be migrated)."""
        engine = create_engine(
            url,
            busy_timeout_ms=busy_timeout_ms,
            pool_size=pool_size,
            pool_pre_ping=pool_pre_ping,
            **engine_kwargs,
        )
        return cls(engine, owns_engine=True, retries=retries, delete_batch=delete_batch)

    @property
    def sessions(self) -> async_sessionmaker[AsyncSession]:
        """The store's session factory, for stores of other tables on the same database."""
        return self._sessions

    @property
    def retries(self) -> int:
        """How often a transaction is retried after a retryable failure."""
        return self._retries

    @property
    def url(self) -> URL:
        """The database's URL, for what needs a connection of its own (locks, notices)."""
        bind = self._engine or self._sessions.kw.get("bind")
        if not isinstance(bind, AsyncEngine):
            raise StoreError("this store was given sessions without an engine: no URL")
        return bind.url

    async def close(self) -> None:
        """Dispose of the engine if this store created it."""
        if self._owns_engine and self._engine is not None:
            await self._engine.dispose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    def _run(self, action: str, work: Callable[[], Awaitable[T]]) -> Awaitable[T]:
        return retrying(action, work, retries=self._retries)

    # -- chats and users -------------------------------------------------------------

    async def ensure_chat(
        self, platform: str, external_id: str, kind: ChatKind, title: str | None = None
    ) -> ChatRecord:
        """The stored chat, created on first sight; kind and a given title are kept current."""
        check_choice(kind, CHAT_KINDS, "chat kind")

        async def work() -> ChatRecord:
            async with self._sessions() as session:
                chat = await conversations.find_chat(session, platform, external_id)
                if chat is None:
                    chat = Chat(
                        platform=platform,
                        external_id=external_id,
                        kind=kind,
                        title=title,
                        language="auto",
                    )
                    if await conversations.insert_new(session, chat):
                        return chat_record(chat)
                    # Another connection created it between our read and our insert.
                    chat = await conversations.find_chat(session, platform, external_id)
                    if chat is None:
                        raise StoreError(f"chat {platform}:{external_id} vanished while stored")
                changed = False
                if chat.kind != kind:
                    chat.kind, changed = kind, True
                if title is not None and chat.title != title:
                    chat.title, changed = title, True
                if changed:
                    await session.commit()
                return chat_record(chat)

        return await self._run("store the chat", work)

    async def ensure_user(
        self,
        platform: str,
        external_id: str,
        name: str | None = None,
        language_code: str | None = None,
    ) -> UserRecord:
        """The stored user, created on first sight; a given name/language is kept current."""

        async def work() -> UserRecord:
            async with self._sessions() as session:
                user = await conversations.find_user(session, platform, external_id)
                if user is None:
                    user = User(
                        platform=platform,
                        external_id=external_id,
                        name=name,
                        language_code=language_code,
                    )
                    if await conversations.insert_new(session, user):
                        return user_record(user)
                    user = await conversations.find_user(session, platform, external_id)
                    if user is None:
                        raise StoreError(f"user {platform}:{external_id} vanished while stored")
                changed = False
                if name is not None and user.name != name:
                    user.name, changed = name, True
                if language_code is not None and user.language_code != language_code:
                    user.language_code, changed = language_code, True
                if changed:
                    await session.commit()
                return user_record(user)

        return await self._run("store the user", work)

    # -- conversations ---------------------------------------------------------------

    async def open_conversations(self, keys: Sequence[ConversationKey]) -> list[Conversation]:
        """For each key: its chat and user (created on first sight, kept current), the
        chat's settings with the channel's override, and the chat's last exchange; all in
        one transaction, in the keys' order."""
        if not keys:
            return []
        for key in keys:
            check_choice(key.chat_kind, CHAT_KINDS, "chat kind")

        async def once() -> list[Conversation]:
            async with self._sessions.begin() as session:
                return await conversations.open_conversations(session, keys)

        async def work() -> list[Conversation]:
            try:
                return await once()
            except sa_exc.IntegrityError:
                # Another connection created one of the rows between our read and our
                # insert; the second attempt finds it.
                return await once()

        return await self._run("open the conversation", work)

    # -- settings --------------------------------------------------------------------

    async def get_chat_settings(
        self, platform: str, chat_external_id: str, channel_external_id: str | None = None
    ) -> ChatSettings:
        """The chat's mode, the channel's override and the language; defaults if unknown."""
        stmt = select(Chat.default_mode, Chat.language).where(
            Chat.platform == platform, Chat.external_id == chat_external_id
        )
        if channel_external_id is not None:
            stmt = stmt.add_columns(ChannelOverride.mode).outerjoin(
                ChannelOverride,
                and_(
                    ChannelOverride.chat_id == Chat.id,
                    ChannelOverride.channel_external_id == channel_external_id,
                ),
            )

        async def work() -> ChatSettings:
            async with self._sessions() as session:
                row = (await session.execute(stmt)).one_or_none()
            if row is None:
                return ChatSettings()
            return ChatSettings(
                default_mode=row[0],
                channel_mode=row[2] if channel_external_id is not None else None,
                language=row[1],
            )

        return await self._run("read the chat settings", work)

    async def _update_chat(
        self, action: str, platform: str, chat_external_id: str, **values: object
    ) -> None:
        async def work() -> None:
            async with self._sessions.begin() as session:
                chat_id = await conversations.chat_id(session, platform, chat_external_id)
                await session.execute(update(Chat).where(Chat.id == chat_id).values(**values))

        await self._run(action, work)

    async def set_chat_mode(self, platform: str, chat_external_id: str, mode: Mode | None) -> None:
        """Set the chat's default mode; None goes back to the configured default."""
        if mode is not None:
            check_choice(mode, MODES, "mode")
        await self._update_chat("set the chat mode", platform, chat_external_id, default_mode=mode)

    async def set_channel_mode(
        self,
        platform: str,
        chat_external_id: str,
        channel_external_id: str,
        mode: Mode | None,
    ) -> None:
        """Set one channel's mode; None removes the override."""
        if mode is not None:
            check_choice(mode, MODES, "mode")

        async def work() -> None:
            async with self._sessions.begin() as session:
                chat_id = await conversations.chat_id(session, platform, chat_external_id)
                # Delete, then insert, in one transaction. SQLite serialises writers; on
                # PostgreSQL two callers may both insert, and the one that loses the unique
                # key runs once more (then deleting the winner's row, inserting its own).
                await session.execute(
                    delete(ChannelOverride).where(
                        ChannelOverride.chat_id == chat_id,
                        ChannelOverride.channel_external_id == channel_external_id,
                    )
                )
                if mode is not None:
                    session.add(
                        ChannelOverride(
                            chat_id=chat_id, channel_external_id=channel_external_id, mode=mode
                        )
                    )

        async def twice() -> None:
            try:
                await work()
            except sa_exc.IntegrityError:
                await work()

        await self._run("set the channel mode", twice)

    async def set_chat_language(
        self, platform: str, chat_external_id: str, language: LanguageSetting
    ) -> None:
        """Set the language of the chat's translated voice."""
        check_choice(language, LANGUAGE_SETTINGS, "language")
        await self._update_chat(
            "set the chat language", platform, chat_external_id, language=language
        )

    # -- messages --------------------------------------------------------------------

    async def add_messages(self, messages: Sequence[NewMessage]) -> list[int]:
        """Store many messages in one transaction (group commit); ids in the same order."""
        if not messages:
            return []
        for message in messages:
            check_choice(message.mode, MODES, "mode")
            check_choice(message.role, ("user", "god"), "role")
            if message.language is not None:
                check_choice(message.language, LANGUAGES, "language")
        rows = [
            {
                "chat_id": m.chat_id,
                "user_id": m.user_id,
                "role": m.role,
                "text": m.text,
                "glyphs": m.glyphs,
                "mode": m.mode,
                "language": m.language,
                "reply_to_id": m.reply_to_id,
                "external_message_id": m.external_message_id,
                "thread_external_id": m.thread,
            }
            for m in messages
        ]
        table = Message.__table__

        async def work() -> list[int]:
            async with self._sessions() as session:
                sqlite = session.get_bind().dialect.name == "sqlite"
                # Core executemany, not the ORM's: SQLAlchemy batches it into multi-row
                # INSERTs. On PostgreSQL sort_by_parameter_order keeps those batches and
                # returns the ids in the rows' order (INSERT ... SELECT ... ORDER BY, whose
                # RETURNING order is otherwise arbitrary). On SQLite it would fall back to
                # one statement per row (10x slower for a group commit of 64); there the
                # rowids are allocated in insertion order by the single writer, so the
                # sorted ids are the rows' ids in order.
                statement = insert(table).returning(table.c.id, sort_by_parameter_order=not sqlite)
                result = await session.execute(statement, rows)
                ids = list(result.scalars())
                # The insert is not idempotent: a commit whose answer was lost is not retried.
                await commit_once(session, "store messages")
            return sorted(ids) if sqlite else ids

        return await self._run("store messages", work)

    async def _update_message(self, action: str, message_id: int, **values: object) -> bool:
        stmt = update(Message).where(Message.id == message_id).values(**values)

        async def work() -> bool:
            async with self._sessions.begin() as session:
                result = await session.execute(stmt)
            return bool(result.rowcount)

        return await self._run(action, work)

    async def set_external_id(self, message_id: int, external_message_id: str) -> bool:
        """Remember the platform's id of a sent message; False if the row is gone."""
        return (await self.set_external_ids([(message_id, external_message_id)]))[0]

    async def set_external_ids(self, sent: Sequence[tuple[int, str]]) -> list[bool]:
        """Remember the platform's ids of many sent messages in one transaction (a group
        commit of the replies that went out together); False where the row is gone."""
        if not sent:
            return []

        async def work() -> list[bool]:
            found: list[bool] = []
            async with self._sessions.begin() as session:
                for message_id, external_id in sent:
                    result = await session.execute(
                        update(Message)
                        .where(Message.id == message_id)
                        .values(external_message_id=external_id)
                    )
                    found.append(bool(result.rowcount))  # type: ignore[attr-defined]
            return found

        return await self._run("store the sent message ids", work)

    async def get_message(self, message_id: int) -> MessageRecord | None:
        """One message by id."""

        async def work() -> MessageRecord | None:
            async with self._sessions() as session:
                message = await session.get(Message, message_id)
                return None if message is None else message_record(message)

        return await self._run("read the message", work)

    async def find_by_external_id(
        self, chat: ChatRecord | int, external_message_id: str
    ) -> MessageRecord | None:
        """The newest message of the chat with this platform message id."""
        stmt = (
            select(Message)
            .where(
                Message.chat_id == row_id(chat), Message.external_message_id == external_message_id
            )
            .order_by(Message.id.desc())
            .limit(1)
        )

        async def work() -> MessageRecord | None:
            async with self._sessions() as session:
                message = (await session.execute(stmt)).scalar_one_or_none()
                return None if message is None else message_record(message)

        return await self._run("look the message up", work)

    async def find_question(
        self, chat: ChatRecord | int, external_message_id: str
    ) -> Exchange | None:
        """The question a platform message asked in a chat, with the god's answer if any."""

        async def work() -> Exchange | None:
            async with self._sessions() as session:
                return await conversations.question(session, row_id(chat), external_message_id)

        return await self._run("find a question", work)

    async def recent_exchanges(
        self,
        chat: ChatRecord | int,
        user: UserRecord | int | None = None,
        limit: int = 10,
        *,
        thread: str | Literal["any"] | None = "any",
    ) -> list[Exchange]:
        """The last ``limit`` exchanges of the chat (or of one user in it, or of one
        conversation in it: ``thread``, None for the chat itself), oldest first."""
        if limit <= 0:
            return []
        stmt = select(Message).where(Message.chat_id == row_id(chat), Message.role == "user")
        if user is not None:
            stmt = stmt.where(Message.user_id == row_id(user))
        if thread != "any":
            stmt = stmt.where(conversations.in_thread(thread))
        stmt = stmt.order_by(Message.id.desc()).limit(limit)

        async def work() -> list[Exchange]:
            async with self._sessions() as session:
                questions = list((await session.execute(stmt)).scalars())
                questions.reverse()
                answers = await conversations.latest_answers(session, [q.id for q in questions])
                return [
                    Exchange(
                        question=message_record(q),
                        answer=message_record(answers[q.id]) if q.id in answers else None,
                    )
                    for q in questions
                ]

        return await self._run("read the history", work)

    async def forget(self, chat: ChatRecord | int, user: UserRecord | int) -> int:
        """Delete a user's questions in a chat and the god's answers, ``delete_batch``
        questions per transaction (``core.storage.erasure``); returns how many."""
        chat_id, user_id = row_id(chat), row_id(user)
        forgotten = await erasure.forget_in_chat(
            self._sessions, chat_id, user_id, batch=self.delete_batch, retries=self._retries
        )
        logger.info("forgot %d exchanges of user %d in chat %d", forgotten, user_id, chat_id)
        return forgotten
