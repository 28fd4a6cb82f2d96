"""The Telegram handlers: an update becomes an Invocation of the command table; the Outcome
is sent back by Telegram's rules (limits, the Translate button, photos, inline results)."""

from __future__ import annotations

import asyncio
import logging
import traceback
from collections.abc import Callable

from telegram import (
    Bot,
    InlineQueryResultArticle,
    InputTextMessageContent,
    Message,
    Update,
)
from telegram.constants import ChatAction, ChatMemberStatus, ChatType
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, TelegramError
from telegram.ext import ContextTypes

from bot.logs import log_context
from bot.telegram import delivery, updates
from bot.telegram.composer import Composer
from bot.telegram.delivery import chat_action, one_part, send_outcome
from core import commands
from core.commands import Invocation, Outcome
from core.commands.model import Confirmation
from core.language.text import client_language
from core.service import GodService
from core.storage.intake import IntakeStore
from core.texts import say

logger = logging.getLogger(__name__)

Context = ContextTypes.DEFAULT_TYPE
ADMIN_STATUSES = frozenset({ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER})
INLINE_CACHE_S = 10
CALLBACK_WAIT_S = 5.0  # a button's answer waits this long for its command, then goes empty
INLINE_QUERY_MAX = 256  # Telegram's own limit on inline query text
THINKING = {"ask": ChatAction.TYPING, "glyph": ChatAction.TYPING, "translate": ChatAction.TYPING}
THINKING["field"] = ChatAction.UPLOAD_PHOTO
THINKING["export"] = ChatAction.UPLOAD_DOCUMENT


class GodHandlers:
    """Every handler of the bot, over one GodService (received, never global)."""

    def __init__(
        self,
        service: GodService,
        redact: Callable[[str], str],
        intake: IntakeStore,
        *,
        typing_after_s: float = 0.0,
    ) -> None:
        self.service = service
        self.redact = redact
        self.intake = intake
        self.typing_after_s = typing_after_s
        self.replayed: set[int] = set()  # update ids handled again after a restart
        self.composer = Composer(service, typing_after_s=typing_after_s)

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

    async def _command(self, update: Update, name: str, invocation: Invocation) -> Outcome:
        """Run a command of the table; an update whose sender [access] refused is not kept."""
        outcome = await commands.run(self.service, name, invocation)
        if outcome.keep_nothing:
            await self.intake.forget([str(update.update_id)])
        return outcome

    async def _run(
        self, update: Update, message: Message, name: str, invocation: Invocation
    ) -> None:
        """Run a command of the table for a message and send its outcome."""
        action = THINKING.get(name)
        if action is None or self.service.gate.policy.decide(invocation.message) == "blocked":
            outcome = await self._command(update, name, invocation)
        else:
            async with chat_action(message, action, after_s=self.typing_after_s):
                outcome = await self._command(update, name, invocation)
        if outcome.composer:
            await self.composer.open(message, outcome, invocation.message.user_id)
            return
        # an answer given after a restart says which question it answers
        quote = True if invocation.message.redelivered else None
        await send_outcome(message, outcome, self.service, quote=quote)

    async def name_update(self, update: Update, _context: Context) -> None:
        """Put this update's ids into every log line written while it is handled."""
        chat, user = update.effective_chat, update.effective_user
        log_context(
            platform="telegram",
            chat=chat.id if chat else None,
            user=user.id if user else None,
            update=update.update_id,
        )

    # ------------------------------------------------------------------ messages
    async def on_text(self, update: Update, context: Context) -> None:
        """A plain message: always in private chats, in groups only when addressed."""
        message = update.effective_message
        if message is None:
            return
        text = updates.addressed_text(message, context.bot)
        if text is None:
            return
        asked = updates.from_message(message, text, redelivered=self._again(update))
        await self._run(update, message, "ask", Invocation(asked))

    def _again(self, update: Update) -> bool:
        """Whether this update is handled again after a restart (it may have been answered)."""
        return update.update_id in self.replayed

    async def on_flood(self, update: Update) -> None:
        """A chat sent more than its backlog allows: say once that some were skipped."""
        chat = update.effective_chat
        if chat is None:
            return
        user = update.effective_user
        language = client_language(user.language_code if user else None) or "en"
        try:
            await update.get_bot().send_message(chat.id, say("flooded", language))
        except TelegramError as error:
            logger.warning("could not tell chat %s it floods: %s", chat.id, error)

    async def on_migrate(self, update: Update, context: Context) -> None:
        """A group became a supergroup: its settings and history move to the new id."""
        message = update.effective_message
        if message is None:
            return
        if message.migrate_to_chat_id is not None:
            old, new = message.chat.id, message.migrate_to_chat_id
        elif message.migrate_from_chat_id is not None:
            old, new = message.migrate_from_chat_id, message.chat.id
        else:
            return
        if await self.intake.chat_moved(str(old), str(new)):
            logger.info("telegram: chat %s moved to %s with its settings and history", old, new)

    async def on_command(self, update: Update, context: Context) -> None:
        """``/name argument``: the command of the table with that name."""
        message = update.effective_message
        if message is None:
            return
        name = updates.command_name(message)
        table = {c.name for c in commands.commands_on("telegram")}
        if name not in table:
            name = "help"  # an unknown command (private chats only): show the help
        argument = updates.command_argument(message)
        is_admin = False
        if commands.command(name).who == "admins" and argument:
            is_admin = await self._is_admin(message, context.bot)
        replied = None
        if message.reply_to_message is not None and updates.is_reply_to_bot(message, context.bot):
            replied = str(message.reply_to_message.message_id)
        invocation = Invocation(
            updates.from_message(
                message, argument, is_admin=is_admin, redelivered=self._again(update)
            ),
            replied_message_id=replied,
        )
        await self._run(update, message, name, invocation)

    # ------------------------------------------------------------------ buttons
    async def on_reveal(self, update: Update, context: Context) -> None:
        """The Translate button: edit the glyph message in place to glyphs + translation."""
        query = update.callback_query
        if query is None:
            return
        match = delivery.REVEAL_PATTERN.match(query.data or "")
        message = query.message
        chat = message.chat if message is not None else None
        invocation = Invocation(
            updates.incoming(chat, query.from_user),
            answer_id=int(match.group(1)) if match else 0,
            replied_message_id=str(message.message_id) if message is not None else None,
        )
        outcome = await self._command(update, "reveal", invocation)
        if outcome.send_nothing:
            await query.answer()
            return
        if outcome.refusal is not None or message is None:
            await query.answer(one_part(outcome.text, delivery.CALLBACK_ANSWER_LIMIT))
            return
        await query.answer()
        text = one_part(outcome.text)
        if not message.is_accessible:  # too old to edit: send the translation instead
            await context.bot.send_message(message.chat.id, text)
            return
        try:
            await query.edit_message_text(text, reply_markup=None)
        except BadRequest as error:
            if "not modified" not in str(error).lower():  # a double press races the edit
                raise

    async def on_confirm(self, update: Update, context: Context) -> None:
        """Yes or no under a question only its asker may answer (``/forget all``): someone
        else's press, or a stale one, gets an alert; the asker's replaces the question."""
        query = update.callback_query
        parsed = Confirmation.parse(query.data or "") if query is not None else None
        if query is None or parsed is None:
            return
        name, options = parsed
        message = query.message
        chat = message.chat if message is not None else None
        invocation = Invocation(updates.incoming(chat, query.from_user), options=options)
        running = asyncio.ensure_future(commands.run(self.service, name, invocation))
        # a refusal comes at once, as an alert; a long erasure must not outlive the press
        # (Telegram stops waiting for its answer): the spinner stops first, the edit follows
        done, _ = await asyncio.wait({running}, timeout=CALLBACK_WAIT_S)
        answered = not done
        if answered:
            await query.answer()
        outcome = await running
        text = one_part(outcome.text, delivery.CALLBACK_ANSWER_LIMIT)
        if outcome.refusal is not None or message is None or not message.is_accessible:
            if not answered:
                await query.answer(text, show_alert=outcome.refusal is not None)
            elif message is not None:
                await context.bot.send_message(message.chat.id, text)
            return
        if not answered:
            await query.answer()
        try:
            await query.edit_message_text(one_part(outcome.text), reply_markup=None)
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
        invocation = Invocation(updates.incoming(None, query.from_user, text))
        outcome: Outcome = await self._command(update, "inline", invocation)
        results = [_article(a.key, a.title, a.text) for a in outcome.alternatives]
        await query.answer(results, cache_time=INLINE_CACHE_S, is_personal=True)

    # ------------------------------------------------------------------ errors
    async def on_error(self, update: object, context: Context) -> None:
        """Log a failed update with its context (never the token) and apologise to the user."""
        error = context.error
        where = _describe(update)
        if isinstance(error, Forbidden):  # blocked or kicked: nobody to apologise to
            logger.warning("%s: %s", where, self.redact(str(error)))
            chat = update.effective_chat if isinstance(update, Update) else None
            if chat is not None:
                await self.intake.chat_gone(str(chat.id))
            return
        if isinstance(error, ChatMigrated) and isinstance(update, Update):
            chat = update.effective_chat
            if chat is not None:
                await self.intake.chat_moved(str(chat.id), str(error.new_chat_id))
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
