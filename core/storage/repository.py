"""The conversation store: the seam the inference core talks to, and its SQL implementation."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from types import TracebackType
from typing import Any, Literal, Protocol, Self, cast, runtime_checkable

from sqlalchemy import and_, delete, func, insert, select, tuple_, update
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.sql import ColumnElement

from core.storage import migrate
from core.storage.engine import DEFAULT_BUSY_TIMEOUT_MS, create_engine, session_factory
from core.storage.models import ChannelOverride, Chat, Message, User
from core.storage.records import (
    ChatRecord,
    ChatSettings,
    Conversation,
    ConversationKey,
    Exchange,
    MessageRecord,
    NewMessage,
    StoreCounts,
    StoreError,
    UnknownChatError,
    UserRecord,
)
from core.types import LANGUAGES, MODES, ChatKind, Language, LanguageSetting, Mode, Role

logger = logging.getLogger(__name__)

CHAT_KINDS: tuple[ChatKind, ...] = ("private", "group", "channel")
LANGUAGE_SETTINGS: tuple[LanguageSetting, ...] = ("ru", "en", "auto")


@runtime_checkable
class ConversationStore(Protocol):
    """Chats, users, their settings and the stored exchanges with the god."""

    async def ensure_chat(
        self, platform: str, external_id: str, kind: ChatKind, title: str | None = None
    ) -> ChatRecord:
        """The stored chat, created on first sight; kind and a given title are kept current."""
        ...

    async def ensure_user(
        self,
        platform: str,
        external_id: str,
        name: str | None = None,
        language_code: str | None = None,
    ) -> UserRecord:
        """The stored user, created on first sight; a given name/language is kept current."""
        ...

    async def get_chat_settings(
        self, platform: str, chat_external_id: str, channel_external_id: str | None = None
    ) -> ChatSettings:
        """The chat's mode, the channel's override and the language; defaults if unknown."""
        ...

    async def open_conversations(self, keys: Sequence[ConversationKey]) -> list[Conversation]:
        """For each key: its chat and user (created on first sight, kept current), the
        chat's settings with the channel's override, and the chat's last exchange; all in
        one transaction, in the keys' order."""
        ...

    async def set_chat_mode(self, platform: str, chat_external_id: str, mode: Mode | None) -> None:
        """Set the chat's default mode; None goes back to the configured default."""
        ...

    async def set_channel_mode(
        self,
        platform: str,
        chat_external_id: str,
        channel_external_id: str,
        mode: Mode | None,
    ) -> None:
        """Set one channel's mode; None removes the override."""
        ...

    async def set_chat_language(
        self, platform: str, chat_external_id: str, language: LanguageSetting
    ) -> None:
        """Set the language of the chat's translated voice."""
        ...

    async def add_user_message(
        self,
        chat: ChatRecord | int,
        user: UserRecord | int,
        text: str | None,
        heard_glyphs: str | None,
        mode: Mode,
        language: Language | None,
        *,
        external_message_id: str | None = None,
    ) -> int:
        """Store a user's question and commit it; returns its id."""
        ...

    async def add_god_message(
        self,
        chat: ChatRecord | int,
        reply_to_id: int | None,
        glyphs: str | None,
        text: str | None,
        mode: Mode,
        language: Language | None,
        *,
        external_message_id: str | None = None,
    ) -> int:
        """Store the god's answer to question ``reply_to_id``; returns its id."""
        ...

    async def add_messages(self, messages: Sequence[NewMessage]) -> list[int]:
        """Store many messages in one transaction; their ids in the same order."""
        ...

    async def set_external_id(self, message_id: int, external_message_id: str) -> bool:
        """Remember the platform's id of a sent message; False if the row is gone."""
        ...

    async def set_translation(self, message_id: int, text: str, language: Language | None) -> bool:
        """Store the translated text of a message; False if the row is gone."""
        ...

    async def get_message(self, message_id: int) -> MessageRecord | None:
        """One message by id."""
        ...

    async def find_by_external_id(
        self, chat: ChatRecord | int, external_message_id: str
    ) -> MessageRecord | None:
        """The newest message of the chat with this platform message id."""
        ...

    async def find_question(
        self, chat: ChatRecord | int, external_message_id: str
    ) -> Exchange | None:
        """The question a platform message asked in a chat, with the god's answer if any."""
        ...

    async def recent_exchanges(
        self,
        chat: ChatRecord | int,
        user: UserRecord | int | None = None,
        limit: int = 10,
        *,
        thread: str | Literal["any"] | None = "any",
    ) -> list[Exchange]:
        """The last ``limit`` exchanges of the chat (or of one user, or one thread), oldest
        first."""
        ...

    async def forget(self, chat: ChatRecord | int, user: UserRecord | int) -> int:
        """Delete a user's questions in a chat and the god's answers; returns how many."""
        ...

    async def counts(self) -> StoreCounts:
        """Row counts, for diagnostics."""
        ...

    async def close(self) -> None:
        """Release the store's resources."""
        ...


def _check(value: object, allowed: Sequence[object], what: str) -> None:
    if value not in allowed:
        raise ValueError(f"{what} must be one of {', '.join(map(repr, allowed))}, not {value!r}")


def _id(obj: ChatRecord | UserRecord | int) -> int:
    return obj if isinstance(obj, int) else obj.id


def _store_error(action: str, error: sa_exc.SQLAlchemyError) -> StoreError:
    """Name what went wrong in words a log reader (and the service's reply) can use."""
    detail = str(getattr(error, "orig", None) or error)
    lowered = detail.lower()
    if isinstance(error, sa_exc.IntegrityError):
        return StoreError(f"cannot {action}: {detail}", kind="integrity")
    if isinstance(error, sa_exc.TimeoutError):
        return StoreError(f"cannot {action}: no free database connection ({detail})")
    if "locked" in lowered or "busy" in lowered:
        return StoreError(
            f"cannot {action}: the database is locked by another writer ({detail})", kind="locked"
        )
    if "readonly" in lowered or "read-only" in lowered or "read only" in lowered:
        return StoreError(
            f"cannot {action}: the database is read-only ({detail})", kind="read_only"
        )
    if "no such table" in lowered:
        return StoreError(
            f"cannot {action}: the database is not migrated; run `silentgod db upgrade` ({detail})"
        )
    return StoreError(f"cannot {action}: the database is unavailable ({detail})")


@contextmanager
def _errors(action: str) -> Iterator[None]:
    """Turn a database failure (locked, read-only, gone) into a StoreError."""
    try:
        yield
    except (sa_exc.OperationalError, sa_exc.IntegrityError, sa_exc.TimeoutError) as error:
        store_error = _store_error(action, error)
        logger.warning("%s", store_error)
        raise store_error from error


def _chat_record(chat: Chat) -> ChatRecord:
    return ChatRecord(
        id=chat.id,
        platform=chat.platform,
        external_id=chat.external_id,
        kind=cast(ChatKind, chat.kind),
        default_mode=cast(Mode | None, chat.default_mode),
        language=cast(LanguageSetting, chat.language),
        title=chat.title,
        created_at=chat.created_at,
        updated_at=chat.updated_at,
    )


def _user_record(user: User) -> UserRecord:
    return UserRecord(
        id=user.id,
        platform=user.platform,
        external_id=user.external_id,
        name=user.name,
        language_code=user.language_code,
        created_at=user.created_at,
    )


def _message_record(message: Message) -> MessageRecord:
    return MessageRecord(
        id=message.id,
        chat_id=message.chat_id,
        user_id=message.user_id,
        role=cast(Role, message.role),
        text=message.text,
        glyphs=message.glyphs,
        mode=cast(Mode, message.mode),
        language=cast(Language | None, message.language),
        reply_to_id=message.reply_to_id,
        external_message_id=message.external_message_id,
        created_at=message.created_at,
    )


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
    ) -> None:
        """Use an engine (disposed by ``close`` only if ``owns_engine``) or a session factory."""
        if isinstance(bind, AsyncEngine):
            self._engine: AsyncEngine | None = bind
            self._sessions = session_factory(bind)
        else:
            self._engine = None
            self._sessions = bind
        self._owns_engine = owns_engine and self._engine is not None

    @classmethod
    def from_url(
        cls,
        url: str | URL,
        *,
        busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS,
        **engine_kwargs: object,
    ) -> SqlStore:
        """A store with its own engine for ``url`` (which must already be migrated)."""
        engine = create_engine(url, busy_timeout_ms=busy_timeout_ms, **engine_kwargs)
        return cls(engine, owns_engine=True)

    @property
    def sessions(self) -> async_sessionmaker[AsyncSession]:
        """The store's session factory, for stores of other tables on the same database."""
        return self._sessions

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

    # -- chats and users -------------------------------------------------------------

    async def ensure_chat(
        self, platform: str, external_id: str, kind: ChatKind, title: str | None = None
    ) -> ChatRecord:
        """The stored chat, created on first sight; kind and a given title are kept current."""
        _check(kind, CHAT_KINDS, "chat kind")
        with _errors("store the chat"):
            async with self._sessions() as session:
                chat = await self._chat(session, platform, external_id)
                if chat is None:
                    chat = Chat(
                        platform=platform,
                        external_id=external_id,
                        kind=kind,
                        title=title,
                        language="auto",
                    )
                    if await self._insert_new(session, chat):
                        return _chat_record(chat)
                    # Another connection created it between our read and our insert.
                    chat = await self._chat(session, platform, external_id)
                    if chat is None:
                        raise StoreError(f"chat {platform}:{external_id} vanished while stored")
                changed = False
                if chat.kind != kind:
                    chat.kind, changed = kind, True
                if title is not None and chat.title != title:
                    chat.title, changed = title, True
                if changed:
                    await session.commit()
                return _chat_record(chat)

    async def ensure_user(
        self,
        platform: str,
        external_id: str,
        name: str | None = None,
        language_code: str | None = None,
    ) -> UserRecord:
        """The stored user, created on first sight; a given name/language is kept current."""
        with _errors("store the user"):
            async with self._sessions() as session:
                user = await self._user(session, platform, external_id)
                if user is None:
                    user = User(
                        platform=platform,
                        external_id=external_id,
                        name=name,
                        language_code=language_code,
                    )
                    if await self._insert_new(session, user):
                        return _user_record(user)
                    user = await self._user(session, platform, external_id)
                    if user is None:
                        raise StoreError(f"user {platform}:{external_id} vanished while stored")
                changed = False
                if name is not None and user.name != name:
                    user.name, changed = name, True
                if language_code is not None and user.language_code != language_code:
                    user.language_code, changed = language_code, True
                if changed:
                    await session.commit()
                return _user_record(user)

    @staticmethod
    async def _insert_new(session: AsyncSession, row: Chat | User) -> bool:
        """Insert ``row``; False (and a clean session) if a unique key says it exists."""
        session.add(row)
        try:
            await session.commit()
        except sa_exc.IntegrityError:
            await session.rollback()
            return False
        return True

    @staticmethod
    async def _chat(session: AsyncSession, platform: str, external_id: str) -> Chat | None:
        stmt = select(Chat).where(Chat.platform == platform, Chat.external_id == external_id)
        return (await session.execute(stmt)).scalar_one_or_none()

    @staticmethod
    async def _user(session: AsyncSession, platform: str, external_id: str) -> User | None:
        stmt = select(User).where(User.platform == platform, User.external_id == external_id)
        return (await session.execute(stmt)).scalar_one_or_none()

    async def _chat_id(self, session: AsyncSession, platform: str, external_id: str) -> int:
        stmt = select(Chat.id).where(Chat.platform == platform, Chat.external_id == external_id)
        chat_id = (await session.execute(stmt)).scalar_one_or_none()
        if chat_id is None:
            raise UnknownChatError(platform, external_id)
        return chat_id

    # -- conversations ---------------------------------------------------------------

    async def open_conversations(self, keys: Sequence[ConversationKey]) -> list[Conversation]:
        """For each key: its chat and user (created on first sight, kept current), the
        chat's settings with the channel's override, and the chat's last exchange; all in
        one transaction, in the keys' order."""
        if not keys:
            return []
        for key in keys:
            _check(key.chat_kind, CHAT_KINDS, "chat kind")
        with _errors("open the conversation"):
            try:
                return await self._open_conversations(keys)
            except sa_exc.IntegrityError:
                # Another connection created one of the rows between our read and our
                # insert; the second attempt finds it.
                return await self._open_conversations(keys)

    async def _open_conversations(self, keys: Sequence[ConversationKey]) -> list[Conversation]:
        async with self._sessions.begin() as session:
            chats = await self._ensure_chats(session, keys)
            users = await self._ensure_users(session, keys)
            overrides = await self._channel_modes(session, chats, keys)
            last = await self._last_exchanges(session, [chat.id for chat in chats.values()])
        conversations = []
        for key in keys:
            chat = chats[(key.platform, key.chat_external_id)]
            channel_mode = overrides.get((chat.id, key.channel_external_id))
            conversations.append(
                Conversation(
                    chat=chat,
                    user=users[(key.platform, key.user_external_id)],
                    settings=ChatSettings(chat.default_mode, channel_mode, chat.language),
                    last_exchange=last.get(chat.id),
                )
            )
        return conversations

    @staticmethod
    async def _find_or_insert(
        session: AsyncSession, model: type[Chat] | type[User], rows: dict[tuple[str, str], dict]
    ) -> dict[tuple[str, str], Any]:
        """The rows of ``model`` keyed by (platform, external id); missing ones inserted first."""
        which = tuple_(model.platform, model.external_id).in_(list(rows))

        async def stored() -> dict[tuple[str, str], Any]:
            found = await session.scalars(select(model).where(which))
            return {(row.platform, row.external_id): row for row in found}

        found = await stored()
        missing = [row for place, row in rows.items() if place not in found]
        if not missing:
            return found
        await session.execute(insert(model.__table__), missing)
        return await stored()

    async def _ensure_chats(
        self, session: AsyncSession, keys: Sequence[ConversationKey]
    ) -> dict[tuple[str, str], ChatRecord]:
        kinds = {(key.platform, key.chat_external_id): key.chat_kind for key in keys}
        rows = {
            (platform, external_id): {
                "platform": platform,
                "external_id": external_id,
                "kind": kind,
                "language": "auto",
            }
            for (platform, external_id), kind in kinds.items()
        }
        chats: dict[tuple[str, str], Chat] = await self._find_or_insert(session, Chat, rows)
        for place, kind in kinds.items():
            if chats[place].kind != kind:
                chats[place].kind = kind
        await session.flush()
        return {place: _chat_record(chat) for place, chat in chats.items()}

    async def _ensure_users(
        self, session: AsyncSession, keys: Sequence[ConversationKey]
    ) -> dict[tuple[str, str], UserRecord]:
        # A user named in several keys: the latest given name and language code win.
        latest: dict[tuple[str, str], tuple[str | None, str | None]] = {}
        for key in keys:
            place = (key.platform, key.user_external_id)
            name, language_code = latest.get(place, (None, None))
            latest[place] = (key.user_name or name, key.language_code or language_code)
        rows = {
            (platform, external_id): {
                "platform": platform,
                "external_id": external_id,
                "name": name,
                "language_code": language_code,
            }
            for (platform, external_id), (name, language_code) in latest.items()
        }
        users: dict[tuple[str, str], User] = await self._find_or_insert(session, User, rows)
        for place, (name, language_code) in latest.items():
            user = users[place]
            if name is not None and user.name != name:
                user.name = name
            if language_code is not None and user.language_code != language_code:
                user.language_code = language_code
        await session.flush()
        return {place: _user_record(user) for place, user in users.items()}

    @staticmethod
    async def _channel_modes(
        session: AsyncSession,
        chats: dict[tuple[str, str], ChatRecord],
        keys: Sequence[ConversationKey],
    ) -> dict[tuple[int, str | None], Mode]:
        places = {
            (chats[(key.platform, key.chat_external_id)].id, key.channel_external_id)
            for key in keys
            if key.channel_external_id is not None
        }
        if not places:
            return {}
        rows = await session.execute(
            select(
                ChannelOverride.chat_id, ChannelOverride.channel_external_id, ChannelOverride.mode
            ).where(
                tuple_(ChannelOverride.chat_id, ChannelOverride.channel_external_id).in_(
                    list(places)
                )
            )
        )
        return {(chat_id, channel): cast(Mode, mode) for chat_id, channel, mode in rows}

    @staticmethod
    async def _last_exchanges(session: AsyncSession, chat_ids: list[int]) -> dict[int, Exchange]:
        """Each chat's last question with its latest answer, if it was answered."""
        newest = (
            select(Message.id)
            .where(
                Message.chat_id == Chat.id,
                Message.role == "user",
                Message.thread_external_id.is_(None),
            )
            .order_by(Message.id.desc())
            .limit(1)
            .scalar_subquery()
        )
        question_ids = [
            question_id
            for question_id in await session.scalars(
                select(newest).select_from(Chat).where(Chat.id.in_(chat_ids))
            )
            if question_id is not None
        ]
        if not question_ids:
            return {}
        questions = await session.scalars(select(Message).where(Message.id.in_(question_ids)))
        answers = await session.scalars(
            select(Message)
            .where(Message.reply_to_id.in_(question_ids), Message.role == "god")
            .order_by(Message.id)
        )
        latest = {answer.reply_to_id: answer for answer in answers}
        return {
            question.chat_id: Exchange(
                question=_message_record(question),
                answer=_message_record(latest[question.id]),
            )
            for question in questions
            if question.id in latest
        }

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
        with _errors("read the chat settings"):
            async with self._sessions() as session:
                row = (await session.execute(stmt)).one_or_none()
        if row is None:
            return ChatSettings()
        return ChatSettings(
            default_mode=row[0],
            channel_mode=row[2] if channel_external_id is not None else None,
            language=row[1],
        )

    async def set_chat_mode(self, platform: str, chat_external_id: str, mode: Mode | None) -> None:
        """Set the chat's default mode; None goes back to the configured default."""
        if mode is not None:
            _check(mode, MODES, "mode")
        with _errors("set the chat mode"):
            async with self._sessions.begin() as session:
                chat_id = await self._chat_id(session, platform, chat_external_id)
                await session.execute(
                    update(Chat).where(Chat.id == chat_id).values(default_mode=mode)
                )

    async def set_channel_mode(
        self,
        platform: str,
        chat_external_id: str,
        channel_external_id: str,
        mode: Mode | None,
    ) -> None:
        """Set one channel's mode; None removes the override."""
        if mode is not None:
            _check(mode, MODES, "mode")
        with _errors("set the channel mode"):
            async with self._sessions.begin() as session:
                chat_id = await self._chat_id(session, platform, chat_external_id)
                # Delete, then insert, in one write transaction: no unique-key race.
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

    async def set_chat_language(
        self, platform: str, chat_external_id: str, language: LanguageSetting
    ) -> None:
        """Set the language of the chat's translated voice."""
        _check(language, LANGUAGE_SETTINGS, "language")
        with _errors("set the chat language"):
            async with self._sessions.begin() as session:
                chat_id = await self._chat_id(session, platform, chat_external_id)
                await session.execute(
                    update(Chat).where(Chat.id == chat_id).values(language=language)
                )

    # -- messages --------------------------------------------------------------------

    async def add_user_message(
        self,
        chat: ChatRecord | int,
        user: UserRecord | int,
        text: str | None,
        heard_glyphs: str | None,
        mode: Mode,
        language: Language | None,
        *,
        external_message_id: str | None = None,
    ) -> int:
        """Store a user's question and commit it; returns its id."""
        return await self._add_message(
            Message(
                chat_id=_id(chat),
                user_id=_id(user),
                role="user",
                text=text,
                glyphs=heard_glyphs,
                mode=mode,
                language=language,
                external_message_id=external_message_id,
            ),
            "store the question",
        )

    async def add_god_message(
        self,
        chat: ChatRecord | int,
        reply_to_id: int | None,
        glyphs: str | None,
        text: str | None,
        mode: Mode,
        language: Language | None,
        *,
        external_message_id: str | None = None,
    ) -> int:
        """Store the god's answer to question ``reply_to_id``; returns its id."""
        return await self._add_message(
            Message(
                chat_id=_id(chat),
                user_id=None,
                role="god",
                text=text,
                glyphs=glyphs,
                mode=mode,
                language=language,
                reply_to_id=reply_to_id,
                external_message_id=external_message_id,
            ),
            "store the answer",
        )

    async def add_messages(self, messages: Sequence[NewMessage]) -> list[int]:
        """Store many messages in one transaction (group commit); ids in the same order."""
        if not messages:
            return []
        for message in messages:
            _check(message.mode, MODES, "mode")
            _check(message.role, ("user", "god"), "role")
            if message.language is not None:
                _check(message.language, LANGUAGES, "language")
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
        # Core executemany, not the ORM's: SQLAlchemy batches it into multi-row INSERTs. With
        # sort_by_parameter_order it would fall back to one statement per row on SQLite (10x
        # slower for a group commit of 64). RETURNING order is arbitrary in SQLite, but rowids
        # are allocated in insertion order, so the sorted ids are the rows' ids in order.
        statement = insert(Message.__table__).returning(Message.__table__.c.id)
        with _errors("store messages"):
            async with self._sessions.begin() as session:
                result = await session.execute(statement, rows)
                return sorted(result.scalars())

    async def _add_message(self, message: Message, action: str) -> int:
        _check(message.mode, MODES, "mode")
        if message.language is not None:
            _check(message.language, LANGUAGES, "language")
        with _errors(action):
            async with self._sessions.begin() as session:
                session.add(message)
                await session.flush()
                message_id = message.id
        logger.debug("stored %s message %d in chat %d", message.role, message_id, message.chat_id)
        return message_id

    async def set_external_id(self, message_id: int, external_message_id: str) -> bool:
        """Remember the platform's id of a sent message; False if the row is gone."""
        stmt = (
            update(Message)
            .where(Message.id == message_id)
            .values(external_message_id=external_message_id)
        )
        with _errors("store the sent message id"):
            async with self._sessions.begin() as session:
                result = await session.execute(stmt)
        return bool(result.rowcount)

    async def set_translation(self, message_id: int, text: str, language: Language | None) -> bool:
        """Store the translated text of a message; False if the row is gone."""
        if language is not None:
            _check(language, LANGUAGES, "language")
        stmt = update(Message).where(Message.id == message_id).values(text=text, language=language)
        with _errors("store the translation"):
            async with self._sessions.begin() as session:
                result = await session.execute(stmt)
        return bool(result.rowcount)

    async def get_message(self, message_id: int) -> MessageRecord | None:
        """One message by id."""
        with _errors("read the message"):
            async with self._sessions() as session:
                message = await session.get(Message, message_id)
                return None if message is None else _message_record(message)

    async def find_by_external_id(
        self, chat: ChatRecord | int, external_message_id: str
    ) -> MessageRecord | None:
        """The newest message of the chat with this platform message id."""
        stmt = (
            select(Message)
            .where(Message.chat_id == _id(chat), Message.external_message_id == external_message_id)
            .order_by(Message.id.desc())
            .limit(1)
        )
        with _errors("look the message up"):
            async with self._sessions() as session:
                message = (await session.execute(stmt)).scalar_one_or_none()
                return None if message is None else _message_record(message)

    async def find_question(
        self, chat: ChatRecord | int, external_message_id: str
    ) -> Exchange | None:
        """The question a platform message asked in a chat, with the god's answer if any."""
        with _errors("find a question"):
            async with self._sessions() as session:
                asked = await session.scalar(
                    select(Message)
                    .where(
                        Message.chat_id == _id(chat),
                        Message.external_message_id == external_message_id,
                        Message.role == "user",
                    )
                    .order_by(Message.id)
                    .limit(1)
                )
                if asked is None:
                    return None
                answer = await session.scalar(
                    select(Message).where(Message.reply_to_id == asked.id).limit(1)
                )
                return Exchange(_message_record(asked), _message_record(answer) if answer else None)

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
        stmt = select(Message).where(Message.chat_id == _id(chat), Message.role == "user")
        if user is not None:
            stmt = stmt.where(Message.user_id == _id(user))
        if thread != "any":
            stmt = stmt.where(
                Message.thread_external_id.is_(None)
                if thread is None
                else Message.thread_external_id == thread
            )
        stmt = stmt.order_by(Message.id.desc()).limit(limit)
        with _errors("read the history"):
            async with self._sessions() as session:
                questions = list((await session.execute(stmt)).scalars())
                questions.reverse()
                answers: dict[int, Message] = {}
                if questions:
                    rows = await session.execute(
                        select(Message)
                        .where(
                            Message.reply_to_id.in_([q.id for q in questions]),
                            Message.role == "god",
                        )
                        .order_by(Message.id)
                    )
                    # A question answered twice keeps its latest answer.
                    answers = {a.reply_to_id: a for a in rows.scalars() if a.reply_to_id}
                return [
                    Exchange(
                        question=_message_record(q),
                        answer=_message_record(answers[q.id]) if q.id in answers else None,
                    )
                    for q in questions
                ]

    async def forget(self, chat: ChatRecord | int, user: UserRecord | int) -> int:
        """Delete a user's questions in a chat and the god's answers; returns how many."""
        chat_id, user_id = _id(chat), _id(user)
        questions = select(Message.id).where(
            Message.chat_id == chat_id, Message.user_id == user_id, Message.role == "user"
        )
        with _errors("forget the messages"):
            async with self._sessions.begin() as session:
                # Answers first, explicitly: the database may not enforce ON DELETE CASCADE.
                await session.execute(
                    delete(Message)
                    .where(Message.role == "god", Message.reply_to_id.in_(questions))
                    .execution_options(synchronize_session=False)
                )
                result = await session.execute(
                    delete(Message)
                    .where(
                        Message.chat_id == chat_id,
                        Message.user_id == user_id,
                        Message.role == "user",
                    )
                    .execution_options(synchronize_session=False)
                )
        forgotten = int(result.rowcount)
        logger.info("forgot %d exchanges of user %d in chat %d", forgotten, user_id, chat_id)
        return forgotten

    async def counts(self) -> StoreCounts:
        """Row counts, for diagnostics."""

        def rows(model: type[Chat | User | ChannelOverride | Message], *where: ColumnElement[bool]):
            return select(func.count()).select_from(model).where(*where).scalar_subquery()

        stmt = select(
            rows(Chat),
            rows(User),
            rows(ChannelOverride),
            rows(Message, Message.role == "user"),
            rows(Message, Message.role == "god"),
        )
        with _errors("count the rows"):
            async with self._sessions() as session:
                row = (await session.execute(stmt)).one()
        return StoreCounts(*(int(value) for value in row))


async def open_store(
    url: str | URL, *, upgrade: bool = True, busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS
) -> SqlStore:
    """Migrate the database at ``url`` (unless ``upgrade`` is False) and open a store on it."""
    if upgrade:
        await migrate.upgrade(url, busy_timeout_ms=busy_timeout_ms)
    return SqlStore.from_url(url, busy_timeout_ms=busy_timeout_ms)
