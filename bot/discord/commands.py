"""Discord's slash commands and the Translate message menu, built from the command table.

Each command of the table becomes an ``app_commands.Command`` whose callback parameters are
the table's options (discord.py reads options from the callback's signature, so one generic
callback gets a signature made from the table). Names and descriptions carry their Russian
text in ``locale_str`` extras, which the translator hands to Discord for the ``ru`` locale.
Commands that only administrators may run are hidden from members
(``default_member_permissions``: Manage Server).
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.app_commands import locale_str

from bot.chunks import utf16_length
from bot.discord import delivery, incoming
from bot.discord.render import to_interaction
from core import commands
from core.commands import Command, Invocation, Option, Words
from core.commands.completion import completer_for
from core.language.text import client_language, script_language

if TYPE_CHECKING:
    from bot.discord.bot import SilentGodBot

ADMIN_PERMISSIONS = discord.Permissions(manage_guild=True)
ALWAYS_PRIVATE = frozenset({"help", "history", "forget", "privacy", "export", "stats"})
AUTOCOMPLETE_CHOICES = 25  # Discord shows at most 25 choices
# A choice's name and value hold at most 100 characters; counted in UTF-16 units, the stricter
# reading, so that no glyph outside the basic plane can push one over
CHOICE_CHARS = 100


def localised(words: Words) -> locale_str:
    """English for Discord, with the Russian for its ``ru`` locale."""
    return locale_str(words.en, ru=words.ru)


def named(name: str, ru_name: str) -> locale_str:
    """A command or option name, with its Russian name."""
    return locale_str(name, ru=ru_name)


class TableTranslator(app_commands.Translator):
    """Gives Discord the Russian strings that the table put in each ``locale_str``."""

    async def translate(
        self,
        string: locale_str,
        locale: discord.Locale,
        context: app_commands.TranslationContextTypes,
    ) -> str | None:
        """The Russian string for the Russian locale, else nothing (English stays)."""
        if locale is not discord.Locale.russian:
            return None
        return string.extras.get("ru")


def _annotation(option: Option) -> Any:
    """The type discord.py turns into the option's Discord type (and its range)."""
    if option.choices:
        return app_commands.Choice[str]
    if option.kind == "integer":
        return app_commands.Range[int, option.minimum, option.maximum]
    return str


def _signature(options: tuple[Option, ...]) -> inspect.Signature:
    parameters = [
        inspect.Parameter("interaction", inspect.Parameter.POSITIONAL_OR_KEYWORD),
        *(
            inspect.Parameter(
                option.name,
                inspect.Parameter.KEYWORD_ONLY,
                annotation=_annotation(option) if option.required else _annotation(option) | None,
                default=inspect.Parameter.empty if option.required else None,
            )
            for option in options
        ),
    ]
    return inspect.Signature(parameters)


def is_admin(interaction: discord.Interaction, scope: str | None) -> bool:
    """Discord's rule for "administrators": Manage Server, or Manage Channels for a channel."""
    if interaction.guild_id is None:
        return True
    permissions = interaction.permissions
    if permissions.administrator:
        return True
    return permissions.manage_channels if scope == "channel" else permissions.manage_guild


def slash_command(bot: SilentGodBot, command: Command) -> app_commands.Command[Any, ..., None]:
    """One slash command of the table."""
    options = command.options_on("discord")

    async def callback(interaction: discord.Interaction, **values: Any) -> None:
        given = {
            name: str(value.value if isinstance(value, app_commands.Choice) else value)
            for name, value in values.items()
            if value is not None
        }
        text = next((given[o.name] for o in options if o.kind == "text" and not o.choices), "")
        admin = command.who == "admins" and is_admin(interaction, given.get("scope"))
        # a setting shown, or a change refused, is for the asker's eyes only
        private = command.name in ALWAYS_PRIVATE or (
            command.who == "admins" and not (given.keys() - {"scope"} and admin)
        )
        invocation = Invocation(
            incoming.from_interaction(interaction, text, is_admin=admin), options=given
        )
        await bot.intake.interaction(interaction, command.name, invocation)
        try:
            await delivery.defer(interaction, ephemeral=private)
            outcome = await commands.run(bot.service, command.name, invocation)
            if outcome.keep_nothing:
                await bot.intake.forget(interaction.id)
            await to_interaction(interaction, bot.service, outcome)
        finally:
            await bot.intake.settle(interaction.id)

    callback.__signature__ = _signature(options)  # type: ignore[attr-defined]
    callback.__name__ = command.name
    described = app_commands.describe(**{o.name: localised(o.description) for o in options})
    renamed = app_commands.rename(**{o.name: named(o.name, o.ru_name) for o in options})
    choices = {
        o.name: [app_commands.Choice(name=localised(c.label), value=c.value) for c in o.choices]
        for o in options
        if o.choices
    }
    function = renamed(described(callback))
    if choices:
        function = app_commands.choices(**choices)(function)
    slash = app_commands.Command(
        name=named(command.name, command.ru_name),
        description=localised(command.description),
        callback=function,
    )
    if command.who == "admins":
        slash.default_permissions = ADMIN_PERMISSIONS
    for option in options:
        if option.completes and not option.choices:
            slash.autocomplete(option.name)(completion(bot))
    return slash


Choices = list[app_commands.Choice[str]]


def completion(bot: SilentGodBot) -> Callable[[discord.Interaction, str], Awaitable[Choices]]:
    """The autocomplete of a text option: the words typed so far as glyph scenes, from memory
    (no model, no store), with their words in the user's language."""

    async def complete(interaction: discord.Interaction, current: str) -> Choices:
        language = client_language(interaction.locale.value) or script_language(current) or "en"
        found = completer_for(bot.service).complete(
            current,
            language,
            limit=AUTOCOMPLETE_CHOICES,
            max_chars=CHOICE_CHARS,
            measure=utf16_length,
        )
        return [
            app_commands.Choice(name=c.label(CHOICE_CHARS, utf16_length), value=c.glyphs)
            for c in found
        ]

    return complete


def translate_menu(bot: SilentGodBot) -> app_commands.ContextMenu:
    """The message menu "Translate": reveal a stored answer, else bridge the message's text."""
    reveal = commands.command("reveal")

    async def callback(interaction: discord.Interaction, message: discord.Message) -> None:
        invocation = Invocation(
            incoming.from_interaction(interaction, message.content),
            replied_message_id=str(message.id),
        )
        await bot.intake.interaction(interaction, "reveal", invocation)
        try:
            await delivery.defer(interaction, ephemeral=True)
            outcome = await commands.run(bot.service, "reveal", invocation)
            if outcome.keep_nothing:
                await bot.intake.forget(interaction.id)
            await to_interaction(interaction, bot.service, outcome)
        finally:
            await bot.intake.settle(interaction.id)

    return app_commands.ContextMenu(name=localised(reveal.description), callback=callback)


def install(bot: SilentGodBot) -> None:
    """Every listed command of the table, and the message menu, on the bot's tree."""
    for command in commands.commands_on("discord"):
        bot.tree.add_command(slash_command(bot, command))
    bot.tree.add_command(translate_menu(bot))
