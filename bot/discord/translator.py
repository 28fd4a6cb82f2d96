"""Russian names and descriptions for every slash command, option and choice.

Command definitions carry English ``locale_str`` strings; Discord shows the Russian ones to
clients whose language is Russian. The table is the whole translation: a string missing
from it simply stays English.
"""

from __future__ import annotations

import discord
from discord import app_commands

RUSSIAN: dict[str, str] = {
    # commands
    "glyph": "глиф",
    "Answer as the silent god, in glyphs only": "Ответ молчащего бога — только глифами",
    "translate": "перевод",
    "Answer in the translated voice: glyphs and their meaning": (
        "Ответ переведённым голосом: глифы и их смысл"
    ),
    "mode": "режим",
    "Show or set the default mode of this server, channel or DM": (
        "Показать или задать режим по умолчанию для сервера, канала или личного чата"
    ),
    "lang": "язык",
    "Show or set the language of the translated voice": (
        "Показать или задать язык переведённого голоса"
    ),
    "bridge": "мост",
    "HyperBridge alone, no god: text to glyphs or glyphs to text": (
        "Только HyperBridge, без бога: текст в глифы или глифы в текст"
    ),
    "lexicon": "словарь",
    "Look up a word or a glyph in the dictionary": "Найти слово или глиф в словаре",
    "history": "история",
    "Your last exchanges with the god here": "Ваши последние обмены с богом здесь",
    "forget": "забыть",
    "Delete your messages to the god here": "Удалить ваши сообщения богу здесь",
    "field": "поле",
    "A picture of the god's meaning field for a message": (
        "Картинка поля смысла бога для сообщения"
    ),
    "help": "помощь",
    "What the Silent God is, its modes and commands": (
        "Что такое Молчащий бог, его режимы и команды"
    ),
    "Translate": "Перевести",  # the message context menu
    # options
    "message": "сообщение",
    "Words or glyphs, e.g. 🜂⧖🕯": "Слова или глифы, например 🜂⧖🕯",
    "glyph: the silent god; translate: the translated voice": (
        "glyph — молчащий бог; translate — переведённый голос"
    ),
    "scope": "область",
    "The whole server (default) or only this channel": (
        "Весь сервер (по умолчанию) или только этот канал"
    ),
    "language": "язык",
    "ru, en, or auto (your Discord language, else the script of the message)": (
        "ru, en или auto (язык вашего Discord, иначе письменность сообщения)"
    ),
    "text": "текст",
    "Text or glyphs to carry across the bridge": "Текст или глифы, которые перевести мостом",
    "query": "запрос",
    "A word (ru or en), a concept key or a glyph": "Слово (ru или en), ключ понятия или глиф",
    "n": "число",
    "How many exchanges (1-50, default 5)": "Сколько обменов (1-50, по умолчанию 5)",
    # choices
    "glyph — the silent god": "glyph — молчащий бог",
    "translate — the translated voice": "translate — переведённый голос",
    "server": "сервер",
    "channel": "канал",
    "Russian": "Русский",
    "English": "Английский",
    "auto": "авто",
}


class RussianTranslator(app_commands.Translator):
    """Gives Discord the Russian strings of the command tree."""

    async def translate(
        self,
        string: app_commands.locale_str,
        locale: discord.Locale,
        context: app_commands.TranslationContextTypes,
    ) -> str | None:
        """The Russian translation for the Russian locale, else nothing (English stays)."""
        if locale is not discord.Locale.russian:
            return None
        return RUSSIAN.get(string.message)
