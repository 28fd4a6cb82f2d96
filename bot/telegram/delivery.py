"""Sending to Telegram: replies cut to its limits, the Translate button, the typing indicator.

Everything is sent as plain text (no ``parse_mode``), so no glyph, bracket or underscore in a
user's words can ever cause a Markdown/HTML parse error.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Message
from telegram.constants import CallbackQueryLimit, ChatAction, ChatType, MessageLimit
from telegram.error import Forbidden, TelegramError

from bot.chunks import split_message
from bot.indicator import while_slow
from core.commands import Outcome
from core.commands.model import Confirmation
from core.commands.privacy import OPEN_PRIVATE, SENT_PRIVATELY
from core.service import GodService
from core.texts import say
from core.types import Language

logger = logging.getLogger(__name__)

TEXT_LIMIT = MessageLimit.MAX_TEXT_LENGTH  # 4096 UTF-16 code units
CAPTION_LIMIT = MessageLimit.CAPTION_LENGTH  # 1024
CALLBACK_ANSWER_LIMIT = CallbackQueryLimit.ANSWER_CALLBACK_QUERY_TEXT_LENGTH  # 200
MAX_PARTS = 3  # an absurd output is cut after three messages rather than flooding the chat
TYPING_REFRESH_S = 4.5  # Telegram shows a chat action for about five seconds

REVEAL_PREFIX = "reveal:"
REVEAL_PATTERN = re.compile(r"^reveal:(\d{1,18})$")


def parts(text: str, limit: int = TEXT_LIMIT, max_parts: int = MAX_PARTS) -> list[str]:
    """``text`` cut into messages Telegram accepts, never inside a glyph."""
    return split_message(text, limit, "utf16", max_parts=max_parts)


def one_part(text: str, limit: int = TEXT_LIMIT) -> str:
    """``text`` trimmed to a single message (with an ellipsis when it had to be cut)."""
    cut = parts(text, limit, max_parts=1)
    return cut[0] if cut else ""


def confirm_keyboard(confirm: Confirmation) -> InlineKeyboardMarkup:
    """Yes and no under a question that only its asker may answer (``/forget all``)."""
    yes = InlineKeyboardButton(confirm.yes, callback_data=confirm.data(True))
    no = InlineKeyboardButton(confirm.no, callback_data=confirm.data(False))
    return InlineKeyboardMarkup([[yes, no]])


async def send_document(message: Message, outcome: Outcome) -> list[Message]:
    """A file for the asker (``/export``): in their private chat, also when asked in a group
    (the group only hears where it went, or how to let the bot write to them)."""
    document = outcome.document
    assert document is not None
    file = InputFile(document.data, filename=document.filename)
    caption = one_part(outcome.text, CAPTION_LIMIT)
    if message.chat.type == ChatType.PRIVATE or message.from_user is None:
        return [await message.reply_document(file, caption=caption, do_quote=False)]
    try:
        await message.get_bot().send_document(message.from_user.id, file, caption=caption)
    except Forbidden:
        return await send_text(message, OPEN_PRIVATE(outcome.language))
    return await send_text(message, SENT_PRIVATELY(outcome.language))


def reveal_data(message_id: int) -> str:
    """Callback data of the Translate button under a stored answer."""
    return f"{REVEAL_PREFIX}{message_id}"


def translate_keyboard(message_id: int, language: Language) -> InlineKeyboardMarkup:
    """One button that reveals the translation of the stored answer ``message_id``."""
    button = InlineKeyboardButton(
        say("translate_button", language), callback_data=reveal_data(message_id)
    )
    return InlineKeyboardMarkup([[button]])


async def send_text(
    message: Message,
    text: str,
    markup: InlineKeyboardMarkup | None = None,
    *,
    quote: bool | None = None,
) -> list[Message]:
    """Answer ``message`` with ``text`` in as many parts as needed, the keyboard on the first
    (``quote`` None: as a reply in groups, plainly in private chats)."""
    sent = []
    for index, part in enumerate(parts(text)):
        sent.append(
            await message.reply_text(
                part,
                reply_markup=markup if index == 0 else None,
                allow_sending_without_reply=True,
                do_quote=quote,
            )
        )
    return sent


async def send_outcome(
    message: Message, outcome: Outcome, service: GodService, *, quote: bool | None = None
) -> list[Message]:
    """Send a command's outcome as a reply to ``message``, and link the stored answer to it."""
    if outcome.send_nothing:
        return []
    if outcome.picture is not None:
        photo = await message.reply_photo(
            InputFile(outcome.picture, filename="field.png"),
            caption=one_part(outcome.text, CAPTION_LIMIT),
            allow_sending_without_reply=True,
        )
        return [photo]
    if outcome.document is not None:
        return await send_document(message, outcome)
    markup = None
    if outcome.translate_button and outcome.answer_id is not None:
        markup = translate_keyboard(outcome.answer_id, outcome.language)
    elif outcome.confirm is not None:
        markup = confirm_keyboard(outcome.confirm)
    sent = await send_text(message, outcome.text, markup, quote=quote)
    if sent and outcome.answer_id is not None:
        # the first part carries the glyphs (and the button): /translate in reply to it, or a
        # press of its button, finds this answer again
        await service.memory.remember_delivery(outcome.answer_id, str(sent[0].message_id))
    return sent


def chat_action(
    message: Message, action: str = ChatAction.TYPING, *, after_s: float = 0.0
) -> contextlib.AbstractAsyncContextManager[None]:
    """Show ``action`` (typing…) in the chat while the body runs, refreshed every few seconds,
    once it has run ``after_s`` seconds (the Bot API asks for actions only when a reply takes
    noticeably long); a failed action is only logged."""

    async def keep_showing(done: asyncio.Event) -> None:
        while True:
            try:
                await message.reply_chat_action(action)
            except TelegramError as error:
                logger.debug("chat action failed in chat %s: %s", message.chat_id, error)
                return
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(done.wait(), TYPING_REFRESH_S)
                return

    return while_slow(keep_showing, after_s)
