"""The command layer: one table of commands, each with one platform-neutral handler.

``run`` is the one entry point every frontend calls: a command's name and its ``Invocation``
in, an ``Outcome`` out.
"""

from __future__ import annotations

from core.commands.model import (
    PLATFORMS,
    Alternative,
    Choice,
    Command,
    Invocation,
    Option,
    Outcome,
    Platform,
    Refusal,
    Words,
)
from core.commands.owner import admitted
from core.commands.table import COMMANDS, command, commands_on
from core.service import GodService

__all__ = [
    "COMMANDS",
    "PLATFORMS",
    "Alternative",
    "Choice",
    "Command",
    "Invocation",
    "Option",
    "Outcome",
    "Platform",
    "Refusal",
    "Words",
    "command",
    "commands_on",
    "run",
]


async def run(service: GodService, name: str, invocation: Invocation) -> Outcome:
    """Run one command of the table (a failure raises, for the frontend's own error path).

    ``[access]`` is asked first, here, for every frontend alike: a refused asker gets the
    refusal (once a day) and the command never runs."""
    chosen = command(name)
    refusal = admitted(service, chosen, invocation)
    if refusal is not None:
        return refusal
    return await chosen.handler(service, invocation)
