"""The Telegram handlers: thin translators between updates and the shared GodService."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Awaitable, Callable

from telegram import (
    Bot,
    InlineQueryResultArticle,
    InputFile,
    InputTextMessageContent,
    Message,
    Update,
)
from telegram.constants import ChatAction, ChatMemberStatus, ChatType
from telegram.error import BadRequest, Forbidden, NetworkError, TelegramError
from telegram.ext import ContextTypes

from bot.telegram import delivery, updates
from bot.telegram.delivery import chat_action, one_part, send_reply, send_text
from core import render
from core.service import (
    HISTORY_LIMIT,
    GodService,
    SettingChange,
    client_language,
    history_count,
    script_language,
)
from core.texts import say
from core.types import Incoming, Language, Mode

logger = logging.getLogger(__name__)

Context = ContextTypes.DEFAULT_TYPE
ADMIN_STATUSES = frozenset({ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER})
INLINE_CACHE_S = 10
INLINE_QUERY_MAX = 256  # Telegram's own limit on inline query text


class GodHandlers:
    """Every handler of the bot, over one GodService (received, never global)."""

    def __init__(self, service: GodService, redact: Callable[[str], str]) -> None:
        self.service = service
        self.redact = redact

    # ------------------------------------------------------------------ helpers
    async def _language(self, message: Message, text: str = "") -> Language:
        return await self.service.language_for(updates.from_message(message, text), text)

    async def _argument_or_example(self, message: Message, example: str) -> str:
        """The command's argument; without one, the user is shown an example (returns "")."""
        argument = updates.command_argument(message)
        if not argument:
            language = await self._language(message)
            await send_text(message, say("needs_text", language, example=example))
        return argument

    async def _client_language(self, message: Message) -> Language:
        """The user's client language first (for /help), else the chat's reader language."""
        user = message.from_user
        hint = client_language(user.language_code if user else None)
        return hint or await self._language(message)

    async def _is_admin(self, message: Message, bot: Bot) -> bool:
        """Private chats belong to their user; in groups ask Telegram who administers."""
        chat = message.chat
        if chat.type == ChatType.PRIVATE:
            return True
        if message.sender_chat is not None and message.sender_chat.id == chat.id:
            return True  # an anonymous administrator speaks as the group itself
        if message.from_user is None:
            return False
        try:
            member = await bot.get_chat_member(chat.id, message.from_user.id)
        except TelegramError as error:
            logger.warning("getChatMember failed in chat %s: %s", chat.id, error)
            return False
        return member.status in ADMIN_STATUSES

    async def _answer(self, message: Message, text: str, mode: Mode | None = None) -> None:
        """Ask the god (typing meanwhile) and send its reply."""
        async with chat_action(message):
            reply = await self.service.answer(updates.from_message(message, text, mode=mode))
        await send_reply(message, reply, self.service)

    # ------------------------------------------------------------------ messages
    async def on_text(self, update: Update, context: Context) -> None:
        """Answer a plain message: always in private chats, in groups only when addressed."""
        message = update.effective_message
        if message is None:
            return
        text = updates.addressed_text(message, context.bot)
        if text is None:
            return
        await self._answer(message, text)

    async def on_help(self, update: Update, context: Context) -> None:
        """/start and /help: what the god is, in the user's language."""
        message = update.effective_message
        if message is not None:
            await send_text(message, say("help", await self._client_language(message)))

    async def on_unknown_command(self, update: Update, context: Context) -> None:
        """An unknown command in a private chat: show the help."""
        await self.on_help(update, context)

    async def on_glyph(self, update: Update, context: Context) -> None:
        """/glyph <message>: answer as the silent god."""
        message = update.effective_message
        if message is None:
            return
        argument = await self._argument_or_example(message, "/glyph 🜂⧖🕯")
        if argument:
            await self._answer(message, argument, "glyph")

    async def on_translate(self, update: Update, context: Context) -> None:
        """/translate <message>, or in reply to the god's glyphs: translate those."""
        message = update.effective_message
        if message is None:
            return
        argument = updates.command_argument(message)
        if argument:
            await self._answer(message, argument, "translate")
            return
        item = updates.from_message(message, "")
        language = await self.service.language_for(item, "")
        replied = message.reply_to_message
        if replied is None or not updates.is_reply_to_bot(message, context.bot):
            await send_text(message, say("nothing_to_translate", language))
            return
        answer_id = await self.service.find_answer(item, str(replied.message_id))
        revealed = await self.service.reveal(answer_id, item) if answer_id is not None else None
        if revealed is None:
            await send_text(message, say("translation_gone", language))
            return
        await send_text(message, render.reply_text(revealed))

    async def on_mode(self, update: Update, context: Context) -> None:
        """/mode [glyph|translate]: show the chat's mode, or set it (admins only in groups)."""
        await self._setting(update, context, self.service.mode_setting)

    async def on_lang(self, update: Update, context: Context) -> None:
        """/lang [ru|en|auto]: show or set the translated voice's language (admins in groups)."""
        await self._setting(update, context, self.service.language_setting)

    async def _setting(
        self,
        update: Update,
        context: Context,
        change: Callable[[Incoming, str | None], Awaitable[SettingChange]],
    ) -> None:
        """Show a chat setting, or set it when a value is given (asking Telegram who may)."""
        message = update.effective_message
        if message is None:
            return
        value = updates.command_argument(message) or None
        is_admin = await self._is_admin(message, context.bot) if value else False
        item = updates.from_message(message, value or "", is_admin=is_admin)
        await send_text(message, (await change(item, value)).message)

    async def on_bridge(self, update: Update, context: Context) -> None:
        """/bridge <text or glyphs>: the bridge alone, no god."""
        message = update.effective_message
        if message is None:
            return
        argument = await self._argument_or_example(message, "/bridge fire and time")
        if not argument:
            return
        result = await self.service.bridge_text(argument, updates.from_message(message, argument))
        await send_text(message, render.bridge_text(result))

    async def on_lexicon(self, update: Update, context: Context) -> None:
        """/lexicon <word or glyph>: look the dictionary up, both ways."""
        message = update.effective_message
        if message is None:
            return
        argument = updates.command_argument(message)
        language = await self._language(message, argument)
        if not argument:
            await send_text(message, say("needs_text", language, example="/lexicon fire"))
            return
        entries = self.service.lookup(argument)
        await send_text(message, render.lexicon_text(entries, argument, language))

    async def on_history(self, update: Update, context: Context) -> None:
        """/history [n]: this user's last exchanges in this chat."""
        message = update.effective_message
        if message is None:
            return
        argument = updates.command_argument(message)
        language = await self._language(message)
        count = history_count(argument)
        if count is None:
            await send_text(message, say("history_bad", language, limit=HISTORY_LIMIT))
            return
        items = await self.service.history(updates.from_message(message, argument), count)
        await send_text(message, render.history_text(items, language))

    async def on_forget(self, update: Update, context: Context) -> None:
        """/forget: delete this user's messages in this chat, and confirm."""
        message = update.effective_message
        if message is None:
            return
        count = await self.service.forget(updates.from_message(message, ""))
        await send_text(message, say("forgotten", await self._language(message), count=count))

    async def on_field(self, update: Update, context: Context) -> None:
        """/field <message>: the picture of the god's meaning field, with a caption."""
        message = update.effective_message
        if message is None:
            return
        argument = await self._argument_or_example(message, "/field 🜂⧖🕯")
        if not argument:
            return
        async with chat_action(message, ChatAction.UPLOAD_PHOTO):
            picture = await self.service.field(updates.from_message(message, argument))
        if picture.png is None:
            await send_text(message, picture.caption)
            return
        await message.reply_photo(
            InputFile(picture.png, filename="field.png"),
            caption=one_part(picture.caption, delivery.CAPTION_LIMIT),
            allow_sending_without_reply=True,
        )

    # ------------------------------------------------------------------ buttons
    async def on_reveal(self, update: Update, context: Context) -> None:
        """The Translate button: edit the glyph message in place to glyphs + translation."""
        query = update.callback_query
        if query is None:
            return
        match = delivery.REVEAL_PATTERN.match(query.data or "")
        message = query.message
        chat = message.chat if message is not None else None
        item = updates.incoming(chat, query.from_user)
        revealed = None
        if match and message is not None:
            answer_id = int(match.group(1))
            # the button must sit on the very message that carried this answer
            if await self.service.find_answer(item, str(message.message_id)) == answer_id:
                revealed = await self.service.reveal(answer_id, item)
        if revealed is None:
            language = await self.service.language_for(item, "")
            await query.answer(say("translation_gone", language))
            return
        await query.answer()
        text = one_part(render.reply_text(revealed))
        if not isinstance(message, Message):  # too old to edit: send the translation instead
            await context.bot.send_message(message.chat.id, text)  # type: ignore[union-attr]
            return
        try:
            await query.edit_message_text(text, reply_markup=None)
        except BadRequest as error:
            if "not modified" not in str(error).lower():  # a double press races the edit
                raise

    async def on_other_button(self, update: Update, context: Context) -> None:
        """A button this version does not know (an old keyboard): stop the client's spinner."""
        if update.callback_query is not None:
            await update.callback_query.answer()

    # ------------------------------------------------------------------ inline mode
    async def on_inline(self, update: Update, context: Context) -> None:
        """``@bot text`` in any chat: the text in glyphs, the god's glyphs, and their meaning."""
        query = update.inline_query
        if query is None:
            return
        text = query.query.strip()[:INLINE_QUERY_MAX]
        if not text:
            await query.answer([], cache_time=INLINE_CACHE_S, is_personal=True)
            return
        language = client_language(query.from_user.language_code) or script_language(text) or "en"
        item = updates.incoming(None, query.from_user, text)
        bridged = await self.service.bridge_text(text, item)
        reply = await self.service.preview(item)
        results = []
        if bridged.direction == "text_to_glyphs" and bridged.glyphs:
            results.append(_article("bridge", say("inline_glyphs", language), bridged.glyphs))
        elif bridged.direction == "glyphs_to_text" and bridged.text:
            results.append(_article("bridge", say("inline_words", language), bridged.text))
        if reply.glyphs:
            results.append(_article("silent", say("inline_silent", language), reply.glyphs))
            if reply.text:
                voice = f"{reply.glyphs}\n{reply.text}"
                results.append(_article("voice", say("inline_voice", language), voice))
        await query.answer(results, cache_time=INLINE_CACHE_S, is_personal=True)

    # ------------------------------------------------------------------ errors
    async def on_error(self, update: object, context: Context) -> None:
        """Log a failed update with its context (never the token) and apologise to the user."""
        error = context.error
        where = _describe(update)
        if isinstance(error, Forbidden):  # blocked or kicked: nobody to apologise to
            logger.warning("%s: %s", where, self.redact(str(error)))
            return
        if update is None and isinstance(error, NetworkError):
            logger.warning("network trouble: %s", self.redact(str(error)))
            return
        trace = "".join(traceback.format_exception(error)) if error else "no exception"
        logger.error("%s failed:\n%s", where, self.redact(trace).rstrip())
        if not isinstance(update, Update):
            return
        user = update.effective_user
        language = client_language(user.language_code if user else None) or "en"
        try:
            if update.callback_query is not None:
                await update.callback_query.answer(say("error", language))
            elif update.effective_message is not None and update.inline_query is None:
                await update.effective_message.reply_text(
                    say("error", language), allow_sending_without_reply=True
                )
        except TelegramError as failure:
            logger.warning("could not apologise (%s): %s", where, self.redact(str(failure)))


def _article(result_id: str, title: str, text: str) -> InlineQueryResultArticle:
    """One inline result whose message is ``text``."""
    text = one_part(text)
    return InlineQueryResultArticle(
        id=result_id,
        title=title,
        description=one_part(text, 120),
        input_message_content=InputTextMessageContent(text),
    )


def _describe(update: object) -> str:
    """Where an error happened, for the log: update id, chat, user, command (never the text)."""
    if not isinstance(update, Update):
        return "background job" if update is None else f"update {type(update).__name__}"
    parts = [f"update {update.update_id}"]
    if update.effective_chat is not None:
        parts.append(f"chat {update.effective_chat.id}")
    if update.effective_user is not None:
        parts.append(f"user {update.effective_user.id}")
    message = update.effective_message
    if update.callback_query is not None:
        parts.append(f"button {(update.callback_query.data or '')[:40]!r}")
    elif update.inline_query is not None:
        parts.append("inline query")
    elif message is not None and message.text and message.text.startswith("/"):
        parts.append(f"command {message.text.split(None, 1)[0][:64]}")
    elif message is not None:
        parts.append("message")
    return ", ".join(parts)
