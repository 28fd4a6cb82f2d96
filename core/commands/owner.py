"""Who may run a command at all (``[access]``), and the owners' /stats."""

from __future__ import annotations

import logging
from typing import Any

from core.commands.model import Command, Invocation, Outcome
from core.service import GodService
from core.storage.records import StoreError
from core.storage.stats import StoreStats
from core.texts import say
from core.types import Language

logger = logging.getLogger(__name__)


def admitted(service: GodService, command: Command, invocation: Invocation) -> Outcome | None:
    """None when the asker may run ``command``; else the refusal (said once a day when
    ``[access]`` refuses them, with nothing of theirs kept; every time for owners-only
    commands). Never touches the store, so a refused asker leaves no trace there."""
    message = invocation.message
    verdict = service.gate.check(message)
    if (verdict == "allowed" and command.who != "owners") or verdict == "owner":
        return None
    language = service.chats.guess_language(message, "")
    if verdict in ("refuse", "quiet"):
        service.metrics.refused(message.platform, "not_allowed")
        if verdict == "quiet":
            return Outcome(send_nothing=True, keep_nothing=True, language=language)
        logger.info("%s user %s refused by [access] (told once today)", message.platform,
                    message.user_id)  # fmt: skip
        return Outcome(
            (say("no_access", language),),
            refusal="no_access",
            private=True,
            keep_nothing=True,
            language=language,
        )
    service.metrics.refused(message.platform, "not_allowed")  # an owners' command
    return Outcome(
        (say("owners_only", language),), refusal="not_allowed", private=True, language=language
    )


def p95_ms(service: GodService) -> float | None:
    """The 95th percentile of this process's recent reply latencies (None: no reply yet)."""
    seconds = service.metrics.latency_p95()
    return None if seconds is None else round(seconds * 1000, 1)


def stats_json(stored: StoreStats, service: GodService | None) -> dict[str, Any]:
    """What /stats and ``silentgod stats --json`` show, as JSON values (the process's
    latency and queue are known only inside a running bot: None from the command line)."""
    data = stored.as_json()
    data["p95_reply_ms"] = p95_ms(service) if service is not None else None
    data["queue_depth"] = service.runner.queued if service is not None else None
    return data


STATS_WORDS: dict[Language, dict[str, str]] = {
    "en": {
        "users": "Users: {users} · chats: {chats}",
        "answers": "Answers today: {today} · last 7 days: {week}",
        "busiest": "Busiest chats (7 days):",
        "none": "  none yet",
        "p95": "p95 reply latency: {p95}",
        "no_p95": "p95 reply latency: no replies yet since this process started",
        "unknown": "p95 reply latency: known only inside the running bot (see /metrics)",
        "queue": "Queue: {queue} waiting for the god",
        "no_queue": "Queue: known only inside the running bot",
    },
    "ru": {
        "users": "Пользователей: {users} · чатов: {chats}",
        "answers": "Ответов сегодня: {today} · за 7 дней: {week}",
        "busiest": "Самые занятые чаты (7 дней):",
        "none": "  пока нет",
        "p95": "Задержка ответа, p95: {p95}",
        "no_p95": "Задержка ответа, p95: с запуска процесса ответов ещё не было",
        "unknown": "Задержка ответа, p95: известна только работающему боту (см. /metrics)",
        "queue": "Очередь: {queue} ждут бога",
        "no_queue": "Очередь: известна только работающему боту",
    },
}


def stats_lines(data: dict[str, Any], language: Language, *, live: bool = True) -> list[str]:
    """The stats as lines of text in ``language``."""
    words = STATS_WORDS[language]
    lines = [
        words["users"].format(users=data["users"], chats=data["chats"]),
        words["answers"].format(today=data["answers_today"], week=data["answers_7_days"]),
        words["busiest"],
    ]
    for index, chat in enumerate(data["busiest"], 1):
        title = f" {chat['title']}" if chat["title"] else ""
        where = f"{chat['platform']} {chat['external_id']}{title}"
        lines.append(f"  {index}. {where}: {chat['answers']}")
    if not data["busiest"]:
        lines.append(words["none"])
    p95 = data["p95_reply_ms"]
    if not live:
        lines.extend((words["unknown"], words["no_queue"]))
        return lines
    lines.append(words["no_p95"] if p95 is None else words["p95"].format(p95=f"{p95:g} ms"))
    lines.append(words["queue"].format(queue=data["queue_depth"]))
    return lines


async def stats(service: GodService, invocation: Invocation) -> Outcome:
    """/stats: users, chats, answers today and in 7 days, busiest chats, p95 latency, queue."""
    language = service.chats.guess_language(invocation.message, "")
    if service.stats is None:
        return Outcome((say("store_error", language),), refusal="store_error", private=True)
    try:
        stored = await service.stats.stats(service.quotas.today())
    except StoreError as error:
        logger.error("store unavailable for /stats: %s", error)
        return Outcome((say("store_error", language),), refusal="store_error", private=True)
    lines = stats_lines(stats_json(stored, service), language)
    return Outcome(tuple(lines), private=True, language=language)
