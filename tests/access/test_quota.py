"""Daily quotas through the real Telegram stack, the day moved by the service's clock."""

from __future__ import annotations

from pathlib import Path

from core.access import AccessSettings
from core.service import GodService
from core.texts import say
from tests.access.conftest import WAIT, Clock, rows, telegram
from tests.fakes.telegram_api import DEFAULT_USER_ID, FakeBotAPI

ANSWER = "⟁☰☉⚭"
HELP_MARK = "I am the Silent God"
CAROL = 4004


async def exchange(fake: FakeBotAPI, lines: list[str], user_id: int = DEFAULT_USER_ID) -> list[str]:
    """Send ``lines`` in the user's private chat, then /help (never limited); what the bot
    sent back before /help's answer, in order (one chat's updates are handled in order)."""
    username = "carol" if user_id == CAROL else "alice"
    mark = fake.mark()
    for line in lines:
        if line.startswith("/"):
            name, _, argument = line[1:].partition(" ")
            update = fake.command(name, argument, user_id=user_id, username=username)
        else:
            update = fake.private_message(line, user_id=user_id, username=username)
        fake.push_update(update)
    fake.push_update(fake.command("help", user_id=user_id, username=username))
    await fake.wait_for(
        "sendMessage",
        lambda c: c.params["chat_id"] == user_id and HELP_MARK in c.params["text"],
        since=mark,
        timeout=WAIT,
    )
    sent = [
        c.params.get("text") or "<photo>"
        for c in fake.calls()[mark:]
        if c.method in ("sendMessage", "sendPhoto") and c.params["chat_id"] == user_id
    ]
    return [text.split("\n")[0] for text in sent[:-1]]


async def test_a_daily_quota_is_enforced_told_once_and_resets_the_next_day(
    god_service: GodService, db_path: Path, clock: Clock
) -> None:
    god_service.configure_access(
        AccessSettings(owners=("@carol",), daily_answers=2, daily_fields=1)
    )
    reached = say("quota_answer", "en", limit=2, hours=5, minutes=30)  # 18:30 → midnight UTC
    async with telegram(god_service) as (fake, _):
        replies = await exchange(fake, ["🜂⧖🕯", "/glyph 🜂⧖🕯", "🜂⧖🕯", "🜂⧖🕯", "/glyph ⚗⟁🔥"])
        assert replies == [ANSWER, ANSWER, reached.split("\n")[0]]  # told once, then nothing
        assert "2 answers for today" in reached and "in 5 h 30 min" in reached
        pictures = await exchange(fake, ["/field 🜂⧖🕯", "/field 🜂⧖🕯", "/field 🜂⧖🕯"])
        assert pictures == ["<photo>", say("quota_field", "en", limit=1, hours=5, minutes=30)]
        # an owner has no quota
        assert await exchange(fake, ["🜂⧖🕯"] * 3, user_id=CAROL) == [ANSWER] * 3
        clock.next_day()
        assert await exchange(fake, ["🜂⧖🕯", "🜂⧖🕯", "🜂⧖🕯"]) == [
            ANSWER,
            ANSWER,
            say("quota_answer", "en", limit=2, hours=5, minutes=30).split("\n")[0],
        ]
    usage = rows(
        db_path,
        "SELECT u.external_id, g.day, g.kind, g.count FROM usage g "
        "JOIN users u ON u.id = g.user_id ORDER BY g.day, g.kind",
    )
    # every attempt is counted (the ones past the limit too); owners are not counted at all
    assert usage == [
        (str(DEFAULT_USER_ID), "2026-12-06", "answer", 5),
        (str(DEFAULT_USER_ID), "2026-12-06", "field", 3),
        (str(DEFAULT_USER_ID), "2026-12-07", "answer", 3),
    ]
    metrics = god_service.metrics.text().decode()
    assert 'silentgod_refusals_total{kind="quota",platform="telegram"} 4.0' in metrics
