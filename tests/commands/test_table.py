"""The command table itself: README agrees with it, and every platform's view of it is sane."""

from __future__ import annotations

import re
from pathlib import Path

from bot.readme import commands_table
from core.commands import COMMANDS, commands_on

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_command_table_is_the_table() -> None:
    text = README.read_text("utf-8")
    found = re.search(r"<!-- commands:start -->\n(.*?)\n<!-- commands:end -->", text, re.S)
    assert found, "README lost its <!-- commands:start/end --> markers"
    assert found.group(1) == commands_table(), "run `python -m bot.readme` and paste the table"


def test_every_command_is_described_in_both_languages_within_platform_limits() -> None:
    for command in COMMANDS:
        assert re.fullmatch(r"[a-z]{1,32}", command.name)
        assert command.ru_name and len(command.ru_name) <= 32
        for language in ("en", "ru"):
            assert 1 <= len(command.description(language)) <= 100, (command.name, language)
        for option in command.options:
            assert re.fullmatch(r"[a-z]{1,32}", option.name)
            for language in ("en", "ru"):
                assert 1 <= len(option.description(language)) <= 100, (option.name, language)
        required = [option.required for option in command.options]
        assert required == sorted(required, reverse=True), "required options come first"


def test_platform_views() -> None:
    assert {c.name for c in commands_on("discord")} == {
        "help", "glyph", "translate", "mode", "lang", "bridge", "lexicon", "history", "forget",
        "privacy", "export", "field", "stats",
    }  # fmt: skip
    assert "start" in {c.name for c in commands_on("telegram")}
    unlisted = {c.name for c in commands_on("telegram", listed=False)}
    assert unlisted >= {"reveal", "ask", "inline", "erase"}
    admins = {c.name for c in COMMANDS if c.who == "admins"}
    assert admins == {"mode", "lang"}
    assert {c.name for c in COMMANDS if c.who == "owners"} == {"stats"}
