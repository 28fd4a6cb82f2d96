"""The console frontend: a terminal chat with the god, and the in-memory frontend of tests.

``handle(line)`` turns one input line into the text the user sees, so a whole conversation
can be a test; ``run()`` adds the terminal around it (line editing and history through
prompt_toolkit when stdin is a terminal, plain lines otherwise).
"""

from __future__ import annotations

import asyncio
import getpass
import logging
import sys
from dataclasses import replace
from pathlib import Path

from core import render
from core.service import HISTORY_LIMIT, GodService, history_count
from core.texts import say
from core.types import Incoming, Mode

logger = logging.getLogger(__name__)

QUIT = frozenset({"/quit", "/exit", "/q"})


class ConsoleFrontend:
    """One local user chatting with the god in a private chat."""

    platform = "console"

    def __init__(
        self,
        service: GodService,
        *,
        user_id: str | None = None,
        chat_id: str = "local",
        language_hint: str | None = None,
        field_dir: Path | None = None,
    ) -> None:
        self.service = service
        self.user_id = user_id or _login_name()
        self.chat_id = chat_id
        self.language_hint = language_hint
        self.field_dir = field_dir or Path.cwd()
        self._last_answer_id: int | None = None

    def _incoming(self, text: str, mode: Mode | None = None) -> Incoming:
        return Incoming(
            platform=self.platform,
            chat_id=self.chat_id,
            user_id=self.user_id,
            text=text,
            chat_kind="private",
            language_hint=self.language_hint,
            mode=mode,
            user_name=self.user_id,
        )

    async def handle(self, line: str) -> str:
        """The console's whole answer to one line of input."""
        line = line.strip()
        if not line:
            return ""
        if not line.startswith("/"):
            return await self._answer(self._incoming(line))
        name, _, argument = line.partition(" ")
        name, argument = name.lower(), argument.strip()
        message = self._incoming(argument)
        language = await self.service.language_for(message, argument)
        if name in ("/start", "/help"):
            return say("help", language)
        if name in ("/glyph", "/translate"):
            mode: Mode = "glyph" if name == "/glyph" else "translate"
            if argument:
                return await self._answer(replace(message, mode=mode))
            if mode == "translate" and self._last_answer_id is not None:
                revealed = await self.service.reveal(self._last_answer_id, message)
                if revealed is not None:
                    return render.reply_text(revealed)
            example = f"{name} 🜂⧖🕯"
            if mode == "translate":
                return say("nothing_to_translate", language)
            return say("needs_text", language, example=example)
        if name == "/mode":
            return (await self.service.mode_setting(message, argument or None)).message
        if name == "/lang":
            return (await self.service.language_setting(message, argument or None)).message
        if name == "/bridge":
            if not argument:
                return say("needs_text", language, example="/bridge fire and time")
            return render.bridge_text(await self.service.bridge_text(argument, message))
        if name == "/lexicon":
            if not argument:
                return say("needs_text", language, example="/lexicon fire")
            return render.lexicon_text(self.service.lookup(argument), argument, language)
        if name == "/history":
            count = history_count(argument)
            if count is None:
                return say("history_bad", language, limit=HISTORY_LIMIT)
            return render.history_text(await self.service.history(message, count), language)
        if name == "/forget":
            count = await self.service.forget(message)
            self._last_answer_id = None
            return say("forgotten", language, count=count)
        if name == "/field":
            return await self._field(message, language)
        return say("help", language)

    async def _answer(self, message: Incoming) -> str:
        reply = await self.service.answer(message)
        if reply.message_id is not None:
            self._last_answer_id = reply.message_id
        return render.reply_text(reply)

    async def _field(self, message: Incoming, language: str) -> str:
        if not message.text:
            return say("needs_text", language, example="/field 🜂⧖🕯")  # type: ignore[arg-type]
        picture = await self.service.field(message)
        if picture.png is None:
            return picture.caption
        self.field_dir.mkdir(parents=True, exist_ok=True)
        path = self.field_dir / "field.png"
        await asyncio.to_thread(path.write_bytes, picture.png)
        return f"{picture.caption}\n{path}"

    async def run(self) -> None:
        """Chat until Ctrl-D, Ctrl-C or /quit."""
        interactive = sys.stdin.isatty()
        if interactive:
            print("🜂⧖🕯  Silent God — /help for commands, Ctrl-D to leave.")
        session = _prompt_session() if interactive else None
        while True:
            try:
                if session is not None:
                    line = await session.prompt_async("you › ")
                else:
                    line = await asyncio.to_thread(sys.stdin.readline)
                    if not line:
                        break
            except (EOFError, KeyboardInterrupt):
                break
            if line.strip().lower() in QUIT:
                break
            try:
                output = await self.handle(line)
            except Exception:
                logger.exception("console command failed")
                output = say("error", "en")
            if output:
                print(output if not interactive else f"god › {output}", flush=True)


def _login_name() -> str:
    try:
        return getpass.getuser()
    except Exception:
        return "you"


def _prompt_session():  # type: ignore[no-untyped-def]
    from prompt_toolkit import PromptSession
    from prompt_toolkit.history import FileHistory

    history = Path.home() / ".silentgod_history"
    try:
        return PromptSession(history=FileHistory(str(history)))
    except OSError:
        return PromptSession()
