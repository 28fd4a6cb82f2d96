"""A whole conversation through the console frontend, the in-memory frontend of tests."""

from __future__ import annotations

from bot.console.frontend import ConsoleFrontend


async def test_seed_exchanges_in_glyph_mode(god_service) -> None:
    console = ConsoleFrontend(god_service, user_id="ada", language_hint="en")
    assert await console.handle("/mode glyph") == "Mode set to glyph."
    assert await console.handle("🜂⧖🕯") == "⟁☰☉⚭"
    assert await console.handle("⚗⟁🔥") == "♁🜂🜍"
    assert (await console.handle("/mode")).startswith("Mode here: glyph")


async def test_translated_voice_and_reveal(god_service) -> None:
    console = ConsoleFrontend(god_service, user_id="ada", language_hint="en")
    reply = await console.handle("⚗⟁🔥")
    assert reply.splitlines()[0] == "♁🜂🜍"
    assert "matter passes through fire into transformation" in reply.lower()
    await console.handle("/mode glyph")
    assert await console.handle("⚗⟁🔥") == "♁🜂🜍"
    revealed = await console.handle("/translate")
    assert "transformation" in revealed.lower()


async def test_russian_text_is_heard_and_answered_in_russian(god_service) -> None:
    console = ConsoleFrontend(god_service, user_id="ivan", language_hint="ru")
    reply = await console.handle("/translate огонь, время и свеча")
    glyphs, text = reply.splitlines()[:2]
    assert glyphs == "⟁☰☉⚭"
    assert "едины" in text.lower()


async def test_and_then_uses_the_previous_answer(god_service) -> None:
    console = ConsoleFrontend(god_service, user_id="ada", language_hint="en")
    await console.handle("/mode glyph")
    lexicon = god_service.lexicon
    night = lexicon.glyph("night")
    assert await console.handle(f"{lexicon.glyph('cycle')}{night}") == lexicon.glyph("dawn")
    assert await console.handle(lexicon.glyph("then")) == lexicon.glyph("day")
    assert await console.handle(lexicon.glyph("then")) == lexicon.glyph("dusk")


async def test_unknown_words_get_silence_not_garbage(god_service) -> None:
    console = ConsoleFrontend(god_service, user_id="ada", language_hint="en")
    await console.handle("/mode glyph")
    reply = await console.handle("qwzx blorft")
    assert reply.splitlines()[0] == "◌"
    assert "heard no word" in reply


async def test_commands(god_service) -> None:
    console = ConsoleFrontend(god_service, user_id="ada", language_hint="en")
    assert "/glyph" in await console.handle("/help")
    assert "🜂" in await console.handle("/lexicon fire")
    assert "🜂" in await console.handle("/lexicon огонь")
    assert "No glyph" in await console.handle("/lexicon zzzz")
    bridged = await console.handle("/bridge fire and time")
    assert bridged.splitlines()[0] == "🜂⧖"
    assert "Язык установлен: ru" in await console.handle("/lang ru")
    assert "Язык" in await console.handle("/lang")
    assert "en" in await console.handle("/lang en")
    await console.handle("🜂⧖🕯")
    history = await console.handle("/history 1")
    assert "🜂⧖🕯" in history and "⟁☰☉⚭" in history
    assert "1 and 50" in await console.handle("/history many") or "1 to 50" in (
        await console.handle("/history many")
    )
    assert "Forgotten: " in await console.handle("/forget")
    assert "No exchanges" in await console.handle("/history")


async def test_bad_input_gets_a_clear_answer(god_service) -> None:
    console = ConsoleFrontend(god_service, user_id="ada", language_hint="en")
    assert "too long" in await console.handle("fire " * 20_000)
    assert await console.handle("   ") == ""
    weird = await console.handle("\x00\x07 \u202efire\u200b \ud800 👨\u200d👩\u200d👧")
    assert weird
    assert "Add a message" in await console.handle("/glyph")
