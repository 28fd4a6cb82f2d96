"""The "Translate" button under every glyph-only answer, alive across restarts.

The button's custom_id carries the stored answer's id, so any running bot can answer a
click: the class is registered with ``add_dynamic_items`` and rebuilt from the custom_id,
including for messages sent before the last restart.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, cast

import discord

from bot.discord import delivery, incoming
from core import commands
from core.commands import Invocation, Outcome
from core.commands.model import Confirmation
from core.texts import say

if TYPE_CHECKING:
    from bot.discord.bot import SilentGodBot

logger = logging.getLogger(__name__)


class RevealButton(
    discord.ui.DynamicItem[discord.ui.Button],
    template=r"silentgod:reveal:(?P<id>[0-9]+)",
):
    """Reveals the translation of one stored answer, to the clicker only."""

    def __init__(self, message_id: int, label: str = "Translate") -> None:
        super().__init__(
            discord.ui.Button(
                label=label,
                style=discord.ButtonStyle.secondary,
                custom_id=f"silentgod:reveal:{message_id}",
            )
        )
        self.message_id = message_id

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction,
        item: discord.ui.Button,
        match: object,
        /,
    ) -> RevealButton:
        """Rebuild the button from a click on any message that carries it."""
        return cls(int(match["id"]), item.label or "Translate")  # type: ignore[index]

    async def callback(self, interaction: discord.Interaction) -> None:  # type: ignore[override]
        """Defer ephemerally, then show the translation of the answer this very message carries."""
        bot = cast("SilentGodBot", interaction.client)
        bot.track()
        try:
            await delivery.defer(interaction, ephemeral=True)
            carrier = interaction.message
            invocation = Invocation(
                incoming.from_interaction(interaction),
                answer_id=self.message_id,
                replied_message_id=str(carrier.id) if carrier is not None else None,
            )
            outcome = await commands.run(bot.service, "reveal", invocation)
            if not outcome.send_nothing:
                await delivery.follow_up(interaction, outcome.text)
        except Exception as error:  # discord.py would only log it; answer the user too
            await bot.report_interaction_error(interaction, error, what="Translate button")


class ConfirmButton(
    discord.ui.DynamicItem[discord.ui.Button],
    template=r"silentgod:(?P<data>[a-z_]{1,16}:[yn]:[0-9]{1,20}:[0-9]{1,12})",
):
    """Yes or no under a question that only its asker may answer (``/forget all``)."""

    def __init__(self, data: str, label: str, style: discord.ButtonStyle) -> None:
        super().__init__(discord.ui.Button(label=label, style=style, custom_id=f"silentgod:{data}"))
        self.data = data

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction,
        item: discord.ui.Button,
        match: object,
        /,
    ) -> ConfirmButton:
        """Rebuild the button from a click, also on a message sent before a restart."""
        return cls(match["data"], item.label or "", item.style)  # type: ignore[index]

    async def callback(self, interaction: discord.Interaction) -> None:  # type: ignore[override]
        """Someone else's or a stale press: told so, alone; the asker's replaces the question."""
        bot = cast("SilentGodBot", interaction.client)
        bot.track()
        try:
            parsed = Confirmation.parse(self.data)
            if parsed is None:  # the template matched, so this cannot happen
                return
            name, options = parsed
            invocation = Invocation(incoming.from_interaction(interaction), options=options)
            # Discord waits 3 s for an answer: a refusal is quick, an erasure may not be
            await interaction.response.defer()
            outcome = await commands.run(bot.service, name, invocation)
            if outcome.refusal is not None:
                await interaction.followup.send(
                    delivery.parts_of(outcome.text)[0],
                    ephemeral=True,
                    allowed_mentions=delivery.NO_MENTIONS,
                )
                return
            text = delivery.parts_of(outcome.text)[0]
            await interaction.edit_original_response(
                content=text, view=None, allowed_mentions=delivery.NO_MENTIONS
            )
        except Exception as error:  # discord.py would only log it; answer the user too
            await bot.report_interaction_error(interaction, error, what="confirmation button")


def confirm_view(confirm: Confirmation) -> discord.ui.View:
    """The two buttons of a yes/no question."""
    view = discord.ui.View(timeout=None)
    view.add_item(ConfirmButton(confirm.data(True), confirm.yes, discord.ButtonStyle.danger))
    view.add_item(ConfirmButton(confirm.data(False), confirm.no, discord.ButtonStyle.secondary))
    return view


def reveal_view(outcome: Outcome) -> discord.ui.View | None:
    """A view with the Translate button for a glyph-only answer; None for anything else."""
    if not outcome.translate_button or outcome.answer_id is None:
        return None
    view = discord.ui.View(timeout=None)
    view.add_item(RevealButton(outcome.answer_id, say("translate_button", outcome.language)))
    return view
