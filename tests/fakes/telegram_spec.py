"""Checks every Bot API request the fake receives against Telegram's own specification.

The specification is ``tests/data/specs/telegram/api.json`` (Bot API 10.1 as published by
``PaulSonOfLars/telegram-bot-api-spec``; see ``SOURCE.md`` there). :func:`check` answers the
list of :class:`Violation` for one request: an unknown method, a parameter that is no field of
the method, a missing required field, a value of the wrong type (Integer, Float, Boolean,
String, arrays, JSON-serialised objects and their subtypes, InputFile), and the limits and
enumerations the Bot API documents in prose (parse modes, chat actions, callback data,
BotCommand rules, inline results, keyboard buttons).

Values are checked as they travel: a form field is the string Telegram receives (so
``timeout=10.0`` is a Float, not an Integer), a JSON body's values are JSON values.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

JSONDict = dict[str, Any]

SPEC_PATH = Path(__file__).resolve().parents[1] / "data" / "specs" / "telegram" / "api.json"

# What python-telegram-bot itself sends that the specification does not allow, as
# ``(method, field) -> reason``. Each entry is a library behaviour we cannot change from the
# bot; nothing else may go here.
EXCEPTIONS: dict[tuple[str, str], str] = {}

PARSE_MODES = frozenset({"HTML", "Markdown", "MarkdownV2"})
CHAT_ACTIONS = frozenset(
    {"typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
     "upload_document", "choose_sticker", "find_location", "record_video_note",
     "upload_video_note"}
)  # fmt: skip
_COMMAND_RE = re.compile(r"[a-z0-9_]{1,32}")
_LANGUAGE_RE = re.compile(r"(?:[a-z]{2})?")
_INTEGER_RE = re.compile(r"-?\d+")
_FLOAT_RE = re.compile(r"-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_DISCRIMINATORS = frozenset({"type", "source", "status"})
_DISCRIMINATOR_RE = re.compile(r"(?:must be|always) [“\"]?([a-z_]+)[”\"]?")
# "1-64 bytes", "0-200 characters": documented lengths (not those counted after entity parsing).
_LENGTH_RE = re.compile(r"\b(\d+)-(\d+) (characters|bytes)", re.IGNORECASE)
# Fields other than these choose an inline button's action; exactly one must be present.
_BUTTON_LOOKS = frozenset({"text", "icon_custom_emoji_id", "style"})


@dataclass(frozen=True)
class Violation:
    """One way a request breaks the specification."""

    method: str
    field: str  # dotted path inside the request, e.g. ``commands.0.description``
    value: Any
    problem: str

    def __str__(self) -> str:
        """``getUpdates: timeout=10.0: …`` — method, field and value."""
        shown = repr(self.value)
        if len(shown) > 120:
            shown = shown[:117] + "..."
        return f"{self.method}: {self.field}={shown}: {self.problem}"


@functools.cache
def spec() -> JSONDict:
    """The vendored Bot API specification."""
    return json.loads(SPEC_PATH.read_text(encoding="utf-8"))


def method_names() -> dict[str, str]:
    """Lower-case method name -> Telegram's spelling."""
    return {name.lower(): name for name in spec()["methods"]}


def check(method: str, params: Mapping[str, Any], uploads: Iterable[str] = ()) -> list[Violation]:
    """Every violation of one request to ``method`` with ``params`` and uploaded file parts.

    ``params`` holds form values as strings and JSON-body values as JSON values.
    """
    checker = _Checker(method, set(uploads))
    checker.request(params)
    return [v for v in checker.found if (v.method, v.field.split(".")[0]) not in EXCEPTIONS]


class _Checker:
    """Walks one request, collecting violations."""

    def __init__(self, method: str, uploads: set[str]) -> None:
        self.method, self.uploads = method, uploads
        self.found: list[Violation] = []

    def bad(self, where: str, value: Any, problem: str) -> None:
        """Record one violation."""
        self.found.append(Violation(self.method, where, value, problem))

    # ------------------------------------------------------------------ the request

    def request(self, params: Mapping[str, Any]) -> None:
        """The method, its fields, then the rules stated in prose."""
        spelled = method_names().get(self.method.lower())
        if spelled is None:
            self.bad("(method)", self.method, "no such method in the Bot API")
            return
        self.method = spelled
        fields = {f["name"]: f for f in spec()["methods"][spelled].get("fields", [])}
        decoded: JSONDict = {}
        for name, value in params.items():
            if name not in fields:
                self.bad(name, value, f"not a parameter of {spelled}")
                continue
            ok, decoded[name] = self.top_level(name, value, fields[name])
            if not ok:
                decoded.pop(name)
        for name, spec_field in fields.items():
            if spec_field["required"] and name not in params and name not in self.uploads:
                self.bad(name, None, "required parameter is missing")
        self.method_rules(decoded)

    def top_level(self, name: str, value: Any, spec_field: JSONDict) -> tuple[bool, Any]:
        """Decode one parameter as Telegram would and check its type; (ok, decoded value)."""
        types: list[str] = spec_field["types"]
        if not isinstance(value, str):  # a JSON body: already typed
            return self.value(name, value, types, spec_field), value
        if "InputFile" in types and name in self.uploads:
            return True, value
        tried: list[tuple[list[Violation], Any]] = []
        for kind in types:
            decoded = _decode_form(value, kind)
            if decoded is _INVALID:
                continue
            trial = _Checker(self.method, self.uploads)
            trial.typed(name, decoded, kind, spec_field)
            if not trial.found:
                return True, decoded
            tried.append((trial.found, decoded))
        if not tried:
            self.bad(name, value, f"is not {' or '.join(types)}")
            return False, value
        found, decoded = min(tried, key=lambda pair: len(pair[0]))
        self.found.extend(found)
        return False, decoded

    # ------------------------------------------------------------------ values and objects

    def value(self, where: str, value: Any, types: list[str], spec_field: JSONDict) -> bool:
        """Check ``value`` against one of ``types``; record the closest failure."""
        best: list[Violation] | None = None
        for kind in types:
            trial = _Checker(self.method, self.uploads)
            trial.typed(where, value, kind, spec_field)
            if not trial.found:
                return True
            if best is None or len(trial.found) < len(best):
                best = trial.found
        self.found.extend(best or [])
        return False

    def typed(self, where: str, value: Any, kind: str, spec_field: JSONDict) -> None:
        """Check one value against one type name of the specification."""
        if kind.startswith("Array of "):
            if not isinstance(value, list):
                self.bad(where, value, f"is not {kind}")
                return
            for i, item in enumerate(value):
                self.typed(f"{where}.{i}", item, kind.removeprefix("Array of "), spec_field)
            return
        if kind == "Integer":
            if not isinstance(value, int) or isinstance(value, bool):
                self.bad(where, value, "is not an Integer")
        elif kind == "Float":
            if not isinstance(value, int | float) or isinstance(value, bool):
                self.bad(where, value, "is not a Float")
        elif kind == "Boolean":
            if not isinstance(value, bool):
                self.bad(where, value, "is not a Boolean")
        elif kind == "String":
            if not isinstance(value, str):
                self.bad(where, value, "is not a String")
            elif value.startswith("attach://") and "InputFile" in spec_field.get("types", []):
                self.typed(where, value, "InputFile", spec_field)  # must name an uploaded part
            else:
                self.documented_length(where, value, spec_field)
        elif kind == "InputFile":
            name = value.removeprefix("attach://") if isinstance(value, str) else None
            if not (isinstance(value, str) and value.startswith("attach://")) or (
                name not in self.uploads
            ):
                self.bad(where, value, "is not an uploaded InputFile (attach://<part>)")
        elif kind in spec()["types"]:
            self.object(where, value, kind)
        else:
            self.bad(where, value, f"has the unknown type {kind}")

    def object(self, where: str, value: Any, kind: str) -> None:
        """A JSON object of the specification's type ``kind`` (or one of its subtypes)."""
        definition = spec()["types"][kind]
        subtypes: list[str] = definition.get("subtypes", [])
        if subtypes:
            self.union(where, value, kind, subtypes)
            return
        if not isinstance(value, dict):
            self.bad(where, value, f"is not a JSON-serialized {kind}")
            return
        fields = {f["name"]: f for f in definition.get("fields", [])}
        for name, item in value.items():
            if name not in fields:
                self.bad(f"{where}.{name}", item, f"not a field of {kind}")
            else:
                self.value(f"{where}.{name}", item, fields[name]["types"], fields[name])
        for name, spec_field in fields.items():
            if spec_field["required"] and name not in value:
                self.bad(f"{where}.{name}", None, f"required field of {kind} is missing")
            elif name in value and (const := _discriminator(spec_field)) not in (None, value[name]):
                self.bad(f"{where}.{name}", value[name], f"must be {const!r} in {kind}")
        self.object_rules(where, value, kind)

    def union(self, where: str, value: Any, kind: str, subtypes: list[str]) -> None:
        """One of several subtypes: the first that fits, else the named one's problems."""
        trials: dict[str, list[Violation]] = {}
        for sub in subtypes:
            trial = _Checker(self.method, self.uploads)
            trial.typed(where, value, sub, {"description": ""})
            if not trial.found:
                return
            trials[sub] = trial.found
        named = [
            sub
            for sub in subtypes
            if isinstance(value, dict)
            and any(
                f["name"] in value and value[f["name"]] == _discriminator(f)
                for f in spec()["types"].get(sub, {}).get("fields", [])
            )
        ]
        if named:
            self.found.extend(min((trials[s] for s in named), key=len))
        else:
            self.bad(where, value, f"is none of the {kind} kinds ({', '.join(subtypes)})")

    def documented_length(self, where: str, value: str, spec_field: JSONDict) -> None:
        """ "N-M characters/bytes" limits stated in the field's description."""
        description = spec_field.get("description", "")
        if "after entities parsing" in description or "entities" in where.rsplit(".", 1)[-1]:
            return  # counted on the parsed text: the fake's formatter checks it
        match = _LENGTH_RE.search(description)
        if match is None:
            return
        low, high, unit = int(match[1]), int(match[2]), match[3].lower()
        size = len(value.encode()) if unit == "bytes" else len(value)
        if not low <= size <= high:
            self.bad(where, value, f"must be {low}-{high} {unit}, is {size}")

    # ------------------------------------------------------------------ rules stated in prose

    def object_rules(self, where: str, value: JSONDict, kind: str) -> None:
        """Rules on single objects that the field types alone do not express."""
        if kind == "BotCommand":
            command = value.get("command")
            if isinstance(command, str) and not _COMMAND_RE.fullmatch(command):
                self.bad(
                    f"{where}.command",
                    command,
                    "must be 1-32 lowercase English letters, digits and underscores",
                )
        elif kind == "InlineKeyboardButton":
            actions = sorted(k for k in value if k not in _BUTTON_LOOKS)
            if len(actions) != 1:
                self.bad(where, value, f"needs exactly one action field, has {actions}")
        elif kind == "KeyboardButton":
            actions = sorted(k for k in value if k not in _BUTTON_LOOKS)
            if len(actions) > 1:
                self.bad(where, value, f"may have at most one optional action, has {actions}")
        elif kind.startswith("InlineQueryResult"):
            rid = value.get("id")
            if isinstance(rid, str) and not 1 <= len(rid.encode()) <= 64:
                self.bad(f"{where}.id", rid, "must be 1-64 bytes")
        for name in ("parse_mode", "quote_parse_mode"):
            if name in value and value[name] not in PARSE_MODES:
                self.bad(f"{where}.{name}", value[name], f"must be one of {sorted(PARSE_MODES)}")

    def method_rules(self, params: JSONDict) -> None:
        """Rules on a method's parameters that the field types alone do not express."""
        for name in ("parse_mode", "quote_parse_mode"):
            if name in params and params[name] not in PARSE_MODES:
                self.bad(name, params[name], f"must be one of {sorted(PARSE_MODES)}")
        if "language_code" in params and not _LANGUAGE_RE.fullmatch(str(params["language_code"])):
            self.bad(
                "language_code",
                params["language_code"],
                "must be a two-letter ISO 639-1 language code or empty",
            )
        if self.method == "sendChatAction" and params.get("action") not in CHAT_ACTIONS:
            self.bad("action", params.get("action"), f"must be one of {sorted(CHAT_ACTIONS)}")
        if self.method == "setMyCommands" and isinstance(params.get("commands"), list):
            commands = params["commands"]
            if len(commands) > 100:
                self.bad("commands", len(commands), "at most 100 commands can be specified")
        updates = params.get("allowed_updates")
        if isinstance(updates, list):
            kinds = {f["name"] for f in spec()["types"]["Update"]["fields"]} - {"update_id"}
            for i, kind in enumerate(updates):
                if kind not in kinds:
                    self.bad(f"allowed_updates.{i}", kind, "is not a kind of Update")
        if self.method == "getUpdates":
            limit, timeout = params.get("limit"), params.get("timeout")
            if isinstance(limit, int) and not 1 <= limit <= 100:
                self.bad("limit", limit, "values between 1-100 are accepted")
            if isinstance(timeout, int) and timeout < 0:
                self.bad("timeout", timeout, "must not be negative")
        if self.method == "answerInlineQuery" and isinstance(params.get("results"), list):
            results = params["results"]
            if len(results) > 50:
                self.bad("results", len(results), "no more than 50 results per query")
            ids = [r.get("id") for r in results if isinstance(r, dict)]
            if len(ids) != len(set(map(str, ids))):
                self.bad("results", ids, "result ids must be unique")


_INVALID = object()


def _decode_form(value: str, kind: str) -> Any:
    """A form field's string as the type ``kind``, or ``_INVALID``."""
    if kind == "String" or kind == "InputFile":
        return value
    if kind == "Integer":
        return int(value) if _INTEGER_RE.fullmatch(value) else _INVALID
    if kind == "Float":
        return float(value) if _FLOAT_RE.fullmatch(value) else _INVALID
    if kind == "Boolean":
        return {"true": True, "false": False}.get(value, _INVALID)
    try:  # arrays and objects travel JSON-serialized
        return json.loads(value)
    except ValueError:
        return _INVALID


def _discriminator(spec_field: JSONDict) -> str | None:
    """The constant a subtype's ``type``-like field must hold ("must be article")."""
    if spec_field.get("name") not in _DISCRIMINATORS or spec_field.get("types") != ["String"]:
        return None
    match = _DISCRIMINATOR_RE.search(spec_field.get("description", ""))
    return match[1] if match else None
