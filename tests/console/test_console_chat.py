"""A whole conversation through the console frontend, the in-memory frontend of tests."""

from __future__ import annotations

from bot.console.frontend import ConsoleFrontend
from core.language.graphemes import graphemes


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


async def test_compose_lists_every_category_and_glyph_with_its_words(god_service) -> None:
    console = ConsoleFrontend(god_service, user_id="ada", language_hint="en")
    listing = (await console.handle("/compose")).splitlines()
    assert listing[0].startswith("The glyphs by category")
    assert listing[1].startswith("questions: ⚗ mix  ☍ opposite")
    assert any(line.startswith("elements: 🜂 fire") for line in listing)
    shown = "\n".join(listing)
    assert all(f"{e.glyph} {e.lemma('en')}" in shown for e in god_service.lexicon)
    russian = ConsoleFrontend(god_service, user_id="ivan", language_hint="ru")
    assert "стихии: 🜂 огонь" in await russian.handle("/compose")
    assert "Tab" in await console.handle("/help")


async def test_typed_words_become_glyphs_by_tab_completion(god_service) -> None:
    import asyncio

    from prompt_toolkit import PromptSession
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output import DummyOutput

    console = ConsoleFrontend(god_service, user_id="ada", language_hint="en")
    with create_pipe_input() as keys:
        session: PromptSession[str] = PromptSession(
            input=keys, output=DummyOutput(), completer=console._completer()
        )
        prompt = asyncio.create_task(session.prompt_async("you › "))
        buffer = session.default_buffer

        async def press(text: str, until) -> None:  # type: ignore[no-untyped-def]
            keys.send_text(text)
            for _ in range(500):
                if until():
                    return
                await asyncio.sleep(0.01)
            raise AssertionError(f"no change after {text!r}: {buffer.text!r}")

        await press("/co", lambda: buffer.text == "/co")
        await press("\t", lambda: buffer.text == "/compose")  # one command: Tab completes it
        await press("\x7f" * 8 + "/glyph fire ti", lambda: buffer.text == "/glyph fire ti")
        await press("\t", lambda: buffer.complete_state is not None)  # Tab: the scenes
        offered = [c.text for c in buffer.complete_state.completions]  # type: ignore[union-attr]
        assert "🜂⧖" in offered and all(scene.startswith("🜂") for scene in offered)
        while buffer.text != "/glyph 🜂⧖":  # Tab again walks through them
            before = buffer.text
            await press("\t", lambda: buffer.text != before)  # noqa: B023
        keys.send_text("\r")
        line = await asyncio.wait_for(prompt, 5)
    assert line == "/glyph 🜂⧖"
    answer = await console.handle(line)
    assert answer and all(god_service.lexicon.by_glyph(g) for g in graphemes(answer))
