"""/compose on Telegram end to end: PTB over the fake Bot API, the shipped god, real SQLite.

A question is built with button presses only, asked, and answered; strangers are refused; a
burst of presses edits one message even when Telegram refuses edits that come too fast; and a
composer opened before a restart still works after it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from bot.telegram.composer import Shown, keyboard
from core.commands.compose import MAX_SCENE, View, catalogue
from core.language.lexicon import load_lexicon
from tests.fakes.telegram_api import DEFAULT_USER_ID, FakeBotAPI
from tests.telegram.frontend import running

WAIT = 10.0
CHAT = DEFAULT_USER_ID


def _buttons(message: dict) -> list[dict]:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return [button for row in rows for button in row]


def _find(message: dict, label: Callable[[str], bool]) -> dict | None:
    return next((b for b in _buttons(message) if label(b["text"])), None)


async def _open(fake: FakeBotAPI, **user: object) -> dict:
    """Send /compose; the composer message as the fake holds it."""
    mark = fake.mark()
    fake.push_update(fake.command("compose", **user))  # type: ignore[arg-type]
    sent = await fake.wait_for("sendMessage", since=mark, timeout=WAIT, ok=True)
    return sent.result


def _current(fake: FakeBotAPI, message: dict) -> dict:
    found = fake.message(message["chat"]["id"], message["message_id"])
    assert found is not None
    return found


async def _until(check: Callable[[], bool], what: str, timeout: float = WAIT) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


async def _press(fake: FakeBotAPI, message: dict, button: dict, **user: object) -> dict:
    """Press a button and wait until the message shows what it changed."""
    before = _current(fake, message)
    mark = fake.mark()
    fake.push_update(fake.callback_query(button["callback_data"], message=message, **user))  # type: ignore[arg-type]
    answered = await fake.wait_for("answerCallbackQuery", since=mark, timeout=WAIT)
    assert answered.ok
    if button["callback_data"].endswith(":a"):
        return _current(fake, message)
    await _until(lambda: _current(fake, message) != before, "the composer to change")
    return _current(fake, message)


async def _add(fake: FakeBotAPI, message: dict, glyph: str) -> dict:
    """Add ``glyph`` by buttons only: its category, then pages until it shows, then it."""
    entry = load_lexicon().by_glyph(glyph)
    assert entry is not None
    current = _current(fake, message)
    button = _find(current, lambda text: text == glyph or text.startswith(f"{glyph} "))
    if button is None:
        layout = catalogue(load_lexicon())
        name = layout.category_name(layout.categories.index(entry.category), "en")
        back = _find(current, lambda t: t.startswith("↩"))
        if back is not None:  # on a page of another category: back to all of them
            current = await _press(fake, message, back)
        current = await _press(fake, message, _find(current, lambda t: t == name))  # type: ignore[arg-type]
        while (button := _find(current, lambda t: t.startswith(f"{glyph} "))) is None:
            current = await _press(fake, message, _find(current, lambda t: t == "▶"))  # type: ignore[arg-type]
    return await _press(fake, message, button)


async def test_a_question_built_with_buttons_is_asked_and_answered(
    fake: FakeBotAPI, god_service
) -> None:
    async with running(fake, god_service):
        composer = await _open(fake)
        assert composer["text"].startswith("…\nPress glyphs")
        first_row = composer["reply_markup"]["inline_keyboard"][0]
        assert [b["text"] for b in first_row] == ["⚗", "☍", "↻", "⇝", "∴", "⊂", "⤳"]
        assert _find(composer, lambda t: t.endswith(" life")) is not None
        for glyph in "⚗⟁🔥":
            shown = await _add(fake, composer, glyph)
        assert shown["text"].split("\n")[:2] == ["⚗⟁🔥", "⚗ mix · ⟁ growth · 🔥 flame"]
        undone = await _press(fake, composer, _find(shown, lambda t: "Undo" in t))  # type: ignore[arg-type]
        assert undone["text"].startswith("⚗⟁\n")
        shown = await _add(fake, composer, "🔥")
        sends = len(fake.calls("sendMessage"))
        assert sends == 1  # every press edited the one composer message

        mark = fake.mark()
        await _press(fake, composer, _find(shown, lambda t: t.startswith("Ask")))  # type: ignore[arg-type]
        answer = await fake.wait_for("sendMessage", since=mark, timeout=WAIT, ok=True)
        glyphs, text = answer.params["text"].split("\n")[:2]
        assert glyphs == "♁🜂🜍"
        assert "transformation" in text.lower()
        assert answer.params["chat_id"] == CHAT
        history = await god_service.memory.history(_incoming(), 1)
        assert history and history[0].question == "⚗⟁🔥"  # asked as that user, and remembered
        cleared = await _press(fake, composer, _find(shown, lambda t: "Clear" in t))  # type: ignore[arg-type]
        assert cleared["text"].startswith("…\n")


def _incoming():  # type: ignore[no-untyped-def]
    from core.types import Incoming

    return Incoming(platform="telegram", chat_id=str(CHAT), user_id=str(CHAT), text="")


async def test_another_users_press_is_refused(fake: FakeBotAPI, god_service) -> None:
    async with running(fake, god_service):
        composer = await _open(fake)
        fire = _find(composer, lambda t: t == "⚗")
        assert fire is not None
        mark = fake.mark()
        stranger = {"user_id": 2002, "first_name": "Иван", "language_code": "ru"}
        fake.push_update(fake.callback_query(fire["callback_data"], message=composer, **stranger))  # type: ignore[arg-type]
        refused = await fake.wait_for("answerCallbackQuery", since=mark, timeout=WAIT)
        assert refused.ok and "чужой" in refused.params["text"]
        assert refused.params["show_alert"] is True
        await asyncio.sleep(0.2)
        assert not fake.calls("editMessageText")
        assert _current(fake, composer)["text"] == composer["text"]


async def test_thirty_fast_presses_edit_one_message_and_none_is_lost(
    fake: FakeBotAPI, god_service, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "1")
    layout = catalogue(load_lexicon())
    operators = [e.glyph for e in layout.operators]
    wanted = "".join(operators[i % len(operators)] for i in range(30))
    async with running(fake, god_service):
        composer = await _open(fake)
        fake.limit_edits(0.5, retry_after=1)  # Telegram's flood control on editing one message
        buttons = {b["text"]: b for b in composer["reply_markup"]["inline_keyboard"][0]}
        mark = fake.mark()
        for glyph in wanted:  # every press carries the message as it was before the burst
            data = buttons[glyph]["callback_data"]
            fake.push_update(fake.callback_query(data, message=composer))
        await _until(lambda: len(fake.calls("answerCallbackQuery")) == 30, "30 answered presses")
        assert all(c.ok for c in fake.calls("answerCallbackQuery"))
        await _until(
            lambda: _current(fake, composer)["text"].split("\n")[0] == wanted,
            "the composer to show all 30 glyphs",
            timeout=30,
        )
        edits = fake.calls("editMessageText")
        assert edits and {c.params["message_id"] for c in edits} == {composer["message_id"]}
        assert {c.status for c in edits} == {200, 429}  # some edits came too fast, and waited
        assert len(fake.calls("sendMessage")) == 1  # no new message per press
        assert mark < fake.mark()


def test_callback_data_fits_64_bytes_for_any_glyph_and_page() -> None:
    layout = catalogue(load_lexicon())
    longest = str(-(2**63))  # wider than any Telegram user or chat id
    full = tuple(e.glyph for e in layout.entries[:MAX_SCENE])
    views = [View()] + [
        View(c, p) for c in range(len(layout.categories)) for p in range(layout.pages(c))
    ]
    seen_glyphs = set()
    for language in ("en", "ru"):
        for view in views:
            markup = keyboard(layout, longest, Shown(full, view, language))  # type: ignore[arg-type]
            for row in markup.inline_keyboard:
                assert 1 <= len(row) <= 8
                for button in row:
                    data = button.callback_data
                    assert isinstance(data, str) and 1 <= len(data.encode()) <= 64, data
                    seen_glyphs.add(button.text.split(" ")[0])
    assert {e.glyph for e in layout.entries} <= seen_glyphs  # every glyph has its button


async def test_a_composer_opened_before_a_restart_works_after_it(
    fake: FakeBotAPI, god_service
) -> None:
    async with running(fake, god_service):
        composer = await _open(fake)
        await _add(fake, composer, "⚗")
        shown = await _add(fake, composer, "⟁")
    assert shown["text"].startswith("⚗⟁\n")
    # a new frontend: nothing of the old one's memory, only the message itself
    async with running(fake, god_service):
        shown = await _add(fake, composer, "🔥")
        assert shown["text"].startswith("⚗⟁🔥\n")
        mark = fake.mark()
        await _press(fake, composer, _find(shown, lambda t: t.startswith("Ask")))  # type: ignore[arg-type]
        answer = await fake.wait_for("sendMessage", since=mark, timeout=WAIT, ok=True)
        assert answer.params["text"].split("\n")[0] == "♁🜂🜍"


async def test_help_says_how_to_compose(fake: FakeBotAPI, god_service) -> None:
    async with running(fake, god_service):
        for code, wanted in (("en", "/compose builds a question"), ("ru", "/compose складывает")):
            mark = fake.mark()
            fake.push_update(fake.command("help", language_code=code))
            call = await fake.wait_for("sendMessage", since=mark, timeout=WAIT, ok=True)
            assert wanted in call.params["text"]
            assert "\n/compose — " in call.params["text"]
