"""What the god remembers of the asker here: /history and /forget, for the asker's eyes."""

from __future__ import annotations

from collections.abc import Sequence

from core.commands.model import Invocation, Outcome
from core.service import HISTORY_LIMIT, GodService, HistoryItem
from core.texts import say
from core.types import Language

HISTORY_DEFAULT = 5
QUESTION_SHOWN = 200


def history_count(argument: str) -> int | None:
    """The n of "/history [n]": 5 by default, 1 to HISTORY_LIMIT; None when it is no such n."""
    if not argument.strip():
        return HISTORY_DEFAULT
    try:
        value = int(argument)
    except ValueError:
        return None
    return value if 1 <= value <= HISTORY_LIMIT else None


def history_lines(items: Sequence[HistoryItem], language: Language) -> tuple[str, ...]:
    """The asker's last exchanges, oldest first."""
    if not items:
        return (say("history_empty", language),)
    lines: list[str] = []
    for index, item in enumerate(items, 1):
        question = item.question
        if len(question) > QUESTION_SHOWN:
            question = question[: QUESTION_SHOWN - 1] + "…"
        lines.append(f"{index}. {question}")
        answer = f"   → {item.heard or '◌'} ⇒ {item.glyphs or '…'}"
        if item.text:
            answer += f" — {item.text}"
        lines.append(answer)
    return tuple(lines)


async def history(service: GodService, invocation: Invocation) -> Outcome:
    """/history [n]: the asker's last n exchanges in this chat."""
    message = invocation.message
    language = await service.chats.language_for(message, "")
    count = history_count(invocation.options.get("n") or invocation.argument)
    if count is None:
        text = say("history_bad", language, limit=HISTORY_LIMIT)
        return Outcome((text,), refusal="invalid", private=True, language=language)
    items = await service.memory.history(message, count)
    return Outcome(history_lines(items, language), private=True, language=language)


async def forget(service: GodService, invocation: Invocation) -> Outcome:
    """/forget: delete the asker's messages in this chat, and confirm."""
    message = invocation.message
    language = await service.chats.language_for(message, "")
    count = await service.memory.forget(message)
    return Outcome((say("forgotten", language, count=count),), private=True, language=language)
