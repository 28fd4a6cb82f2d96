"""One answer of the god, delivered: to an interaction or to a message's channel."""

from __future__ import annotations

import discord

from bot.discord import delivery
from bot.discord.views import reveal_view
from core import render
from core.service import GodService
from core.types import Reply


async def to_interaction(
    interaction: discord.Interaction, service: GodService, reply: Reply
) -> None:
    """Follow up a deferred command with the answer; notices go to the asker alone."""
    if reply.kind not in ("answer", "silence"):  # busy, error, too long, empty
        await delivery.note(interaction, render.reply_text(reply))
        return
    sent = await delivery.follow_up(interaction, render.reply_text(reply), view=reveal_view(reply))
    if reply.message_id is not None:
        await service.remember_delivery(reply.message_id, str(sent.id))


async def to_message(message: discord.Message, service: GodService, reply: Reply) -> None:
    """Answer a DM or a mention in its channel, with the Translate button when glyph-only."""
    sent = await delivery.send_to_channel(
        message, render.reply_text(reply), view=reveal_view(reply)
    )
    if reply.message_id is not None:
        await service.remember_delivery(reply.message_id, str(sent.id))
