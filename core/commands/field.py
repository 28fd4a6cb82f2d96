"""/field: the picture of the god's meaning field for one message."""

from __future__ import annotations

from core.commands.model import Invocation, Outcome
from core.commands.outcomes import needs_text
from core.service import GodService


async def field(service: GodService, invocation: Invocation) -> Outcome:
    """A PNG with its caption, or only the caption when there is nothing to draw."""
    if not invocation.argument:
        return await needs_text(service, invocation, "/field 🜂⧖🕯")
    picture = await service.painter.field(invocation.message)
    if not picture.caption:  # the daily quota was used up and its asker told already
        return Outcome(send_nothing=True)
    return Outcome((picture.caption,), picture=picture.png, private=picture.png is None)
