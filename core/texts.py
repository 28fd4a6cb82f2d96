"""Everything the bot says in words, in Russian and English, in one place."""

from __future__ import annotations

from core.types import Language

TEXTS: dict[str, dict[Language, str]] = {
    "help_intro": {
        "en": (
            "I am the Silent God. I think only in glyphs — 🜂 fire, ⧖ time, 🕯 candle, "
            "⚗ the question of a mixture…\n\n"
            "Two ways to hear me:\n"
            "• glyph — the silent god: I answer in glyphs only.\n"
            "• translate — the translated voice: my glyphs and their meaning in words.\n\n"
            "Commands:"
        ),
        "ru": (
            "Я — Молчащий бог. Я мыслю только глифами — 🜂 огонь, ⧖ время, 🕯 свеча, "
            "⚗ вопрос о смеси…\n\n"
            "Два способа меня услышать:\n"
            "• glyph — молчащий бог: отвечаю только глифами.\n"
            "• translate — переведённый голос: мои глифы и их смысл словами.\n\n"
            "Команды:"
        ),
    },
    "help_examples": {
        "en": "Try: 🜂⧖🕯  ·  ⚗⟁🔥  ·  what comes of fire and water?  ·  opposite of day",
        "ru": (
            "Попробуйте: 🜂⧖🕯  ·  ⚗⟁🔥  ·  что будет, если смешать огонь и воду?  ·  "
            "противоположность дня"
        ),
    },
    "empty": {
        "en": "Say something — words or glyphs.",
        "ru": "Скажите что-нибудь — словами или глифами.",
    },
    "too_long": {
        "en": "That message is too long for the god ({length} characters; the limit is {limit}).",
        "ru": "Это сообщение слишком длинное для бога ({length} символов; предел — {limit}).",
    },
    "busy": {
        "en": "The god is busy — too many questions at once. Ask again in a moment.",
        "ru": "Бог занят — слишком много вопросов сразу. Спросите чуть позже.",
    },
    "rate_limited": {
        "en": "Slow down: you are asking faster than the god answers everyone. "
        "Messages sent meanwhile are not answered; ask again in a minute.",
        "ru": "Помедленнее: вы спрашиваете быстрее, чем бог успевает отвечать всем. "
        "Сообщения, отправленные пока, останутся без ответа; спросите через минуту.",
    },
    "flooded": {
        "en": "Too many messages here at once: I skipped some. Ask again in a moment.",
        "ru": "Слишком много сообщений сразу: часть я пропустил. Спросите чуть позже.",
    },
    "error": {
        "en": "Something went wrong while the god was thinking. Please try again.",
        "ru": "Что-то пошло не так, пока бог думал. Попробуйте ещё раз.",
    },
    "store_error": {
        "en": "I cannot remember right now (the database is unavailable); try again later.",
        "ru": "Сейчас я не могу запоминать (база данных недоступна); попробуйте позже.",
    },
    "unheard": {
        "en": "The god heard no word it knows{unknown}.",
        "ru": "Бог не услышал ни одного знакомого слова{unknown}.",
    },
    "unknown_words": {
        "en": "Not understood: {words}",
        "ru": "Не понято: {words}",
    },
    "mode_is": {
        "en": "Mode here: {mode}.",
        "ru": "Режим здесь: {mode}.",
    },
    "mode_set": {
        "en": "Mode set to {mode}.",
        "ru": "Режим установлен: {mode}.",
    },
    "mode_bad": {
        "en": "Unknown mode {value!r}: use glyph or translate.",
        "ru": "Неизвестный режим {value!r}: используйте glyph или translate.",
    },
    "admins_only": {
        "en": "Only administrators may change this setting here.",
        "ru": "Менять эту настройку здесь могут только администраторы.",
    },
    "lang_is": {
        "en": "Language of the translated voice: {language}.",
        "ru": "Язык переведённого голоса: {language}.",
    },
    "lang_set": {
        "en": "Language set to {language}.",
        "ru": "Язык установлен: {language}.",
    },
    "lang_bad": {
        "en": "Unknown language {value!r}: use ru, en or auto.",
        "ru": "Неизвестный язык {value!r}: используйте ru, en или auto.",
    },
    "history_empty": {
        "en": "No exchanges with you here yet.",
        "ru": "Здесь пока нет ваших обменов.",
    },
    "history_bad": {
        "en": "Give a number of exchanges from 1 to {limit}.",
        "ru": "Укажите число обменов от 1 до {limit}.",
    },
    "forgotten": {
        "en": "Forgotten: {count} of your messages in this chat.",
        "ru": "Забыто ваших сообщений в этом чате: {count}.",
    },
    "lexicon_none": {
        "en": "No glyph for {query!r}.",
        "ru": "Нет глифа для «{query}».",
    },
    "needs_text": {
        "en": "Add a message after the command, e.g. {example}",
        "ru": "Добавьте сообщение после команды, например: {example}",
    },
    "nothing_to_translate": {
        "en": "Reply to one of my glyph messages, or add text: /translate <message>",
        "ru": "Ответьте на моё сообщение с глифами или добавьте текст: /translate <сообщение>",
    },
    "translate_button": {
        "en": "Translate",
        "ru": "Перевести",
    },
    "translation_gone": {
        "en": "That answer is no longer remembered.",
        "ru": "Этот ответ уже забыт.",
    },
    "field_unheard": {
        "en": "Nothing to draw: the god heard no word it knows{unknown}.",
        "ru": "Нечего рисовать: бог не услышал ни одного знакомого слова{unknown}.",
    },
    "field_caption": {
        "en": "The meaning field: {heard} → {glyphs}",
        "ru": "Поле смысла: {heard} → {glyphs}",
    },
    "channel_mode_set": {
        "en": "Mode of this channel set to {mode}; it takes precedence over the server's mode.",
        "ru": "Режим этого канала: {mode}; он важнее режима сервера.",
    },
    "channel_mode_is": {
        "en": "Mode in this channel: {mode}.",
        "ru": "Режим в этом канале: {mode}.",
    },
    # Telegram inline mode
    "inline_glyphs": {"en": "In glyphs", "ru": "Глифами"},
    "inline_words": {"en": "In words", "ru": "Словами"},
    "inline_silent": {"en": "The silent god answers", "ru": "Молчащий бог отвечает"},
    "inline_voice": {"en": "The translated voice", "ru": "Переведённый голос"},
    # [access]: who may ask, daily quotas, the owners' /stats
    "no_access": {
        "en": "Forgive me: the keeper of this god has not opened it to you here, so your "
        "messages go unanswered and are not kept. (You are told this once a day.)",
        "ru": "Простите: хранитель этого бога не открыл его вам здесь, поэтому ваши сообщения "
        "остаются без ответа и не сохраняются. (Это сообщается раз в день.)",
    },
    "quota_answer": {
        "en": "You have had your {limit} answers for today. The god answers you again in "
        "{hours} h {minutes} min (at midnight UTC); until then your messages go unanswered.",
        "ru": "Вы уже получили {limit} ответов за сегодня. Бог снова ответит вам через "
        "{hours} ч {minutes} мин (в полночь UTC); до тех пор сообщения остаются без ответа.",
    },
    "quota_field": {
        "en": "You have had your {limit} meaning-field pictures for today. /field works for "
        "you again in {hours} h {minutes} min (at midnight UTC).",
        "ru": "Вы уже получили {limit} картинок поля смысла за сегодня. /field снова "
        "заработает для вас через {hours} ч {minutes} мин (в полночь UTC).",
    },
    "owners_only": {
        "en": "Only the bot's owners may do that (see [access] owners in its config).",
        "ru": "Это могут только владельцы бота (см. [access] owners в его настройках).",
    },
}


def say(key: str, language: Language, /, **values: object) -> str:
    """One phrase in ``language``, with ``values`` filled in."""
    return TEXTS[key][language].format(**values)
