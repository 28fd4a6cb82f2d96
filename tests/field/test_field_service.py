"""The meaning field through the service, as every frontend asks for it, on a real store."""

from __future__ import annotations

import asyncio
import io
import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from bot.cli import main
from core.bridge.lexicon_bridge import LexiconBridge
from core.field.data import FieldUnavailable
from core.language.lexicon import Lexicon
from core.model.god import God, Request
from core.model.runner import GodRunner
from core.service import CoreSettings, GodService
from core.texts import say
from core.types import Incoming


def _message(text: str, chat: str = "field-chat", hint: str | None = None) -> Incoming:
    return Incoming(
        platform="console", chat_id=chat, user_id="tester", text=text, language_hint=hint
    )


def _png_ok(png: bytes | None) -> Image.Image:
    assert png is not None
    image = Image.open(io.BytesIO(png))
    image.load()
    assert image.format == "PNG" and 1150 <= image.width <= 1250
    assert len(png) < 300_000
    return image


async def test_glyph_input_gives_a_picture_and_stores_nothing(service: GodService) -> None:
    picture = await service.painter.field(_message("🜂⧖🕯"))
    _png_ok(picture.png)
    assert picture.data is not None
    assert [g.key for g in picture.data.question] == ["fire", "time", "candle"]
    answer = "".join(g.glyph for g in picture.data.answer)
    assert picture.caption == say("field_caption", "en", heard="🜂⧖🕯", glyphs=answer)
    np.testing.assert_allclose(picture.data.attention.sum(axis=1), 1.0, atol=1e-6)
    assert await service.memory.history(_message("")) == []  # the field is read-only


async def test_console_field_command_writes_the_picture(
    service: GodService, tmp_path: Path
) -> None:
    from bot.console.frontend import ConsoleFrontend

    console = ConsoleFrontend(service, user_id="tester", field_dir=tmp_path)
    output = await console.handle("/field 🜂⧖🕯")
    assert output.endswith(str(tmp_path / "field.png"))
    _png_ok((tmp_path / "field.png").read_bytes())
    assert await console.handle("/field qwerty") == say("field_unheard", "en", unknown=" (qwerty)")


async def test_text_input_is_heard_through_the_bridge_in_the_readers_language(
    service: GodService,
) -> None:
    picture = await service.painter.field(_message("огонь и время"))
    _png_ok(picture.png)
    assert picture.data is not None and picture.data.language == "ru"
    assert [g.word for g in picture.data.question] == ["огонь", "время"]
    assert picture.caption.startswith("Поле смысла: 🜂⧖ → ")


async def test_the_previous_exchange_is_the_context(service: GodService) -> None:
    reply = await service.answering.answer(_message("🜂⧖🕯"))
    picture = await service.painter.field(_message("⤳"))
    assert picture.data is not None
    context = "".join(g.glyph for g in picture.data.context)
    assert context == "🜂⧖🕯" + reply.glyphs
    assert len(await service.memory.history(_message(""))) == 1  # only the answered message


async def test_input_the_god_cannot_hear_gets_a_caption_and_no_picture(
    service: GodService,
) -> None:
    picture = await service.painter.field(_message("qwerty zxcvb"))
    assert picture.png is None and picture.data is None
    assert picture.caption == say("field_unheard", "en", unknown=" (qwerty, zxcvb)")
    assert (await service.painter.field(_message("   "))).png is None


async def test_the_field_does_not_disturb_concurrent_answers(service: GodService, god: God) -> None:
    questions = [("fire",), ("water", "air"), ("alembic", "fire", "water"), ("sun",)]
    expected = god.answer_batch([Request(q) for q in questions])
    results = await asyncio.gather(
        service.painter.field(_message("🜂⧖🕯", chat="other")),
        *(service.runner.ask(Request(q)) for q in questions),
    )
    assert results[1:] == expected
    assert results[0].png is not None


async def test_a_service_without_the_god_refuses_clearly(
    migrated_db_url: str, bridge: LexiconBridge, lexicon: Lexicon, god: God
) -> None:
    from core.storage import SqlStore

    runner = GodRunner(god.answer_batch)
    await runner.start()
    service = GodService(
        settings=CoreSettings(),
        store=SqlStore.from_url(migrated_db_url),
        runner=runner,
        bridge=bridge,
        lexicon=lexicon,
    )
    try:
        with pytest.raises(FieldUnavailable, match="needs the god"):
            await service.painter.field(_message("🜂"))
    finally:
        await service.close()


def test_command_line_writes_the_png_and_prints_json(
    tmp_path: Path, god: God, capsys: pytest.CaptureFixture[str]
) -> None:
    god.save(tmp_path / "god")
    config = tmp_path / "config.toml"
    config.write_text(
        f'[core]\nmodel_dir = "{tmp_path / "god"}"\n\n'
        f'[storage]\nurl = "sqlite+aiosqlite:///{tmp_path / "cli.db"}"\n',
        "utf-8",
    )
    out = tmp_path / "field.png"
    code = main(["field", "fire and time", "-o", str(out), "--config", str(config), "--json"])
    document = json.loads(capsys.readouterr().out)
    assert code == 0
    assert document["png"] == str(out) and document["heard"] == "🜂⧖"
    assert document["bytes"] == out.stat().st_size
    _png_ok(out.read_bytes())
    assert len(document["space"]["points"]) == len(god.lexicon)
    assert main(["field", "qwerty", "-o", str(tmp_path / "none.png"), "--config", str(config)]) == 1
    assert not (tmp_path / "none.png").exists()
