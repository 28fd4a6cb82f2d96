"""The glyph composer on Telegram: /compose's message with a keyboard that builds a scene.

Each button's callback data says whose composer it is, which view to show next and what the
press does — ``c:<owner>:<view>:<action>``, at most 34 bytes for any glyph and page — and the
scene itself is the first line of the message's text. So the state lives in the message, and
a composer opened before a restart works after it.

Presses are answered at once; the edit that shows them runs beside, one at a time per message,
always showing the newest scene. Pressing faster than Telegram lets one message be edited (a
429) therefore loses nothing: the presses made while an edit waits are shown by the next one.
The newest scene of recently pressed composers is also kept in memory, because a press made
before the previous edit landed carries the message as it was.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections import OrderedDict
from dataclasses import dataclass, replace
from datetime import timedelta

from telegram import Bot, CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest, RetryAfter, TelegramError
from telegram.ext import ContextTypes

from bot.telegram import updates
from bot.telegram.delivery import chat_action, one_part, send_outcome
from core import commands
from core.commands import Invocation, Outcome, Words
from core.commands.compose import (
    FULL,
    MAX_SCENE,
    NOT_YOURS,
    NOTHING_TO_ASK,
    Catalogue,
    View,
    catalogue,
)
from core.service import GodService
from core.types import Language

logger = logging.getLogger(__name__)

PATTERN = re.compile(r"^c:(-?\d{1,20}):(h|\d{1,2}\.\d{1,2}):(\+\d{1,4}|[-xav])$")
PER_ROW = 3
REMEMBERED = 1024  # composers whose newest scene is kept in memory (the oldest is forgotten)
EDIT_ATTEMPTS = 5  # a 429 is waited out this many times before the edit is given up

UNDO = Words("⌫ Undo", "⌫ Убрать")
CLEAR = Words("✖ Clear", "✖ Очистить")
ASK = Words("Ask ✦", "Спросить ✦")
BACK = Words("↩ All", "↩ Все")

Key = tuple[int, int]  # (chat id, message id)


@dataclass(frozen=True, slots=True)
class Shown:
    """What a composer message shows: the scene, the keyboard's view, and in which language."""

    scene: tuple[str, ...]
    view: View
    language: Language


def data(owner: str, view: View, action: str) -> str:
    """A button's callback data."""
    where = "h" if view.category is None else f"{view.category}.{view.page}"
    return f"c:{owner}:{where}:{action}"


def parse_view(text: str) -> View:
    """The view of a callback data's middle part."""
    if text == "h":
        return View()
    category, page = text.split(".")
    return View(int(category), int(page))


def keyboard(layout: Catalogue, owner: str, shown: Shown) -> InlineKeyboardMarkup:
    """Operators first, then the categories or one page of one, then undo, clear and Ask."""
    view, language = shown.view, shown.language

    def button(text: str, action: str, where: View = view) -> InlineKeyboardButton:
        return InlineKeyboardButton(text, callback_data=data(owner, where, action))

    rows = [[button(e.glyph, f"+{layout.index(e.glyph)}") for e in layout.operators]]
    if view.category is None:
        cells = [
            button(layout.category_name(i, language), "v", View(i))
            for i in range(len(layout.categories))
        ]
    else:
        cells = [
            button(f"{e.glyph} {e.lemma(language)}", f"+{layout.index(e.glyph)}")
            for e in layout.page(view)
        ]
    rows += [cells[i : i + PER_ROW] for i in range(0, len(cells), PER_ROW)]
    if view.category is not None:
        pages = layout.pages(view.category)
        name = layout.category_name(view.category, language)
        navigation = [button(f"{BACK(language)} · {name} {view.page + 1}/{pages}", "v", View())]
        if view.page > 0:
            navigation.insert(0, button("◀", "v", replace(view, page=view.page - 1)))
        if view.page + 1 < pages:
            navigation.append(button("▶", "v", replace(view, page=view.page + 1)))
        rows.append(navigation)
    rows.append(
        [button(UNDO(language), "-"), button(CLEAR(language), "x"), button(ASK(language), "a")]
    )
    return InlineKeyboardMarkup(rows)


class Composer:
    """Opens composers and answers their buttons, over one GodService."""

    def __init__(self, service: GodService, *, typing_after_s: float = 0.0) -> None:
        self.service = service
        self.typing_after_s = typing_after_s
        self.layout = catalogue(service.lexicon)
        self._wanted: OrderedDict[Key, Shown] = OrderedDict()  # the newest state per message
        self._shown: dict[Key, Shown] = {}  # what the message shows (edits of this process)
        self._editing: dict[Key, asyncio.Task[None]] = {}

    async def open(self, message: Message, outcome: Outcome, owner: str) -> None:
        """Send the composer (``outcome``'s text) with its keyboard, as a reply to /compose."""
        shown = Shown((), View(), outcome.language)
        markup = keyboard(self.layout, owner, shown)
        sent = await message.reply_text(
            one_part(outcome.text), reply_markup=markup, allow_sending_without_reply=True
        )
        self._remember((sent.chat_id, sent.message_id), shown, shown=True)

    async def on_press(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A composer's button: refuse strangers, change the scene, answer, show it."""
        query = update.callback_query
        if query is None:
            return
        match = PATTERN.match(query.data or "")
        message = query.message
        if match is None or message is None:
            await query.answer()
            return
        owner, where, action = match.groups()
        asker = updates.incoming(message.chat, query.from_user)
        language = await self.service.chats.language_for(asker, "")
        if asker.user_id != owner:
            await query.answer(NOT_YOURS(language), show_alert=True)
            return
        key = (message.chat.id, message.message_id)
        before = self._wanted.get(key)
        text = message.text if isinstance(message, Message) else None
        scene = before.scene if before else self.layout.scene_of(text or "")
        if action == "a":
            await self._ask(query, context.bot, scene, language)
            return
        refusal, scene = self._change(scene, action)
        if refusal is not None:
            await query.answer(refusal(language))
            return
        view = self.layout.valid(parse_view(where))
        self._remember(key, Shown(scene, view, language))
        await query.answer()
        if not isinstance(message, Message):  # older than 48 hours: it cannot be edited
            return
        if key not in self._editing:
            task = context.application.create_task(
                self._edit(key, context.bot, owner), update=update, name=f"compose-{key}"
            )
            self._editing[key] = task

    def _change(self, scene: tuple[str, ...], action: str) -> tuple[Words | None, tuple[str, ...]]:
        """The scene after a press, or why the press changes nothing."""
        if action == "-":
            return None, scene[:-1]
        if action == "x":
            return None, ()
        if action.startswith("+"):
            entry = self.layout.entry(int(action[1:]))
            if entry is None:
                return None, scene
            if len(scene) >= MAX_SCENE:
                return FULL, scene
            return None, (*scene, entry.glyph)
        return None, scene  # "v": another view of the same scene

    def _remember(self, key: Key, state: Shown, *, shown: bool = False) -> None:
        self._wanted[key] = state
        self._wanted.move_to_end(key)
        if shown:
            self._shown[key] = state
        while len(self._wanted) > REMEMBERED:
            old, _ = self._wanted.popitem(last=False)
            self._shown.pop(old, None)

    async def _edit(self, key: Key, bot: Bot, owner: str) -> None:
        """Edit the message until it shows the newest state (429s waited out)."""
        chat_id, message_id = key
        attempts = 0
        try:
            while (wanted := self._wanted.get(key)) is not None and self._shown.get(key) != wanted:
                text = one_part("\n".join(self.layout.render(wanted.scene, wanted.language)))
                markup = keyboard(self.layout, owner, wanted)
                try:
                    await bot.edit_message_text(text, chat_id, message_id, reply_markup=markup)
                except RetryAfter as error:
                    attempts += 1
                    if attempts >= EDIT_ATTEMPTS:
                        raise
                    await asyncio.sleep(_seconds(error) + 0.1)
                    continue
                except BadRequest as error:
                    if "not modified" not in str(error).lower():
                        raise
                self._shown[key] = wanted
        except TelegramError as error:
            logger.warning("telegram: composer %s could not be edited: %s", key, error)
        finally:
            self._editing.pop(key, None)

    async def _ask(
        self, query: CallbackQuery, bot: Bot, scene: tuple[str, ...], language: Language
    ) -> None:
        """Ask: the scene goes to the god as the owner, and is answered like any question."""
        if not scene:
            await query.answer(NOTHING_TO_ASK(language))
            return
        await query.answer()
        message = query.message
        assert message is not None
        topic = None
        if isinstance(message, Message) and message.is_topic_message:
            topic = message.message_thread_id
        asked = updates.incoming(message.chat, query.from_user, "".join(scene), topic=topic)
        if not isinstance(message, Message):  # too old to reply to: say it in the chat
            outcome = await commands.run(self.service, "ask", Invocation(asked))
            await bot.send_message(message.chat.id, one_part(outcome.text))
            return
        async with chat_action(message, after_s=self.typing_after_s):
            outcome = await commands.run(self.service, "ask", Invocation(asked))
        await send_outcome(message, outcome, self.service)


def _seconds(error: RetryAfter) -> float:
    """How long Telegram asked to wait."""
    value: object = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)  # type: ignore[arg-type]
