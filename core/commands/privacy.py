"""/privacy, /export and /forget [all]: what is kept about the asker, a copy, and erasing it."""

from __future__ import annotations

import asyncio
import gzip
import time

from core.commands import memory
from core.commands.model import Confirmation, Document, Invocation, Outcome, Words
from core.service import GodService
from core.types import Language

ERASE = "erase"  # the unlisted command a /forget all button runs
YES = frozenset({"yes", "y", "да", "д"})
ALL = frozenset({"all", "всё", "все"})
# what a bot may send: Telegram's sendDocument takes 50 MB, Discord 10 MiB without boosts;
# a bigger export goes gzipped, and one still too big is refused
FILE_LIMITS = {"telegram": 50_000_000, "discord": 10 * 1024 * 1024}
PLATFORM_NAMES = {"telegram": "Telegram", "discord": "Discord", "console": "this console"}

PRIVACY = Words(
    "What I keep about you on this platform:\n"
    "• your user id and name (and your app's language), to know who asks;\n"
    "• the settings of each chat (mode, language) and its name;\n"
    "• your questions and my answers to them, for /history and for what the god continues;\n"
    "• the raw messages Telegram or Discord deliver, until each is answered (so that a restart "
    "answers nothing twice and loses nothing), then as long as the exchanges.\n"
    "How long: {how_long}.\n"
    "Take it with you: /export sends you a JSON file of everything I keep about you, from "
    "every chat.\n"
    "Erase it: /forget deletes your messages in this chat; /forget all deletes everything about "
    "you on this platform (your user record, every message and answer, the raw messages), "
    "after you confirm.",
    "Что я храню о вас на этой платформе:\n"
    "• ваш id и имя (и язык вашего приложения) — чтобы знать, кто спрашивает;\n"
    "• настройки каждого чата (режим, язык) и его название;\n"
    "• ваши вопросы и мои ответы — для /history и для продолжения мысли бога;\n"
    "• сырые сообщения от Telegram или Discord — пока на каждое не ответят (чтобы "
    "перезапуск ничего не потерял и не ответил дважды), затем столько же, сколько обмены.\n"
    "Как долго: {how_long}.\n"
    "Забрать с собой: /export пришлёт JSON-файл со всем, что я о вас храню, из всех чатов.\n"
    "Стереть: /forget удаляет ваши сообщения в этом чате; /forget all удаляет всё о вас на "
    "этой платформе (запись о вас, все сообщения и ответы, сырые сообщения) после "
    "подтверждения.",
)
KEPT_DAYS = Words(
    "exchanges older than {days} days are deleted by themselves; the rest until you erase it",
    "обмены старше {days} дн. удаляются сами; остальное — пока вы не сотрёте",
)
KEPT_FOREVER = Words("until you erase it", "пока вы не сотрёте")
EXPORTED = Words(
    "Everything I keep about you on this platform: {count} questions with my answers, in JSON.",
    "Всё, что я храню о вас на этой платформе: вопросов с моими ответами — {count}, в JSON.",
)
WRITTEN = Words("Written to {path}", "Записано в {path}")
TOO_LARGE = Words(
    "Your export is {size} MB, more than {platform} lets a bot send; ask the operator for it.",
    "Ваш экспорт весит {size} МБ — больше, чем {platform} позволяет боту отправить; "
    "попросите его у оператора.",
)
ASK_ERASE = Words(
    "Erase everything I keep about you on {platform} — your user record, every question and "
    "answer in every chat, the raw messages? This cannot be undone.",
    "Стереть всё, что я храню о вас в {platform}, — запись о вас, все вопросы и ответы во всех "
    "чатах, сырые сообщения? Отменить это нельзя.",
)
CONSOLE_CONFIRM = Words(
    "Type yes to erase it; anything else keeps it.",
    "Введите «да», чтобы стереть; что угодно другое — оставить.",
)
YES_BUTTON = Words("Erase everything", "Стереть всё")
NO_BUTTON = Words("Cancel", "Отмена")
ERASED = Words(
    "Erased: your user record, {messages} of your messages (with my answers) from {chats} "
    "chats, and {updates} raw messages. Nothing about you is kept on {platform} now.",
    "Стёрто: запись о вас, ваших сообщений (с моими ответами) — {messages} из чатов: {chats}, "
    "сырых сообщений — {updates}. Теперь в {platform} о вас ничего не хранится.",
)
NOTHING_ERASED = Words("Nothing was erased.", "Ничего не стёрто.")
NOT_YOURS = Words(
    "Only the person who asked to erase their data can answer this.",
    "Ответить может только тот, кто попросил стереть свои данные.",
)
EXPIRED = Words(
    "This question has expired; send /forget all again.",
    "Этот вопрос устарел; отправьте /forget all ещё раз.",
)
SENT_PRIVATELY = Words("I sent it to you in a private chat.", "Я отправил его вам в личный чат.")
OPEN_PRIVATE = Words(
    "I cannot write to you privately yet: open a private chat with me, press Start, and send "
    "/export there.",
    "Я пока не могу написать вам лично: откройте личный чат со мной, нажмите «Старт» и "
    "отправьте /export там.",
)
FORGET_USAGE = Words(
    "/forget deletes your messages here; /forget all — everything about you, everywhere.",
    "/forget удаляет ваши сообщения здесь; /forget all — всё о вас везде.",
)


def _where(platform: str) -> str:
    return PLATFORM_NAMES.get(platform, platform)


async def privacy(service: GodService, invocation: Invocation) -> Outcome:
    """/privacy: what is kept, for how long, and how to take it or erase it."""
    message = invocation.message
    language = await service.chats.language_for(message, "")
    days = service.privacy.settings.retention_days
    how_long = KEPT_DAYS(language).format(days=days) if days else KEPT_FOREVER(language)
    text = PRIVACY(language).format(how_long=how_long)
    return Outcome((text,), private=True, language=language)


async def export(service: GodService, invocation: Invocation) -> Outcome:
    """/export: a JSON file of everything kept about the asker on this platform."""
    message = invocation.message
    language = await service.chats.language_for(message, "")
    data, count = await service.privacy.export(message)
    where = _where(message.platform)
    filename = f"silentgod-{message.platform}-{message.user_id}.json"
    mime = "application/json"
    limit = FILE_LIMITS.get(message.platform)
    if limit is not None and len(data) > limit:
        data = await asyncio.to_thread(gzip.compress, data)
        filename, mime = f"{filename}.gz", "application/gzip"
        if len(data) > limit:
            size = f"{len(data) / 1_000_000:.1f}"
            text = TOO_LARGE(language).format(size=size, platform=where)
            return Outcome((text,), refusal="too_large", private=True, language=language)
    text = EXPORTED(language).format(count=count)
    document = Document(filename, data, mime)
    return Outcome((text,), document=document, private=True, language=language)


async def forget(service: GodService, invocation: Invocation) -> Outcome:
    """/forget: the asker's messages in this chat; /forget all: ask, then erase everything."""
    words = (invocation.options.get("scope") or invocation.argument).lower().split()
    if not words or words == ["here"]:
        return await memory.forget(service, invocation)
    message = invocation.message
    language = await service.chats.language_for(message, "")
    if words[0] not in ALL or len(words) > 2:
        usage = FORGET_USAGE(language)
        return Outcome((usage,), refusal="invalid", private=True, language=language)
    if message.platform == "console" and words[1:] and words[1] in YES:
        return await _erase(service, invocation, language)  # the console's typed confirmation
    confirm = Confirmation(
        ERASE,
        owner=message.user_id,
        asked_at=int(time.time()),
        yes=YES_BUTTON(language),
        no=NO_BUTTON(language),
    )
    text = ASK_ERASE(language).format(platform=_where(message.platform))
    return Outcome((text,), confirm=confirm, private=True, language=language)


async def erase(service: GodService, invocation: Invocation) -> Outcome:
    """A press of a /forget all button: only its asker's, only while fresh, then erase."""
    message = invocation.message
    options = invocation.options
    language = await service.chats.language_for(message, "")
    if options.get("owner") != message.user_id:
        return Outcome((NOT_YOURS(language),), refusal="not_yours", private=True, language=language)
    if options.get("answer") != "y":
        return Outcome((NOTHING_ERASED(language),), private=True, language=language)
    age = time.time() - int(options.get("asked_at") or 0)
    if not -60 <= age <= service.privacy.settings.erase_confirm_s:
        return Outcome((EXPIRED(language),), refusal="expired", private=True, language=language)
    return await _erase(service, invocation, language)


async def _erase(service: GodService, invocation: Invocation, language: Language) -> Outcome:
    message = invocation.message
    erased = await service.privacy.erase(message)
    text = ERASED(language).format(
        messages=erased.messages,
        chats=len(erased.chats),
        updates=erased.updates,
        platform=_where(message.platform),
    )
    return Outcome((text,), private=True, language=language)
