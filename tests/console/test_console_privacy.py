"""/privacy, /export and /forget all in the console: the file lands in the output folder, and the
erasure asks a yes/no question that the next line answers (or ``/forget all yes`` at once)."""

from __future__ import annotations

import json
from pathlib import Path

from bot.console.frontend import ConsoleFrontend


async def test_privacy_and_export_write_a_file(god_service, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ada = ConsoleFrontend(god_service, user_id="ada", language_hint="en", field_dir=tmp_path)
    bob = ConsoleFrontend(god_service, user_id="bob", chat_id="other", field_dir=tmp_path)
    assert "until you erase it" in await ada.handle("/privacy")
    await ada.handle("🜂⧖🕯")
    await bob.handle("☍🜂")
    await ada.handle("fire and water")
    said = await ada.handle("/export")
    path = tmp_path / "silentgod-console-ada.json"
    assert said.endswith(f"Written to {path}") and "2 questions" in said
    exported = json.loads(path.read_text("utf-8"))
    assert [e["question"] for e in exported["exchanges"]] == ["🜂⧖🕯", "fire and water"]
    assert "bob" not in path.read_text("utf-8") and "☍" not in path.read_text("utf-8")


async def test_forget_all_asks_and_the_next_line_answers(god_service, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ada = ConsoleFrontend(god_service, user_id="ada", language_hint="en", field_dir=tmp_path)
    await ada.handle("🜂⧖🕯")
    asked = await ada.handle("/forget all")
    assert "This cannot be undone" in asked and asked.endswith("anything else keeps it.")
    assert await ada.handle("no") == "Nothing was erased."
    assert "🜂⧖🕯" in await ada.handle("/history")

    await ada.handle("/forget all")
    erased = await ada.handle("yes")
    assert erased.startswith("Erased: your user record, 1 of your messages")
    assert await ada.handle("/history") == "No exchanges with you here yet."

    await ada.handle("⚗⟁🔥")
    assert (await ada.handle("/forget all yes")).startswith("Erased: your user record, 1 of")
    assert (await ada.handle("/forget everything")).startswith("/forget deletes")


async def test_an_export_over_the_limit_goes_gzipped_or_is_refused(
    god_service, tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    import gzip

    from core.commands import privacy

    ada = ConsoleFrontend(god_service, user_id="ada", language_hint="en", field_dir=tmp_path)
    for n in range(20):
        await ada.handle("🜂⧖🕯" if n % 2 else "fire and water")
    monkeypatch.setitem(privacy.FILE_LIMITS, "console", 3000)  # the JSON is bigger, gzip is not
    said = await ada.handle("/export")
    path = tmp_path / "silentgod-console-ada.json.gz"
    assert said.endswith(f"Written to {path}")
    assert len(json.loads(gzip.decompress(path.read_bytes()))["exchanges"]) == 20
    monkeypatch.setitem(privacy.FILE_LIMITS, "console", 100)
    refused = await ada.handle("/export")
    assert "more than this console lets a bot send" in refused
