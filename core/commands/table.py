"""The one table of commands: every frontend's menu, slash commands and /help come from it."""

from __future__ import annotations

from core.commands import (
    asking,
    compose,
    field,
    help,
    lexicon,
    memory,
    owner,
    privacy,
    settings,
)
from core.commands.model import PLATFORMS, Choice, Command, Option, Platform, Words
from core.service.memory import HISTORY_LIMIT

MESSAGE = Option(
    "message",
    "сообщение",
    Words("Words or glyphs, e.g. 🜂⧖🕯", "Слова или глифы, например 🜂⧖🕯"),
    completes=True,
)
MESSAGE_USAGE = Words("<message>", "<сообщение>")

COMMANDS: tuple[Command, ...] = (
    Command(
        "start",
        "старт",
        Words("What the Silent God is", "Кто такой Молчащий бог"),
        help.help_command,
        platforms=frozenset({"console", "telegram"}),
        in_help=False,
    ),
    Command(
        "help",
        "помощь",
        Words(
            "What the Silent God is, its modes and commands",
            "Что такое Молчащий бог, его режимы и команды",
        ),
        help.help_command,
    ),
    Command(
        "glyph",
        "глиф",
        Words("Answer as the silent god, in glyphs only", "Ответ молчащего бога — только глифами"),
        asking.glyph,
        options=(MESSAGE,),
        usage=MESSAGE_USAGE,
    ),
    Command(
        "translate",
        "перевод",
        Words(
            "Answer in the translated voice (in reply to my glyphs: translate them)",
            "Ответ переведённым голосом (ответом на мои глифы — перевести их)",
        ),
        asking.translate,
        options=(MESSAGE,),
        usage=MESSAGE_USAGE,
    ),
    Command(
        "compose",
        "составить",
        Words(
            "Build a question in glyphs with buttons, then ask it",
            "Сложить вопрос из глифов кнопками и задать его",
        ),
        compose.compose,
        platforms=frozenset({"console", "telegram"}),
    ),
    Command(
        "mode",
        "режим",
        Words(
            "Show or set the default mode here: glyph or translate",
            "Показать или задать режим по умолчанию: glyph или translate",
        ),
        settings.mode,
        options=(
            Option(
                "mode",
                "режим",
                Words(
                    "glyph: the silent god; translate: the translated voice",
                    "glyph — молчащий бог; translate — переведённый голос",
                ),
                required=False,
                choices=(
                    Choice("glyph", Words("glyph — the silent god", "glyph — молчащий бог")),
                    Choice(
                        "translate",
                        Words("translate — the translated voice", "translate — переведённый голос"),
                    ),
                ),
            ),
            Option(
                "scope",
                "область",
                Words(
                    "The whole server (default) or only this channel",
                    "Весь сервер (по умолчанию) или только этот канал",
                ),
                required=False,
                choices=(
                    Choice("server", Words("server", "сервер")),
                    Choice("channel", Words("channel", "канал")),
                ),
                platforms=frozenset({"discord"}),
            ),
        ),
        who="admins",
        usage=Words("[glyph|translate]", "[glyph|translate]"),
    ),
    Command(
        "lang",
        "язык",
        Words(
            "Show or set the language of the translated voice: ru, en or auto",
            "Показать или задать язык переведённого голоса: ru, en или auto",
        ),
        settings.lang,
        options=(
            Option(
                "language",
                "язык",
                Words(
                    "ru, en, or auto (your client's language, else the script of the message)",
                    "ru, en или auto (язык вашего клиента, иначе письменность сообщения)",
                ),
                required=False,
                choices=(
                    Choice("ru", Words("Russian", "Русский")),
                    Choice("en", Words("English", "Английский")),
                    Choice("auto", Words("auto", "авто")),
                ),
            ),
        ),
        who="admins",
        usage=Words("[ru|en|auto]", "[ru|en|auto]"),
    ),
    Command(
        "bridge",
        "мост",
        Words(
            "HyperBridge alone, no god: text to glyphs or glyphs to text",
            "Только HyperBridge, без бога: текст в глифы или глифы в текст",
        ),
        lexicon.bridge,
        options=(
            Option(
                "text",
                "текст",
                Words(
                    "Text or glyphs to carry across the bridge",
                    "Текст или глифы, которые перевести мостом",
                ),
                completes=True,
            ),
        ),
        usage=Words("<text or glyphs>", "<текст или глифы>"),
    ),
    Command(
        "lexicon",
        "словарь",
        Words("Look up a word or a glyph in the dictionary", "Найти слово или глиф в словаре"),
        lexicon.lexicon,
        options=(
            Option(
                "query",
                "запрос",
                Words(
                    "A word (ru or en), a concept key or a glyph",
                    "Слово (ru или en), ключ понятия или глиф",
                ),
                completes=True,
            ),
        ),
        usage=Words("<word or glyph>", "<слово или глиф>"),
    ),
    Command(
        "history",
        "история",
        Words("Your last exchanges with the god here", "Ваши последние обмены с богом здесь"),
        memory.history,
        options=(
            Option(
                "n",
                "число",
                Words(
                    f"How many exchanges (1-{HISTORY_LIMIT}, default 5)",
                    f"Сколько обменов (1-{HISTORY_LIMIT}, по умолчанию 5)",
                ),
                kind="integer",
                required=False,
                minimum=1,
                maximum=HISTORY_LIMIT,
            ),
        ),
        usage=Words("[n]", "[n]"),
    ),
    Command(
        "forget",
        "забыть",
        Words(
            "Delete your messages to the god here (all: everything about you, everywhere)",
            "Удалить ваши сообщения богу здесь (all — всё о вас везде)",
        ),
        privacy.forget,
        options=(
            Option(
                "scope",
                "область",
                Words(
                    "here (default): this chat; all: everything about you on this platform",
                    "here (по умолчанию) — этот чат; all — всё о вас на этой платформе",
                ),
                required=False,
                choices=(
                    Choice("here", Words("here — this chat", "here — этот чат")),
                    Choice("all", Words("all — everything, everywhere", "all — всё и везде")),
                ),
            ),
        ),
        usage=Words("[all]", "[all]"),
    ),
    Command(
        "privacy",
        "приватность",
        Words(
            "What is stored about you, for how long, and how to erase it",
            "Что о вас хранится, как долго и как это стереть",
        ),
        privacy.privacy,
    ),
    Command(
        "export",
        "экспорт",
        Words(
            "A JSON file of everything stored about you, from every chat",
            "JSON-файл со всем, что о вас хранится, из всех чатов",
        ),
        privacy.export,
    ),
    Command(
        privacy.ERASE,
        "стереть",
        Words("Erase everything about you (a confirmation)", "Стереть всё о вас (подтверждение)"),
        privacy.erase,
        listed=False,
        in_help=False,
    ),
    Command(
        "field",
        "поле",
        Words(
            "A picture of the god's meaning field for a message",
            "Картинка поля смысла бога для сообщения",
        ),
        field.field,
        options=(MESSAGE,),
        usage=MESSAGE_USAGE,
    ),
    Command(
        "stats",
        "статистика",
        Words(
            "For the bot's owners: users, chats, answers, busiest chats, latency, queue",
            "Для владельцев бота: пользователи, чаты, ответы, занятые чаты, задержка, очередь",
        ),
        owner.stats,
        who="owners",
        in_help=False,
    ),
    Command(
        "reveal",
        "перевести",
        Words("Translate", "Перевести"),
        asking.reveal,
        listed=False,
        in_help=False,
    ),
    Command(
        "ask",
        "спросить",
        Words("Ask the god in the chat's mode", "Спросить бога в режиме чата"),
        asking.ask,
        listed=False,
        in_help=False,
    ),
    Command(
        "inline",
        "встроенный",
        Words("Glyphs and the god's answer, to pick from", "Глифы и ответ бога на выбор"),
        asking.inline,
        platforms=frozenset({"telegram"}),
        listed=False,
        in_help=False,
    ),
)

BY_NAME: dict[str, Command] = {command.name: command for command in COMMANDS}


def commands_on(platform: Platform, *, listed: bool = True) -> tuple[Command, ...]:
    """The commands a platform offers (``listed``: only those in its menus)."""
    return tuple(c for c in COMMANDS if platform in c.platforms and (c.listed or not listed))


def command(name: str) -> Command:
    """A command of the table by name."""
    return BY_NAME[name]


assert all(c.platforms <= PLATFORMS for c in COMMANDS)
