"""Checks every REST request the fake Discord receives against Discord's own specification.

Two layers, both answered as Discord answers them (400, code 50035 "Invalid Form Body"):

* the JSON body against the request schema of the matched operation in Discord's OpenAPI
  document, ``tests/data/specs/discord/openapi.json`` (``discord/discord-api-spec``, HTTP API
  v10; see ``SOURCE.md`` there), with ``jsonschema``'s Draft 2020-12 validator;
* the rules Discord states only in prose: command and option names and descriptions, locales,
  option and choice counts, required options before optional ones, the empty description of
  user and message commands, content of at most 2000 characters for bots, message flags,
  component rules and the interaction callback types each interaction accepts.
"""

from __future__ import annotations

import functools
import json
import re
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import referencing
import referencing.jsonschema
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match

JSONDict = dict[str, Any]

SPEC_PATH = Path(__file__).resolve().parents[1] / "data" / "specs" / "discord" / "openapi.json"
_DOC_URI = "urn:discord:openapi"


@dataclass(frozen=True)
class Allowed:
    """A documented exception: what discord.py itself sends that the specification refuses."""

    route: str  # "METHOD /template", or "*" for every route
    field: str  # regular expression over the dotted field path
    reason: str
    value: Callable[[Any], bool] = lambda value: True

    def covers(self, violation: Violation) -> bool:
        """Whether this exception excuses ``violation``."""
        return (
            self.route in ("*", violation.route)
            and re.fullmatch(self.field, violation.field) is not None
            and self.value(violation.value)
        )


def _integer_snowflake(value: Any) -> bool:
    """A snowflake sent as a JSON integer instead of the spec's string."""
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


# Library behaviour the bot cannot change, each with its reason; nothing else may go here.
EXCEPTIONS: list[Allowed] = [
    Allowed(
        "*",
        r"(?:.*\.)?message_reference\.(?:message_id|channel_id|guild_id)",
        "discord.py (MessageReference.to_dict) sends a reply's snowflakes as JSON integers; "
        "the spec types SnowflakeType as a string, Discord accepts both",
        _integer_snowflake,
    ),
    Allowed(
        "*",
        r"(?:.*\.)?attachments\.\d+\.id",
        "discord.py (http.handle_message_parameters) numbers uploaded files' attachments "
        "0, 1, … as JSON integers; the spec types SnowflakeType as a string, Discord matches "
        "them to the files[n] parts either way",
        _integer_snowflake,
    ),
]

MAX_BOT_CONTENT = 2000
EPHEMERAL = 1 << 6
# Flags a bot may set when creating a message (SUPPRESS_EMBEDS, SUPPRESS_NOTIFICATIONS,
# IS_VOICE_MESSAGE, IS_COMPONENTS_V2), plus EPHEMERAL for interaction responses and follow-ups.
CREATE_FLAGS = (1 << 2) | (1 << 12) | (1 << 13) | (1 << 15)
# Callback types each interaction type accepts (APPLICATION_COMMAND, MESSAGE_COMPONENT,
# APPLICATION_COMMAND_AUTOCOMPLETE, MODAL_SUBMIT); PONG (1) answers HTTP pings only.
CALLBACK_TYPES = {2: {4, 5, 9, 12}, 3: {4, 5, 6, 7, 9, 12}, 4: {8}, 5: {4, 5, 6, 7, 12}}
_NAME_RE = re.compile(r"[-_'\w]{1,32}")
_LINK, _PREMIUM = 5, 6


@dataclass(frozen=True)
class Violation:
    """One way a request breaks Discord's specification."""

    route: str  # "PUT /applications/{application_id}/commands"
    field: str  # dotted path inside the JSON body, e.g. ``0.options.1.description``
    value: Any
    problem: str
    code: str = "BASE_TYPE_INVALID"

    def __str__(self) -> str:
        """``PUT /applications/{application_id}/commands: 0.name_localizations.ru-RU=…: …``."""
        shown = repr(self.value)
        if len(shown) > 120:
            shown = shown[:117] + "..."
        return f"{self.route}: {self.field or '(body)'}={shown}: {self.problem}"


@functools.cache
def spec() -> JSONDict:
    """The vendored OpenAPI document."""
    return json.loads(SPEC_PATH.read_text(encoding="utf-8"))


@functools.cache
def locales() -> frozenset[str]:
    """Discord's locales (``AvailableLocalesEnum``), e.g. ``ru`` (never ``ru-RU``)."""
    schema = spec()["components"]["schemas"]["AvailableLocalesEnum"]
    return frozenset(choice["const"] for choice in schema["oneOf"])


@functools.cache
def _registry() -> referencing.Registry[Any]:
    """The whole document as one resource, so ``#/components/schemas/…`` refs resolve."""
    resource = referencing.Resource.from_contents(
        spec(), default_specification=referencing.jsonschema.DRAFT202012
    )
    return referencing.Registry().with_resource(_DOC_URI, resource)


@functools.cache
def _operations() -> list[tuple[str, re.Pattern[str], str, int]]:
    """(METHOD, path regex, template, number of path parameters), literal paths first."""
    table = []
    for template, item in spec()["paths"].items():
        regex = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template))
        for method in item:
            if method in ("get", "put", "post", "patch", "delete"):
                params = template.count("{")
                table.append((method.upper(), re.compile(regex), template, params))
    return sorted(table, key=lambda row: row[3])


def operation(method: str, path: str) -> str | None:
    """The spec's path template for a request, or None if the spec has no such operation."""
    for op_method, regex, template, _ in _operations():
        if op_method == method and regex.fullmatch(path):
            return template
    return None


@functools.cache
def _validator(method: str, template: str) -> Draft202012Validator | None:
    """A validator for the operation's JSON request body, if it takes one."""
    body = spec()["paths"][template][method.lower()].get("requestBody")
    if not body or "application/json" not in body["content"]:
        return None
    escaped = template.replace("~", "~0").replace("/", "~1")
    pointer = f"/paths/{escaped}/{method.lower()}/requestBody/content/application~1json/schema"
    ref = f"{_DOC_URI}#{urllib.parse.quote(pointer, safe='/~')}"
    return Draft202012Validator({"$ref": ref}, registry=_registry())


def check(
    method: str, path: str, body: Any, *, interaction_type: int | None = None
) -> list[Violation]:
    """Every violation of one REST request (``path`` without the ``/api/v10`` prefix).

    ``body`` is the JSON body (or a multipart request's ``payload_json``); ``interaction_type``
    is the type of the interaction a callback answers, when known.
    """
    template = operation(method, path)
    if template is None:
        return [Violation(f"{method} {path}", "", None, "no such route in the HTTP API", "")]
    route = f"{method} {template}"
    found = _prose(route, template, method, body, interaction_type)
    validator = _validator(method, template)
    if validator is not None and body is not None:
        fields = {v.field for v in found}  # one answer per field: Discord's prose wording first
        found += [
            v
            for v in (_from_error(route, e) for e in validator.iter_errors(body))
            if v.field not in fields
        ]
    return [v for v in found if not any(allowed.covers(v) for allowed in EXCEPTIONS)]


def _from_error(route: str, error: ValidationError) -> Violation:
    """The most specific failure under a (possibly oneOf/anyOf) schema error.

    Of a ``oneOf``'s branches, the one whose ``type`` matched (Discord's discriminator) and
    that failed least is the one the request meant.
    """
    while error.context:
        branches: dict[Any, list[ValidationError]] = {}
        for sub in error.context:
            branches.setdefault(sub.schema_path[0], []).append(sub)

        def score(errors: list[ValidationError]) -> tuple[bool, bool, int]:
            missed_type = any(list(e.relative_path)[:1] == ["type"] for e in errors)
            wrong_kind = any(e.validator == "type" and not e.relative_path for e in errors)
            return missed_type, wrong_kind, len(errors)

        error = best_match(min(branches.values(), key=score))
    where = ".".join(str(p) for p in error.absolute_path)
    message = error.message if len(error.message) <= 200 else error.message[:197] + "..."
    return Violation(route, where, error.instance, message, "BASE_TYPE_INVALID")


# ----------------------------------------------------------------------- rules in prose


def _prose(
    route: str, template: str, method: str, body: Any, interaction_type: int | None
) -> list[Violation]:
    """The rules Discord's documentation states in prose, by route."""
    rules = _Rules(route)
    if template.endswith("/commands") and method == "PUT" and isinstance(body, list):
        rules.commands(body)
    elif template.endswith("/commands") and method == "POST" and isinstance(body, dict):
        rules.command("", body, partial=False)
    elif template.endswith("/commands/{command_id}") and isinstance(body, dict):
        rules.command("", body, partial=True)
    elif template == "/channels/{channel_id}/messages" and isinstance(body, dict):
        rules.message("", body, allowed_flags=CREATE_FLAGS)
    elif template == "/channels/{channel_id}/messages/{message_id}" and isinstance(body, dict):
        rules.message("", body, allowed_flags=~EPHEMERAL)  # a channel message stays public
    elif template.startswith("/webhooks/{webhook_id}/{webhook_token}") and isinstance(body, dict):
        creating = method == "POST"
        rules.message("", body, allowed_flags=CREATE_FLAGS | EPHEMERAL if creating else None)
    elif template.endswith("/callback") and isinstance(body, dict):
        rules.callback(body, interaction_type)
    return rules.found


class _Rules:
    """Collects prose-rule violations for one request."""

    def __init__(self, route: str) -> None:
        self.route = route
        self.found: list[Violation] = []

    def bad(self, where: str, value: Any, problem: str, code: str) -> None:
        """Record one violation."""
        self.found.append(Violation(self.route, where.strip("."), value, problem, code))

    # -- application commands

    def commands(self, commands: list[Any]) -> None:
        """A bulk overwrite: each command, and names unique per type."""
        seen: set[tuple[str, int]] = set()
        for i, cmd in enumerate(commands):
            if not isinstance(cmd, dict):
                continue
            self.command(f"{i}.", cmd, partial=False)
            key = (str(cmd.get("name")), cmd.get("type") or 1)
            if key in seen:
                self.bad(
                    f"{i}.name",
                    cmd.get("name"),
                    "Application command names must be unique",
                    "APPLICATION_COMMANDS_DUPLICATE_NAME",
                )
            seen.add(key)

    def command(self, at: str, cmd: JSONDict, *, partial: bool) -> None:
        """Names, descriptions (empty for user and message commands), locales, options."""
        chat_input = (cmd.get("type") or 1) == 1
        if "name" in cmd or not partial:
            self.name(f"{at}name", cmd.get("name"), strict=chat_input)
        if chat_input and ("description" in cmd or not partial):
            self.description(f"{at}description", cmd.get("description"))
        elif not chat_input and cmd.get("description"):
            self.bad(
                f"{at}description",
                cmd["description"],
                "Must be empty for user and message commands.",
                "BASE_TYPE_BAD_LENGTH",
            )
        if not chat_input and cmd.get("description_localizations"):
            self.bad(
                f"{at}description_localizations",
                cmd["description_localizations"],
                "Must be empty for user and message commands.",
                "BASE_TYPE_BAD_LENGTH",
            )
        self.localizations(at, cmd, strict=chat_input)
        if cmd.get("options") and not chat_input:
            self.bad(
                f"{at}options",
                cmd["options"],
                "Only chat input commands take options.",
                "BASE_TYPE_INVALID",
            )
        elif chat_input:
            self.options(f"{at}options", cmd.get("options") or [])

    def name(self, where: str, name: Any, *, strict: bool) -> None:
        """Chat-input names: 1-32 of letters/digits/-_' in lowercase; others 1-32 characters."""
        if not isinstance(name, str) or not 1 <= len(name) <= 32:
            self.bad(where, name, "Must be between 1 and 32 in length.", "BASE_TYPE_BAD_LENGTH")
        elif strict and (not _NAME_RE.fullmatch(name) or name != name.lower()):
            self.bad(where, name, "Command name is invalid", "APPLICATION_COMMAND_INVALID_NAME")

    def description(self, where: str, text: Any) -> None:
        """Descriptions: 1-100 characters."""
        if not isinstance(text, str) or not 1 <= len(text) <= 100:
            self.bad(where, text, "Must be between 1 and 100 in length.", "BASE_TYPE_BAD_LENGTH")

    def localizations(self, at: str, obj: JSONDict, *, strict: bool) -> None:
        """``name_localizations``/``description_localizations``: known locales, valid values."""
        for key in ("name_localizations", "description_localizations"):
            for locale, value in (obj.get(key) or {}).items():
                where = f"{at}{key}.{locale}"
                if locale not in locales():
                    self.bad(where, locale, f"Invalid locale {locale!r}", "LOCALE_INVALID")
                elif key == "name_localizations":
                    self.name(where, value, strict=strict)
                else:
                    self.description(where, value)

    def options(self, where: str, options: list[Any]) -> None:
        """≤ 25 unique, valid options, required before optional, ≤ 25 valid choices."""
        if len(options) > 25:
            self.bad(where, len(options), "Must be 25 or fewer in length.", "BASE_TYPE_MAX_LENGTH")
        names: set[str] = set()
        optional_seen = False
        for i, opt in enumerate(options):
            if not isinstance(opt, dict):
                continue
            at = f"{where}.{i}."
            self.name(f"{at}name", opt.get("name"), strict=True)
            if opt.get("name") in names:
                self.bad(
                    f"{at}name",
                    opt.get("name"),
                    "Option names must be unique",
                    "APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS",
                )
            names.add(str(opt.get("name")))
            self.description(f"{at}description", opt.get("description"))
            self.localizations(at, opt, strict=True)
            if opt.get("type") in (1, 2):
                self.options(f"{at}options", opt.get("options") or [])
                continue
            if opt.get("required") and optional_seen:
                self.bad(
                    f"{at}required",
                    True,
                    "Required options must be placed before non-required options",
                    "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                )
            optional_seen = optional_seen or not opt.get("required")
            self.choices(f"{at}choices", opt.get("choices") or [])

    def choices(self, where: str, choices: list[Any]) -> None:
        """≤ 25 choices, names 1-100 (and their localisations), string values ≤ 100."""
        if len(choices) > 25:
            self.bad(where, len(choices), "Must be 25 or fewer in length.", "BASE_TYPE_MAX_LENGTH")
        for j, choice in enumerate(choices):
            if not isinstance(choice, dict):
                continue
            name = choice.get("name")
            if not isinstance(name, str) or not 1 <= len(name) <= 100:
                self.bad(
                    f"{where}.{j}.name",
                    name,
                    "Must be between 1 and 100 in length.",
                    "BASE_TYPE_BAD_LENGTH",
                )
            for locale, value in (choice.get("name_localizations") or {}).items():
                at = f"{where}.{j}.name_localizations.{locale}"
                if locale not in locales():
                    self.bad(at, locale, f"Invalid locale {locale!r}", "LOCALE_INVALID")
                elif not isinstance(value, str) or not 1 <= len(value) <= 100:
                    self.bad(
                        at, value, "Must be between 1 and 100 in length.", "BASE_TYPE_BAD_LENGTH"
                    )
            value = choice.get("value")
            if isinstance(value, str) and len(value) > 100:
                self.bad(
                    f"{where}.{j}.value",
                    value,
                    "Must be 100 or fewer in length.",
                    "BASE_TYPE_MAX_LENGTH",
                )

    # -- messages and components

    def message(self, at: str, body: JSONDict, *, allowed_flags: int | None) -> None:
        """Content ≤ 2000 for bots, flags allowed here (None: any), component rules."""
        content = body.get("content")
        if isinstance(content, str) and len(content) > MAX_BOT_CONTENT:
            self.bad(
                f"{at}content",
                content,
                f"Must be {MAX_BOT_CONTENT} or fewer in length.",
                "BASE_TYPE_MAX_LENGTH",
            )
        flags = body.get("flags")
        if (
            isinstance(flags, int)
            and not isinstance(flags, bool)
            and allowed_flags is not None
            and flags & ~allowed_flags
        ):
            self.bad(
                f"{at}flags",
                flags,
                f"Flags {flags & ~allowed_flags} cannot be set on this message.",
                "MESSAGE_FLAGS_INVALID",
            )
        self.components(f"{at}components", body.get("components") or [])

    def components(self, where: str, rows: list[Any]) -> None:
        """≤ 5 action rows of ≤ 5 buttons; each button one action; unique custom_ids."""
        if len(rows) > 5 and all(isinstance(r, dict) and r.get("type") == 1 for r in rows):
            self.bad(where, len(rows), "Must be 5 or fewer in length.", "BASE_TYPE_MAX_LENGTH")
        seen: set[str] = set()
        for at, component in _walk(where, rows):
            custom_id = component.get("custom_id")
            if component.get("type") == 2:
                self.button(at, component)
            if isinstance(custom_id, str):
                if custom_id in seen:
                    self.bad(
                        f"{at}.custom_id",
                        custom_id,
                        "Component custom id cannot be duplicated",
                        "COMPONENT_CUSTOM_ID_DUPLICATED",
                    )
                seen.add(custom_id)

    def button(self, at: str, button: JSONDict) -> None:
        """Link buttons: url, no custom_id; premium: sku_id only; others: custom_id, no url."""
        style = button.get("style")
        has = {k for k in ("custom_id", "url", "sku_id") if button.get(k) is not None}
        wanted = {"url"} if style == _LINK else {"sku_id"} if style == _PREMIUM else {"custom_id"}
        if has != wanted:
            self.bad(
                at,
                button,
                f"A button of style {style} takes exactly {sorted(wanted)}, has {sorted(has)}",
                "BUTTON_COMPONENT_INVALID",
            )
        if style not in (_PREMIUM,) and not (button.get("label") or button.get("emoji")):
            self.bad(at, button, "A button needs a label or an emoji", "BUTTON_COMPONENT_INVALID")

    # -- interaction callbacks

    def callback(self, body: JSONDict, interaction_type: int | None) -> None:
        """The callback type this interaction accepts, and its message's rules."""
        kind = body.get("type")
        if interaction_type is not None and kind not in CALLBACK_TYPES.get(interaction_type, ()):
            self.bad(
                "type",
                kind,
                f"Interactions of type {interaction_type} cannot be answered with type {kind}",
                "INTERACTION_RESPONSE_TYPE_INVALID",
            )
        data = body.get("data")
        if kind in (4, 7) and isinstance(data, dict):
            allowed = CREATE_FLAGS | EPHEMERAL if kind == 4 else None
            self.message("data.", data, allowed_flags=allowed)
        if kind == 8 and isinstance(data, dict):
            self.autocomplete(data)

    def autocomplete(self, data: JSONDict) -> None:
        """Autocomplete choices: a string value holds at most 100 characters (the schema
        allows 6000, the prose of "Application Command Option Choice" says 100)."""
        for i, choice in enumerate(data.get("choices") or []):
            value = choice.get("value") if isinstance(choice, dict) else None
            if isinstance(value, str) and len(value) > 100:
                at = f"data.choices.{i}.value"
                self.bad(at, value, "Must be 100 or fewer in length.", "BASE_TYPE_MAX_LENGTH")


def _walk(where: str, components: list[Any]) -> Iterator[tuple[str, JSONDict]]:
    """Every component, nested ones included, with its dotted path."""
    for i, component in enumerate(components):
        if not isinstance(component, dict):
            continue
        at = f"{where}.{i}"
        yield at, component
        yield from _walk(f"{at}.components", component.get("components") or [])
        accessory = component.get("accessory")
        if isinstance(accessory, dict):
            yield f"{at}.accessory", accessory
