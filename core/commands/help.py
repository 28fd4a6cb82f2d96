"""/start and /help: what the god is, its modes and commands — written from the table."""

from __future__ import annotations

from core.commands.model import Command, Invocation, Outcome, Platform
from core.service import GodService
from core.texts import say
from core.types import Language


def command_lines(commands: tuple[Command, ...], language: Language) -> tuple[str, ...]:
    """One line per command: ``/name <argument> — what it does``."""
    lines = []
    for command in commands:
        usage = f" {command.usage(language)}" if command.usage else ""
        lines.append(f"/{command.name}{usage} — {command.description(language)}")
    return tuple(lines)


def help_parts(platform: Platform, language: Language) -> tuple[str, ...]:
    """The whole help: who the god is, the modes, the commands of this platform, examples."""
    from core.commands.compose import HOW_TO_COMPOSE
    from core.commands.table import commands_on

    shown = tuple(c for c in commands_on(platform) if c.in_help)
    return (
        say("help_intro", language),
        "",
        *command_lines(shown, language),
        "",
        HOW_TO_COMPOSE[platform](language),
        say("help_examples", language),
    )


async def help_command(service: GodService, invocation: Invocation) -> Outcome:
    """/start, /help: in the chat's language, else the asker's client language."""
    message = invocation.message
    language = await service.chats.language_for(message, "")
    platform: Platform = message.platform  # type: ignore[assignment]
    return Outcome(help_parts(platform, language), private=True, language=language)
