"""A chat's settings: /mode and /lang, shown to anyone, changed by administrators."""

from __future__ import annotations

from core.commands.model import Invocation, Outcome, Refusal
from core.service import GodService, SettingChange

REFUSALS: dict[str, Refusal] = {"refused": "not_allowed", "invalid": "invalid"}


def setting_outcome(change: SettingChange) -> Outcome:
    """A setting shown (to the asker), set (to everyone), or refused (to the asker)."""
    return Outcome(
        (change.message,),
        refusal=REFUSALS.get(change.outcome),
        private=change.outcome != "set",
    )


async def mode(service: GodService, invocation: Invocation) -> Outcome:
    """/mode [glyph|translate] [scope]: show or set the default mode of the chat or channel."""
    value = invocation.options.get("mode") or invocation.argument or None
    scope = "channel" if invocation.options.get("scope") == "channel" else "chat"
    change = await service.chats.mode_setting(invocation.message, value, scope=scope)
    return setting_outcome(change)


async def lang(service: GodService, invocation: Invocation) -> Outcome:
    """/lang [ru|en|auto]: show or set the language of the translated voice."""
    value = invocation.options.get("language") or invocation.argument or None
    change = await service.chats.language_setting(invocation.message, value)
    return setting_outcome(change)
