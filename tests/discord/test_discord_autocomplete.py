"""Autocomplete of words into glyphs on Discord, end to end: the real frontend and discord.py
against the fake Discord, which sends type 4 interactions and checks the choices (type 8)."""

from __future__ import annotations

import time

from bot.discord.frontend import DiscordFrontend
from core.language.lexicon import load_lexicon
from tests.fakes.discord_api import FakeDiscord

WINDOW_S = 3.0  # Discord drops an autocomplete interaction not answered within three seconds


async def _choices(fake: FakeDiscord, command: str, option: str, typed: str, **kw: str) -> list:
    started = time.monotonic()
    ref = await fake.send_autocomplete(command, {option: typed}, option, **kw)  # type: ignore[arg-type]
    offered = await ref.offered()
    assert time.monotonic() - started < WINDOW_S / 3  # well inside Discord's window
    assert 1 <= len(offered) <= 25
    for choice in offered:
        assert 1 <= len(choice["name"]) <= 100 and 1 <= len(choice["value"]) <= 100
    return offered


async def test_the_message_options_are_synced_with_autocomplete(
    fake: FakeDiscord, frontend: DiscordFrontend
) -> None:
    completed = (("glyph", "message"), ("translate", "message"), ("bridge", "text"))
    for command, option in (*completed, ("lexicon", "query")):
        declared = {o["name"]: o for o in fake.command(command)["options"]}
        assert declared[option]["autocomplete"] is True, command
    assert not any(o.get("autocomplete") for o in fake.command("mode")["options"])


async def test_typed_english_words_become_glyph_scenes(
    fake: FakeDiscord, frontend: DiscordFrontend
) -> None:
    offered = await _choices(fake, "glyph", "message", "fire ti")
    assert {"name": "🜂⧖ — fire, time", "value": "🜂⧖"} in offered
    assert all(c["value"].startswith("🜂") and " — fire, " in c["name"] for c in offered)
    lexicon = load_lexicon()
    for choice in offered:
        keys = lexicon.keys_of(choice["value"])
        assert len(keys) == 2 and None not in keys
        words = choice["name"].split(" — ")[1].split(", ")
        assert words == [lexicon.by_key(k).lemma("en") for k in keys]  # type: ignore[arg-type]


async def test_typed_russian_words_in_a_russian_client(
    fake: FakeDiscord, frontend: DiscordFrontend
) -> None:
    offered = await _choices(fake, "translate", "message", "огонь вр", locale="ru")
    assert {"name": "🜂⧖ — огонь, время", "value": "🜂⧖"} in offered
    # the same words typed in a Russian client are shown in Russian on /bridge too
    offered = await _choices(fake, "bridge", "text", "fire ti", locale="ru")
    assert {"name": "🜂⧖ — огонь, время", "value": "🜂⧖"} in offered


async def test_typed_glyphs_stay_as_they_are(fake: FakeDiscord, frontend: DiscordFrontend) -> None:
    offered = await _choices(fake, "lexicon", "query", "⚗🜂")
    assert offered == [{"name": "⚗🜂 — mix, fire", "value": "⚗🜂"}]
    offered = await _choices(fake, "glyph", "message", "⚗🜂 wat")
    assert {"name": "⚗🜂🜄 — mix, fire, water", "value": "⚗🜂🜄"} in offered


async def test_nothing_typed_or_nothing_known_offers_nothing(
    fake: FakeDiscord, frontend: DiscordFrontend
) -> None:
    for typed in ("", "zzqx"):
        ref = await fake.send_autocomplete("glyph", {"message": typed}, "message")
        assert await ref.offered() == []


async def test_long_scenes_stay_within_discords_limits(
    fake: FakeDiscord, frontend: DiscordFrontend
) -> None:
    typed = " ".join(["fire", "water", "time", "candle"] * 12) + " ti"
    ref = await fake.send_autocomplete("glyph", {"message": typed}, "message")
    offered = await ref.offered()
    assert len(offered) <= 25
    for choice in offered:
        assert len(choice["name"].encode("utf-16-le")) // 2 <= 100
        assert len(choice["value"].encode("utf-16-le")) // 2 <= 100
    assert not fake.take_violations()


async def test_help_says_how_to_compose(fake: FakeDiscord, frontend: DiscordFrontend) -> None:
    ref = await fake.send_interaction("help", {}, user=fake.user, locale="en-US")
    followup = await ref.followup(timeout=10)
    assert "pick the glyphs suggested" in followup.json["content"]
    assert "/compose" not in followup.json["content"]  # no composer on Discord
