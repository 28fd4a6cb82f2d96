"""Reading Telegram updates: who speaks, where, what they said, and whether it was to us."""

from __future__ import annotations

import re

from telegram import Bot, Chat, Message, MessageEntity, User
from telegram.constants import ChatType

from core.types import ChatKind, Incoming, Mode

PLATFORM = "telegram"


def chat_kind_of(value: str) -> ChatKind:
    """Telegram's chat type as the core's three kinds (supergroups are groups)."""
    if value == ChatType.PRIVATE:
        return "private"
    return "channel" if value == ChatType.CHANNEL else "group"


def incoming(
    chat: Chat | None,
    user: User | None,
    text: str = "",
    *,
    sender_chat: Chat | None = None,
    message_id: int | None = None,
    mode: Mode | None = None,
    is_admin: bool = False,
    redelivered: bool = False,
    topic: int | None = None,
) -> Incoming:
    """The core's view of one Telegram message (or button press, or inline query)."""
    handle = None
    if sender_chat is not None:  # an anonymous admin or a linked channel speaks as a chat
        user_id, user_name = str(sender_chat.id), sender_chat.title or sender_chat.username
        handle = sender_chat.username
    elif user is not None:
        user_id, user_name = str(user.id), user.username or user.full_name
        handle = user.username
    else:
        user_id, user_name = str(chat.id) if chat else "0", None
    if chat is None:  # inline queries have no chat: the user's private chat holds their settings
        chat_id, chat_kind = user_id, "private"
    else:
        chat_id, chat_kind = str(chat.id), chat_kind_of(chat.type)
    return Incoming(
        platform=PLATFORM,
        chat_id=chat_id,
        user_id=user_id,
        text=text,
        chat_kind=chat_kind,
        is_admin=is_admin,
        language_hint=user.language_code if user else None,
        mode=mode,
        user_name=user_name,
        external_message_id=str(message_id) if message_id is not None else None,
        redelivered=redelivered,
        thread_id=str(topic) if topic is not None else None,
        user_handle=handle,
        chat_handle=chat.username if chat is not None else handle,
    )


def from_message(
    message: Message,
    text: str,
    *,
    mode: Mode | None = None,
    is_admin: bool = False,
    redelivered: bool = False,
) -> Incoming:
    """``incoming`` for a message."""
    return incoming(
        message.chat,
        message.from_user,
        text,
        sender_chat=message.sender_chat,
        message_id=message.message_id,
        mode=mode,
        is_admin=is_admin,
        redelivered=redelivered,
        topic=message.message_thread_id if message.is_topic_message else None,
    )


def command_name(message: Message) -> str:
    """The command of ``/command[@bot] argument``, lower-cased, without the bot's name."""
    first = (message.text or "").split(None, 1)
    return first[0][1:].split("@", 1)[0].lower() if first else ""


def command_argument(message: Message) -> str:
    """Everything after ``/command[@bot]``, line breaks kept."""
    parts = (message.text or "").split(None, 1)
    return parts[1].strip() if len(parts) > 1 else ""


def is_reply_to_bot(message: Message, bot: Bot) -> bool:
    """Whether the message answers one of the bot's own messages."""
    replied = message.reply_to_message
    if replied is None or replied.forum_topic_created is not None:
        return False  # in forum topics every message "replies" to the topic's first message
    return replied.from_user is not None and replied.from_user.id == bot.id


def addressed_text(message: Message, bot: Bot) -> str | None:
    """The text meant for the god, or None when a group message is not for this bot.

    Private chats are always for the bot; in groups the bot must be mentioned by username (or
    by a text mention) or replied to. The mention itself is cut out of the text.
    """
    text = message.text or ""
    if message.chat.type == ChatType.PRIVATE:
        return text
    username = (bot.username or "").lower()
    mentions: list[str] = []
    kinds = [MessageEntity.MENTION, MessageEntity.TEXT_MENTION]
    for entity, value in message.parse_entities(kinds).items():
        by_name = entity.type == MessageEntity.MENTION and value.lower() == f"@{username}"
        if by_name or (entity.user is not None and entity.user.id == bot.id):
            mentions.append(value)
    if not mentions and not is_reply_to_bot(message, bot):
        return None
    for value in mentions:
        text = text.replace(value, " ", 1)
    return re.sub(r"[ \t]{2,}", " ", text).strip()
