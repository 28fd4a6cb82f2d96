"""A command's outcome on Discord: to the interaction that asked, or to a message's channel."""

from __future__ import annotations

import contextlib
import io

import discord

from bot.discord import delivery
from bot.discord.views import confirm_view, reveal_view
from core.commands import Outcome
from core.service import GodService


async def to_interaction(
    interaction: discord.Interaction, service: GodService, outcome: Outcome
) -> None:
    """Fill the deferred placeholder; refusals and private outcomes reach the asker alone."""
    if outcome.send_nothing:  # nothing to say: take the "thinking…" placeholder away
        with contextlib.suppress(discord.HTTPException):
            await interaction.delete_original_response()
        return
    if outcome.document is not None:  # /export: a file, to the asker alone where they asked
        document = outcome.document
        file = discord.File(io.BytesIO(document.data), document.filename)
        await delivery.follow_up(interaction, outcome.text, file=file)
        return
    if outcome.confirm is not None:  # /forget all: yes or no, for the asker's eyes
        await delivery.follow_up(interaction, outcome.text, view=confirm_view(outcome.confirm))
        return
    if outcome.refusal is not None or (outcome.private and outcome.picture is None):
        if interaction.extras.get("ephemeral"):
            await delivery.follow_up(interaction, outcome.text)
        else:
            await delivery.note(interaction, outcome.text)
        return
    picture = None
    if outcome.picture is not None:
        picture = discord.File(io.BytesIO(outcome.picture), "field.png")
    sent = await delivery.follow_up(
        interaction, outcome.text, view=reveal_view(outcome), file=picture
    )
    if outcome.answer_id is not None:
        await service.memory.remember_delivery(outcome.answer_id, str(sent.id))


async def to_channel(message: discord.Message, service: GodService, outcome: Outcome) -> None:
    """Answer a DM or a mention in its channel, with the Translate button when glyph-only."""
    if outcome.send_nothing:
        return
    sent = await delivery.send_to_channel(message, outcome.text, view=reveal_view(outcome))
    if outcome.answer_id is not None:
        await service.memory.remember_delivery(outcome.answer_id, str(sent.id))
