"""``--log-format json``: one JSON object a line, with the update's ids, never a secret."""

from __future__ import annotations

import asyncio
import json
import logging

import pytest

from bot.cli import build_parser
from bot.logs import log_context, setup_logging

TOKEN = "123456:AAE-the-bot-token-itself"
PASSWORD = "s3cret-db-password"


async def test_json_lines_carry_the_ids_and_no_secret(capsys: pytest.CaptureFixture[str]) -> None:
    setup_logging("INFO", [TOKEN, PASSWORD], "json")
    log = logging.getLogger("silentgod.test")

    async def handle(chat: int, user: int, update: int) -> None:
        log_context(platform="telegram", chat=chat, user=user, update=update)
        await asyncio.sleep(0)
        log.info("answered with token %s", TOKEN)

    await asyncio.gather(handle(-100, 7, 501), handle(42, 8, 502))
    log.warning("postgresql://god:%s@db/silentgod unreachable", PASSWORD)
    try:
        raise RuntimeError(f"https://api.telegram.org/bot{TOKEN}/getMe failed")
    except RuntimeError:
        log.exception("startup")
    err = capsys.readouterr().err
    assert TOKEN not in err and PASSWORD not in err
    lines = [json.loads(line) for line in err.splitlines()]
    assert len(lines) == 4
    for line in lines:
        assert {"time", "level", "logger", "message"} <= line.keys()
    first, second, warning, failure = lines
    assert (first["chat_id"], first["user_id"], first["update_id"]) == ("-100", "7", "501")
    assert (second["chat_id"], second["user_id"], second["update_id"]) == ("42", "8", "502")
    assert first["platform"] == "telegram" and first["level"] == "INFO"
    assert first["message"] == "answered with token ***"
    assert "chat_id" not in warning and warning["level"] == "WARNING"
    assert failure["level"] == "ERROR" and "RuntimeError" in failure["exception"]


def test_run_takes_a_log_format() -> None:
    args = build_parser().parse_args(["run", "--config", "c.toml", "--log-format", "json"])
    assert args.log_format == "json"
