"""The shapes of the command layer: a command of the table, one call of it, and its outcome.

Frontends parse an update into an ``Invocation`` of a ``Command`` and render the ``Outcome``
by their platform's rules; nothing here knows a platform beyond its name.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from core.language.text import clean_text
from core.types import Incoming, Language

if TYPE_CHECKING:
    from core.service import GodService

Platform = Literal["console", "telegram", "discord"]
PLATFORMS: frozenset[Platform] = frozenset({"console", "telegram", "discord"})

Access = Literal["everyone", "admins", "owners"]
"""``admins``: in groups and servers only administrators may run it to change something;
``owners``: only the bot's owners (``[access] owners``) may run it at all."""

Refusal = Literal[
    "busy",  # the queue is full, or this user has too many questions in flight
    "too_long",  # the message exceeds the configured limit
    "empty",  # nothing to answer
    "error",  # something failed; logged
    "store_error",  # the database is unavailable
    "not_allowed",  # only administrators may do that here
    "invalid",  # an argument the command does not take
    "needs_text",  # the command needs an argument
    "gone",  # the answer to reveal is no longer stored
    "rate_limited",  # the asker sends faster than [core] rate_per_minute allows
    "quota",  # the asker's daily quota ([access] daily_answers, daily_fields) is used up
    "no_access",  # [access] refuses the asker (told once a day; nothing of theirs is kept)
    "too_large",  # a file bigger than the platform lets a bot send
    "not_yours",  # a button only the person who asked may press
    "expired",  # a confirmation pressed after [storage] erase_confirm_s
]


@dataclass(frozen=True, slots=True)
class Words:
    """One phrase in both languages the bot speaks."""

    en: str
    ru: str

    def __call__(self, language: Language) -> str:
        return self.ru if language == "ru" else self.en


@dataclass(frozen=True, slots=True)
class Choice:
    """One allowed value of an option."""

    value: str
    label: Words


@dataclass(frozen=True, slots=True)
class Option:
    """One argument of a command (Discord shows each as an option; elsewhere the first is the
    text after the command)."""

    name: str
    ru_name: str
    description: Words
    kind: Literal["text", "integer"] = "text"
    required: bool = True
    choices: tuple[Choice, ...] = ()
    minimum: int | None = None
    maximum: int | None = None
    platforms: frozenset[Platform] = PLATFORMS
    completes: bool = False  # words typed here may be completed into glyphs as they are typed


@dataclass(frozen=True, slots=True)
class Invocation:
    """One call of a command: who asked where (``message.text`` is the argument)."""

    message: Incoming
    options: Mapping[str, str] = field(default_factory=dict)
    answer_id: int | None = None  # reveal: the stored answer a button carries
    replied_message_id: str | None = None  # the bot's message this one replies to

    @property
    def argument(self) -> str:
        """The text after the command, cleaned of control and invisible characters."""
        return clean_text(self.message.text)


@dataclass(frozen=True, slots=True)
class Alternative:
    """One of several ready answers offered to pick from (Telegram's inline results)."""

    key: str
    title: str
    text: str


@dataclass(frozen=True, slots=True)
class Document:
    """A file sent to the asker (``/export``), with the outcome's text as its caption."""

    filename: str
    data: bytes
    mime_type: str = "application/json"


@dataclass(frozen=True, slots=True)
class Confirmation:
    """A yes/no question with two buttons that only ``owner`` may press.

    A press runs the unlisted command ``action`` with the options ``answer`` ("y" or "n"),
    ``owner`` and ``asked_at``; ``data`` is what a button carries (Telegram's callback data
    holds 64 bytes, Discord's custom id 100 characters: this stays under 64).
    """

    action: str
    owner: str
    asked_at: int  # Unix seconds
    yes: str
    no: str

    def data(self, answer: bool) -> str:
        """What the yes or the no button carries."""
        return f"{self.action}:{'y' if answer else 'n'}:{self.owner}:{self.asked_at}"

    @staticmethod
    def parse(data: str) -> tuple[str, dict[str, str]] | None:
        """The command and options of a pressed button; None when it is no such button."""
        match = CONFIRMATION_DATA.match(data)
        if match is None:
            return None
        action, answer, owner, asked_at = match.groups()
        return action, {"answer": answer, "owner": owner, "asked_at": asked_at}


CONFIRMATION_DATA = re.compile(r"^([a-z_]{1,16}):([yn]):(-?\d{1,20}|[\w.-]{1,24}):(\d{1,12})$")


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a command answers; frontends render it by their platform's rules."""

    parts: tuple[str, ...] = ()
    glyphs: str = ""
    translate_button: bool = False  # offer to reveal the translation of ``answer_id``
    answer_id: int | None = None  # the stored answer this message carries
    picture: bytes | None = None  # a PNG, with ``text`` as its caption
    private: bool = False  # for the asker's eyes only, where the platform can do that
    refusal: Refusal | None = None
    composer: bool = False  # the text is a glyph composer: give it the composer's buttons
    language: Language = "en"
    alternatives: tuple[Alternative, ...] = ()
    # nothing goes out: a redelivered answer already did, or its asker was told to slow down
    send_nothing: bool = False
    # [access] refused the asker: the frontend keeps nothing of the update (intake blanked)
    keep_nothing: bool = False
    document: Document | None = None  # a file for the asker, the text its caption
    confirm: Confirmation | None = None  # ask yes or no with two buttons under the text

    @property
    def text(self) -> str:
        """The words of the outcome, one part a line."""
        return "\n".join(self.parts)


Handler = Callable[["GodService", Invocation], Awaitable[Outcome]]


@dataclass(frozen=True, slots=True)
class Command:
    """One row of the command table."""

    name: str
    ru_name: str
    description: Words
    handler: Handler
    options: tuple[Option, ...] = ()
    who: Access = "everyone"
    platforms: frozenset[Platform] = PLATFORMS
    listed: bool = True  # in menus and slash commands (not: buttons, inline queries)
    in_help: bool = True
    usage: Words | None = None  # the argument as /help writes it, e.g. "<message>"

    def options_on(self, platform: Platform) -> tuple[Option, ...]:
        """The options this command takes on ``platform``."""
        return tuple(option for option in self.options if platform in option.platforms)
