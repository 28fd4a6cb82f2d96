"""Discord's intake: messages and interactions are stored when they arrive, settled once
answered, and answered after a restart when a crash came in between.

Discord delivers each gateway event once: a mention, a DM or a slash command that arrived
just before a crash would otherwise be gone. Each is written to the intake (what command,
for whom, where; for an interaction its follow-up token) before it is handled. At start —
after login, before the gateway connects — what is still pending is answered: a message in
its channel (as a reply in servers), an interaction through its follow-up webhook while
Discord still accepts it (15 minutes); older interactions are dropped with a log line.
"""

from __future__ import annotations

import dataclasses
import io
import json
import logging
import time
from typing import TYPE_CHECKING, Any

import discord

from bot.discord import delivery
from bot.discord.views import confirm_view, reveal_view
from bot.logs import log_context
from core.commands import Invocation, Outcome, run
from core.storage.intake import Delivered, IntakeStore, PendingEvent, Settled
from core.storage.records import StoreError
from core.types import Incoming

if TYPE_CHECKING:
    from bot.config import DiscordConfig
    from bot.discord.bot import SilentGodBot

logger = logging.getLogger(__name__)

INTERACTION_LIFETIME_S = 15 * 60  # Discord accepts follow-ups this long after the interaction


def _invocation_json(invocation: Invocation) -> dict[str, Any]:
    return {
        "message": dataclasses.asdict(invocation.message),
        "options": dict(invocation.options),
        "answer_id": invocation.answer_id,
        "replied_message_id": invocation.replied_message_id,
    }


def _invocation(data: dict[str, Any]) -> Invocation:
    fields = data["message"]
    roles = tuple(fields.get("role_ids") or ())
    message = Incoming(**{**fields, "redelivered": True, "role_ids": roles})
    return Invocation(
        message,
        options=data.get("options") or {},
        answer_id=data.get("answer_id"),
        replied_message_id=data.get("replied_message_id"),
    )


class DiscordIntake:
    """Stores what arrives, settles what was answered, answers what a crash left pending."""

    def __init__(self, bot: SilentGodBot, *, recover_within_s: float) -> None:
        self.bot = bot
        self.recover_within_s = recover_within_s
        self.store: IntakeStore | None = None

    def open(self) -> None:
        """Once logged in: the intake of this application."""
        application = self.bot.application_id or (self.bot.user.id if self.bot.user else 0)
        store = self.bot.service.store
        self.store = IntakeStore(store.sessions, "discord", str(application), retries=store.retries)

    async def _receive(self, event_id: int, chat: str | None, payload: dict[str, Any]) -> bool:
        user = payload["invocation"]["message"].get("user_id")
        log_context(platform="discord", chat=chat, user=user, update=event_id)
        if self.store is None:
            return True
        try:
            event = Delivered(str(event_id), chat, json.dumps(payload), user)
            new = await self.store.receive([event])
        except StoreError as error:
            logger.error("discord: event %s not stored (answered anyway): %s", event_id, error)
            return True
        return bool(new)

    async def message(self, message: discord.Message, name: str, invocation: Invocation) -> bool:
        """Store a message to answer; False when it was already received."""
        payload = {
            "kind": "message",
            "command": name,
            "invocation": _invocation_json(invocation),
            "channel_id": message.channel.id,
            "guild_id": message.guild.id if message.guild else None,
            "message_id": message.id,
        }
        return await self._receive(message.id, invocation.message.chat_id, payload)

    async def interaction(
        self, interaction: discord.Interaction, name: str, invocation: Invocation
    ) -> bool:
        """Store a command to answer through the interaction's follow-up webhook."""
        payload = {
            "kind": "interaction",
            "command": name,
            "invocation": _invocation_json(invocation),
            "application_id": interaction.application_id,
            "token": interaction.token,
            "created": interaction.created_at.timestamp(),
        }
        return await self._receive(interaction.id, invocation.message.chat_id, payload)

    async def settle(self, event_id: int, status: Settled = "handled") -> None:
        """The event was answered (or refused, dropped, expired)."""
        if self.store is None:
            return
        try:
            await self.store.settle([str(event_id)], status)
        except StoreError as error:
            logger.error("discord: event %s answered but not settled: %s", event_id, error)

    async def forget(self, event_id: int) -> None:
        """[access] refused the event's sender: keep nothing of it."""
        if self.store is None:
            return
        try:
            await self.store.forget([str(event_id)])
        except StoreError as error:
            logger.error("discord: refused event %s not blanked: %s", event_id, error)

    async def recover(self) -> int:
        """Answer everything a crash left pending; returns how many were answered."""
        if self.store is None:
            return 0
        answered = 0
        for event in await self.store.pending():
            # with the shards split across processes, each answers what its own shards stored
            if not owns_shard(self.bot.config, shard_of(self.bot.config, _guild_id(event))):
                continue
            try:
                status = await self._replay(event)
            except discord.Forbidden as error:
                logger.warning("discord: event %s cannot be answered (%s)", event.event_id, error)
                status = "dropped"
            except discord.HTTPException as error:
                logger.warning("discord: event %s not answered (%s)", event.event_id, error)
                status = "dropped"
            await self.store.settle([event.event_id], status)
            answered += status == "handled"
        if answered:
            logger.info("discord: %d questions from before the last stop answered", answered)
        return answered

    async def _replay(self, event: PendingEvent) -> Settled:
        data = json.loads(event.payload)
        age = time.time() - event.received_at.timestamp()
        if data["kind"] == "interaction":
            age = time.time() - float(data.get("created") or event.received_at.timestamp())
            if age > INTERACTION_LIFETIME_S:
                logger.warning(
                    "discord: interaction %s is %.0f s old, past Discord's 15 minutes: dropped",
                    event.event_id,
                    age,
                )
                return "expired"
        elif age > self.recover_within_s:
            logger.warning("discord: message %s is %.0f s old: expired", event.event_id, age)
            return "expired"
        outcome = await run(self.bot.service, data["command"], _invocation(data["invocation"]))
        if outcome.keep_nothing:
            await self.forget(int(event.event_id))
        if outcome.send_nothing:
            return "handled"
        if data["kind"] == "interaction":
            await self._follow_up(data, outcome)
        else:
            await self._to_channel(data, outcome)
        return "handled"

    async def _follow_up(self, data: dict[str, Any], outcome: Outcome) -> None:
        webhook = discord.Webhook.partial(
            int(data["application_id"]), data["token"], client=self.bot
        )
        # the interaction's own webhook: the first follow-up fills the deferred "thinking…"
        webhook.type = discord.WebhookType.application
        sent = None
        view = confirm_view(outcome.confirm) if outcome.confirm else reveal_view(outcome)
        parts = delivery.parts_of(outcome.text)
        for index, part in enumerate(parts):
            extra: dict[str, Any] = {}
            if index == len(parts) - 1 and view is not None:
                extra["view"] = view
            if index == len(parts) - 1 and outcome.document is not None:  # /export
                document = outcome.document
                extra["file"] = discord.File(io.BytesIO(document.data), document.filename)
            message = await webhook.send(
                part, wait=True, allowed_mentions=delivery.NO_MENTIONS, **extra
            )
            sent = sent or message
        if sent is not None and outcome.answer_id is not None:
            await self.bot.service.memory.remember_delivery(outcome.answer_id, str(sent.id))

    async def _to_channel(self, data: dict[str, Any], outcome: Outcome) -> None:
        channel = self.bot.get_partial_messageable(int(data["channel_id"]))
        reference = None
        if data.get("guild_id"):
            reference = discord.MessageReference(
                message_id=int(data["message_id"]),
                channel_id=int(data["channel_id"]),
                guild_id=int(data["guild_id"]),
                fail_if_not_exists=False,
            )
        sent = None
        view = reveal_view(outcome)
        parts = delivery.parts_of(outcome.text)
        for index, part in enumerate(parts):
            extra: dict[str, Any] = {}
            if index == 0 and reference is not None:
                extra["reference"] = reference
            if index == len(parts) - 1 and view is not None:
                extra["view"] = view
            message = await channel.send(part, allowed_mentions=delivery.NO_MENTIONS, **extra)
            sent = sent or message
        if sent is not None and outcome.answer_id is not None:
            await self.bot.service.memory.remember_delivery(outcome.answer_id, str(sent.id))


def _guild_id(event: PendingEvent) -> int | None:
    """The server an event came from (None: a DM); a server is the core's group chat."""
    message = json.loads(event.payload)["invocation"]["message"]
    return int(message["chat_id"]) if message.get("chat_kind") == "group" else None


def owns_shard(config: DiscordConfig, shard_id: int) -> bool:
    """Whether this process connects the shard (every shard when none are named)."""
    return not config.shard_ids or shard_id in config.shard_ids


def shard_of(config: DiscordConfig, guild_id: int | None) -> int:
    """The shard Discord sends a guild's events to; DMs come through shard 0."""
    if guild_id is None or not config.shard_count:
        return 0
    return (guild_id >> 22) % config.shard_count
