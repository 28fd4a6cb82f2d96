"""Self-tests of the fake Bot API server, driven by the real python-telegram-bot Application."""

from __future__ import annotations

import asyncio
import json
import struct
import zlib
from collections.abc import AsyncIterator

import pytest
from telegram import (
    ChatMemberAdministrator,
    ChatMemberMember,
    ChatMemberOwner,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    Update,
)
from telegram.constants import ChatAction, ParseMode
from telegram.error import BadRequest, EndPointNotFound, Forbidden
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    InlineQueryHandler,
    MessageHandler,
    filters,
)

from tests.fakes.telegram_api import (
    DEFAULT_GROUP_ID,
    DEFAULT_USER_ID,
    FakeBotAPI,
    ParseError,
    auto_entities,
    parse_html,
    parse_markdown,
    parse_markdown_v2,
)

TOKEN = "123:ABC"


def _png(width: int, height: int) -> bytes:
    """A tiny valid grey PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    pixels = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(pixels))
        + chunk(b"IEND", b"")
    )


PNG = _png(3, 2)
ERRORS = "errors"  # bot_data key of the queue of exceptions raised in handlers


async def _echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Echo text; mark replies to the bot's own messages."""
    message = update.effective_message
    assert message is not None and message.text is not None
    await message.reply_chat_action(ChatAction.TYPING)
    replied = message.reply_to_message
    prefix = (
        "re: " if replied and replied.from_user and replied.from_user.id == context.bot.id else ""
    )
    await message.reply_text(f"{prefix}echo: {message.text}", do_quote=True)


async def _start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer with an inline keyboard."""
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("🜂", callback_data="glyph"),
                InlineKeyboardButton("Aa", callback_data="translate"),
            ]
        ]
    )
    assert update.effective_message is not None
    await update.effective_message.reply_text("Choose a mode", reply_markup=keyboard)


async def _html(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Send the arguments as HTML."""
    assert update.effective_message is not None
    await update.effective_message.reply_text(
        " ".join(context.args or []), parse_mode=ParseMode.HTML
    )


async def _glyphs(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Send N astral-plane glyphs (two UTF-16 code units each)."""
    assert update.effective_message is not None and context.args
    await update.effective_message.reply_text("🜂" * int(context.args[0]))


async def _field(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Upload a PNG with a caption."""
    assert update.effective_message is not None
    await update.effective_message.reply_photo(
        PNG, caption="<b>field</b>", parse_mode=ParseMode.HTML
    )


async def _button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer the button press and edit the message."""
    query = update.callback_query
    assert query is not None
    await query.answer(f"mode: {query.data}")
    await query.edit_message_text(f"Mode set: {query.data}")


async def _inline(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer an inline query with one article."""
    query = update.inline_query
    assert query is not None
    content = InputTextMessageContent(f"🜂 {query.query}")
    await query.answer(
        [InlineQueryResultArticle("1", f"Glyphs for {query.query}", content)], cache_time=0
    )


async def _on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Hand handler exceptions to the test."""
    context.bot_data[ERRORS].put_nowait(context.error)


@pytest.fixture
async def fake() -> AsyncIterator[FakeBotAPI]:
    """A running fake Bot API server; afterwards, no task may be left running."""
    async with FakeBotAPI() as api:
        yield api
    assert not api.server_errors
    leftover = [t for t in asyncio.all_tasks() if t is not asyncio.current_task() and not t.done()]
    assert not leftover, f"tasks left running after shutdown: {leftover}"


@pytest.fixture
async def app(fake: FakeBotAPI) -> AsyncIterator[Application]:
    """A real PTB Application polling the fake; shut down cleanly afterwards."""
    application = (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(fake.base_url)
        .base_file_url(fake.base_file_url)
        .rate_limiter(AIORateLimiter(max_retries=3))
        .build()
    )
    application.bot_data[ERRORS] = asyncio.Queue()
    application.add_handler(CommandHandler("start", _start))
    application.add_handler(CommandHandler("html", _html))
    application.add_handler(CommandHandler("glyphs", _glyphs))
    application.add_handler(CommandHandler("field", _field))
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, _echo))
    application.add_handler(CallbackQueryHandler(_button))
    application.add_handler(InlineQueryHandler(_inline))
    application.add_error_handler(_on_error)
    async with application:
        await application.start()
        await application.updater.start_polling(poll_interval=0.0, timeout=1)
        yield application
        await application.updater.stop()
        await application.stop()


async def _next_error(application: Application) -> BaseException:
    """The next exception a handler raised."""
    return await asyncio.wait_for(application.bot_data[ERRORS].get(), 5)


async def test_startup_wires_base_url_and_records_token(fake: FakeBotAPI, app: Application) -> None:
    assert app.bot.base_url == f"{fake.base_url}{TOKEN}"
    assert app.bot.username == "silentgod_bot" and app.bot.id == 123
    assert fake.token == TOKEN and fake.tokens_seen == {TOKEN}
    assert [c.method for c in fake.calls()][:2] == ["getMe", "deleteWebhook"]
    me = fake.calls("getMe")[0].result
    assert me["can_join_groups"] and me["supports_inline_queries"]
    assert app.updater.running  # getUpdates calls are recorded when answered (after <= 1 s)


async def test_private_echo_with_typing_and_reply(fake: FakeBotAPI, app: Application) -> None:
    update = fake.push_update(fake.private_message("hello 🜂", language_code="ru"))
    call = await fake.wait_for("sendMessage")
    assert call.params["text"] == "echo: hello 🜂" and call.params["chat_id"] == DEFAULT_USER_ID
    assert call.params["reply_parameters"]["message_id"] == update["message"]["message_id"]
    assert call.result["reply_to_message"]["text"] == "hello 🜂"
    assert (
        call.result["from"]["is_bot"]
        and call.result["message_id"] > update["message"]["message_id"]
    )
    action = fake.calls("sendChatAction")[0]
    assert action.params == {"chat_id": DEFAULT_USER_ID, "action": "typing"}
    assert action.at <= call.at

    fake.push_update(fake.private_message("again", reply_to=call))  # reply to the bot's message
    again = await fake.wait_for("sendMessage", lambda c: "again" in c.params["text"])
    assert again.params["text"] == "re: echo: again"


async def test_group_command_entities_and_inline_keyboard(
    fake: FakeBotAPI, app: Application
) -> None:
    update = fake.command("start", chat_id=DEFAULT_GROUP_ID, mention=True)
    assert update["message"]["text"] == "/start@silentgod_bot"
    assert update["message"]["entities"] == [{"type": "bot_command", "offset": 0, "length": 20}]
    fake.push_update(update)
    call = await fake.wait_for("sendMessage")
    assert call.params["chat_id"] == DEFAULT_GROUP_ID
    buttons = call.result["reply_markup"]["inline_keyboard"][0]
    assert [b["callback_data"] for b in buttons] == ["glyph", "translate"]
    assert call.result["chat"]["type"] == "supergroup"

    # a command addressed to another bot is ignored by PTB's CommandHandler
    fake.push_update(fake.group_message("/start@other_bot"))
    fake.push_update(fake.group_message("plain group text"))
    echoed = await fake.wait_for("sendMessage", lambda c: "plain" in c.params["text"])
    assert echoed.params["text"] == "echo: plain group text"
    assert len(fake.calls("sendMessage")) == 2


async def test_callback_query_is_answered_and_message_edited(
    fake: FakeBotAPI, app: Application
) -> None:
    fake.push_update(fake.command("start"))
    sent = await fake.wait_for("sendMessage")
    fake.push_update(fake.callback_query("glyph", message=sent))
    answer = await fake.wait_for("answerCallbackQuery")
    assert answer.ok and answer.params["text"] == "mode: glyph"
    edit = await fake.wait_for("editMessageText")
    assert edit.ok and edit.params["message_id"] == sent.result["message_id"]
    assert fake.sent_messages()[-1]["text"] == "Mode set: glyph"
    assert "reply_markup" not in fake.sent_messages()[-1]  # no keyboard passed to the edit

    # a second press on the edited message: an answered query id can't be reused
    with pytest.raises(BadRequest, match="Query is too old"):
        await app.bot.answer_callback_query(answer.params["callback_query_id"])


async def test_inline_query_is_answered(fake: FakeBotAPI, app: Application) -> None:
    update = fake.push_update(fake.inline_query("fire"))
    call = await fake.wait_for("answerInlineQuery")
    assert call.ok and call.params["inline_query_id"] == update["inline_query"]["id"]
    [result] = call.params["results"]
    assert result["type"] == "article" and result["title"] == "Glyphs for fire"
    assert result["input_message_content"]["message_text"] == "🜂 fire"


async def test_429_is_retried_by_the_rate_limiter(
    fake: FakeBotAPI, app: Application, monkeypatch: pytest.MonkeyPatch
) -> None:
    # PTB 22's own RetryAfter.__init__ reads the deprecated int `retry_after` and warns on every
    # 429 unless PTB_TIMEDELTA opts in to timedelta values.
    monkeypatch.setenv("PTB_TIMEDELTA", "1")
    fake.fail_next("sendMessage", retry_after=1)
    fake.push_update(fake.private_message("patience"))
    delivered = await fake.wait_for("sendMessage", ok=True)
    [refused] = fake.calls("sendMessage", ok=False)
    assert refused.status == 429
    assert refused.response == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 1",
        "parameters": {"retry_after": 1},
    }
    assert delivered.params["text"] == "echo: patience"
    assert delivered.at - refused.at >= 1.0
    assert app.bot_data[ERRORS].empty()


async def test_editing_one_message_too_fast_is_refused_when_simulated(
    fake: FakeBotAPI, app: Application, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "1")
    fake.push_update(fake.command("start"))
    sent = await fake.wait_for("sendMessage")
    message_id = sent.result["message_id"]
    await app.bot.edit_message_text("one", DEFAULT_USER_ID, message_id)  # no limit: any pace
    await app.bot.edit_message_text("two", DEFAULT_USER_ID, message_id)
    fake.limit_edits(60.0, retry_after=1)
    mark = fake.mark()
    fake.push_update(fake.callback_query("glyph", message=sent))
    answer = await fake.wait_for("answerCallbackQuery", since=mark)
    assert answer.ok  # the press is answered; its edit is refused
    refused = await fake.wait_for("editMessageText", since=mark)
    assert refused.status == 429 and refused.response["parameters"] == {"retry_after": 1}
    assert "Too Many Requests" in refused.response["description"]
    assert fake.message(DEFAULT_USER_ID, message_id)["text"] == "two"
    await asyncio.wait_for(_next_error(app), 10)  # the rate limiter gave up after its retries
    fake.limit_edits(None)
    await app.bot.edit_message_text("three", DEFAULT_USER_ID, message_id)
    assert fake.message(DEFAULT_USER_ID, message_id)["text"] == "three"


async def test_other_injected_errors_reach_the_bot(fake: FakeBotAPI, app: Application) -> None:
    fake.fail_next(
        "sendMessage", error_code=403, description="Forbidden: bot was blocked by the user"
    )
    fake.push_update(fake.private_message("anyone there?"))
    error = await _next_error(app)
    assert isinstance(error, Forbidden) and "blocked" in str(error)


async def test_photo_upload_and_download(fake: FakeBotAPI, app: Application) -> None:
    fake.push_update(fake.command("field"))
    call = await fake.wait_for("sendPhoto")
    assert call.files["photo"] == PNG and call.file_names["photo"]
    assert call.params["caption"] == "<b>field</b>" and call.params["parse_mode"] == "HTML"
    message = call.result
    assert message["caption"] == "field"
    assert message["caption_entities"] == [{"type": "bold", "offset": 0, "length": 5}]
    assert (message["photo"][-1]["width"], message["photo"][-1]["height"]) == (3, 2)

    file = await app.bot.get_file(message["photo"][-1]["file_id"])
    assert file.file_path.startswith(f"{fake.base_file_url}{TOKEN}/photos/")
    assert bytes(await file.download_as_bytearray()) == PNG


async def test_html_is_validated(fake: FakeBotAPI, app: Application) -> None:
    fake.push_update(fake.command("html", "<b>bold</b> &amp; <i>it</i>"))
    ok = await fake.wait_for("sendMessage")
    assert ok.result["text"] == "bold & it"
    assert ok.result["entities"] == [
        {"type": "bold", "offset": 0, "length": 4},
        {"type": "italic", "offset": 7, "length": 2},
    ]
    fake.push_update(fake.command("html", "line<br>break"))
    error = await _next_error(app)
    assert isinstance(error, BadRequest)
    assert str(error) == 'Can\'t parse entities: unsupported start tag "br" at byte offset 4'
    fake.push_update(fake.command("html", "<b>never closed"))
    error = await _next_error(app)
    assert isinstance(error, BadRequest) and "can't parse entities" in str(error).lower()


async def test_message_length_counts_utf16_units(fake: FakeBotAPI, app: Application) -> None:
    fake.push_update(fake.command("glyphs", "2048"))  # 4096 UTF-16 code units: allowed
    assert (await fake.wait_for("sendMessage", ok=True)).result["text"] == "🜂" * 2048
    fake.push_update(fake.command("glyphs", "2049"))
    error = await _next_error(app)
    assert isinstance(error, BadRequest) and str(error) == "Message is too long"


async def test_members_commands_chat_and_unknown_methods(
    fake: FakeBotAPI, app: Application
) -> None:
    bot = app.bot
    fake.set_chat_member(DEFAULT_GROUP_ID, 7, "administrator")
    fake.set_chat_member(DEFAULT_GROUP_ID, 8, "creator")
    assert isinstance(await bot.get_chat_member(DEFAULT_GROUP_ID, 7), ChatMemberAdministrator)
    assert isinstance(await bot.get_chat_member(DEFAULT_GROUP_ID, 8), ChatMemberOwner)
    assert isinstance(await bot.get_chat_member(DEFAULT_GROUP_ID, 9), ChatMemberMember)

    await bot.set_my_commands([("glyph", "Ответ богом")], language_code="ru")
    await bot.set_my_commands([("glyph", "Answer as the god")])
    assert [c.description for c in await bot.get_my_commands(language_code="ru")] == ["Ответ богом"]
    assert [c.description for c in await bot.get_my_commands()] == ["Answer as the god"]
    assert fake.commands(language_code="ru") == [{"command": "glyph", "description": "Ответ богом"}]
    with pytest.raises(BadRequest):
        await bot.set_my_commands([("Bad-Name", "x")])

    fake.push_update(fake.group_message("hi", chat_id=-100777, title="Circle"))
    chat = await bot.get_chat(-100777)
    assert chat.title == "Circle" and chat.type == "supergroup"

    with pytest.raises(EndPointNotFound):  # PTB maps Telegram's 404 to InvalidToken, then this
        await bot.do_api_request("noSuchMethod")
    assert fake.calls("noSuchMethod")[0].response == {
        "ok": False,
        "error_code": 404,
        "description": "Not Found",
    }
    assert [(v.method, v.field) for v in fake.take_violations()] == [
        ("setMyCommands", "commands.0.command"),
        ("noSuchMethod", "(method)"),
    ]
    await fake.wait_for("sendMessage")  # the echo of "hi"
    for call in fake.calls():
        assert TOKEN not in json.dumps(call.params, ensure_ascii=False)


async def test_documents_edits_and_reply_checks(fake: FakeBotAPI, app: Application) -> None:
    bot = app.bot
    doc = await bot.send_document(DEFAULT_USER_ID, "🜂 ⧖".encode(), filename="glyphs.txt")
    assert doc.document.file_name == "glyphs.txt" and doc.document.mime_type == "text/plain"
    assert fake.calls("sendDocument")[0].files["document"] == "🜂 ⧖".encode()

    mark = fake.mark()
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="x")]])
    sent = await bot.send_message(DEFAULT_USER_ID, "*hi*", parse_mode=ParseMode.MARKDOWN_V2)
    assert sent.text == "hi" and sent.entities[0].type == "bold"
    edited = await bot.edit_message_reply_markup(
        DEFAULT_USER_ID, sent.message_id, reply_markup=keyboard
    )
    assert edited.reply_markup == keyboard
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_reply_markup(DEFAULT_USER_ID, sent.message_id, reply_markup=keyboard)
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("x", chat_id=DEFAULT_USER_ID, message_id=999)
    with pytest.raises(BadRequest, match="Message to be replied not found"):
        await bot.send_message(DEFAULT_USER_ID, "x", reply_to_message_id=999)
    assert [c.method for c in fake.calls()[mark:] if c.method != "getUpdates"] == [
        "sendMessage",
        "editMessageReplyMarkup",
        "editMessageReplyMarkup",
        "editMessageText",
        "sendMessage",
    ]
    assert (await fake.wait_for("sendMessage", since=mark)).params["parse_mode"] == "MarkdownV2"


def test_entity_offsets_are_utf16() -> None:
    assert auto_entities("🜂 /glyph@silentgod_bot @alice_g") == [
        {"type": "bot_command", "offset": 3, "length": 20},
        {"type": "mention", "offset": 24, "length": 8},
    ]
    assert parse_html("🜂<b>x</b>") == ("🜂x", [{"type": "bold", "offset": 2, "length": 1}])


def test_markdown_parsers() -> None:
    text, entities = parse_markdown_v2(r"*bold* _it_ __u__ ||s|| `c\`` [l](http://x/\)) 1\.")
    assert text == "bold it u s c` l 1."
    assert [e["type"] for e in entities] == [
        "bold",
        "italic",
        "underline",
        "spoiler",
        "code",
        "text_link",
    ]
    assert entities[-1]["url"] == "http://x/)"
    with pytest.raises(ParseError, match=r"Character '\.' is reserved"):
        parse_markdown_v2("1.")
    with pytest.raises(ParseError, match="Can't find end of Bold entity at byte offset 0"):
        parse_markdown_v2("*open")
    assert parse_markdown("*b* [x](http://y)") == (
        "b x",
        [
            {"type": "bold", "offset": 0, "length": 1},
            {"type": "text_link", "offset": 2, "length": 1, "url": "http://y"},
        ],
    )
    with pytest.raises(ParseError, match="byte offset 2"):
        parse_markdown("a _b")
