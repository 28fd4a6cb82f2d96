"""Sending the god's words to Discord: split to the 2000 limit, never pinging anyone.

Every interaction is deferred at once (the model may take a moment); the first follow-up
then fills the "thinking…" message. A note only its reader should see (a refusal, an error)
replaces a public placeholder with an ephemeral follow-up.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

import discord
from discord.utils import escape_markdown

from bot.chunks import split_message
from bot.indicator import while_slow

logger = logging.getLogger(__name__)

LIMIT = 2000  # Discord counts message content in code points
MAX_PARTS = 3  # a longer answer is cut, with an ellipsis, rather than flooding the channel
NO_MENTIONS = discord.AllowedMentions.none()


def parts_of(text: str) -> list[str]:
    """``text`` in at most MAX_PARTS messages of at most LIMIT code points, glyphs whole.

    The bot formats nothing with Markdown, so every Markdown sign is escaped: a user's words
    echoed back (a /lexicon query, unknown words, a history) can never render as bold, a
    spoiler or a masked link that looks like the bot's own.
    """
    return split_message(escape_markdown(text), LIMIT, "codepoints", max_parts=MAX_PARTS) or ["…"]


def typing_while_slow(
    channel: discord.abc.Messageable, after_s: float
) -> contextlib.AbstractAsyncContextManager[None]:
    """Show "typing…" in ``channel`` while the body runs, once it has run ``after_s`` seconds;
    a failed indicator (no permission) is only logged."""

    async def show(done: asyncio.Event) -> None:
        try:
            async with channel.typing():
                await done.wait()
        except discord.HTTPException as error:
            logger.debug("typing indicator failed: %s", error)

    return while_slow(show, after_s)


async def defer(interaction: discord.Interaction, *, ephemeral: bool = False) -> None:
    """Acknowledge at once with a "thinking…" placeholder (public unless ``ephemeral``)."""
    interaction.extras["ephemeral"] = ephemeral
    await interaction.response.defer(thinking=True, ephemeral=ephemeral)


async def follow_up(
    interaction: discord.Interaction,
    text: str,
    *,
    view: discord.ui.View | None = None,
    file: discord.File | None = None,
) -> discord.WebhookMessage:
    """Fill the deferred placeholder with ``text`` (more parts follow); returns the first."""
    ephemeral = bool(interaction.extras.get("ephemeral"))
    parts = parts_of(text)
    first: discord.WebhookMessage | None = None
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        extra: dict[str, object] = {}
        if last and view is not None:
            extra["view"] = view
        if last and file is not None:
            extra["file"] = file
        sent = await interaction.followup.send(
            part, ephemeral=ephemeral, allowed_mentions=NO_MENTIONS, wait=True, **extra
        )
        interaction.extras["answered"] = True
        first = first or sent
    assert first is not None
    return first


async def note(interaction: discord.Interaction, text: str) -> None:
    """Tell only the user who asked (refusals, errors), whatever state the interaction is in."""
    text = parts_of(text)[0]
    if not interaction.response.is_done():
        await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NO_MENTIONS)
        return
    if not interaction.extras.get("ephemeral") and not interaction.extras.get("answered"):
        # The public "thinking…" placeholder would swallow the ephemeral flag: remove it.
        with contextlib.suppress(discord.HTTPException):
            await interaction.delete_original_response()
    await interaction.followup.send(text, ephemeral=True, allowed_mentions=NO_MENTIONS)
    interaction.extras["answered"] = True


async def send_to_channel(
    message: discord.Message, text: str, *, view: discord.ui.View | None = None
) -> discord.Message:
    """Answer a message in its channel (as a reply in servers); returns the first part sent."""
    parts = parts_of(text)
    reference = message.to_reference(fail_if_not_exists=False) if message.guild else None
    first: discord.Message | None = None
    for index, part in enumerate(parts):
        extra: dict[str, object] = {}
        if index == 0 and reference is not None:
            extra["reference"] = reference
        if index == len(parts) - 1 and view is not None:
            extra["view"] = view
        sent = await message.channel.send(part, allowed_mentions=NO_MENTIONS, **extra)
        first = first or sent
    assert first is not None
    return first
