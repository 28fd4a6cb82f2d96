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
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

from core import commands
from core.commands import Invocation, Outcome
from core.commands.model import Confirmation
from core.commands.privacy import CONSOLE_CONFIRM, WRITTEN, YES
from core.service import GodService
from core.texts import say
from core.types import Incoming

if TYPE_CHECKING:
    from bot.console.completer import GlyphCompleter

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
        self._session = uuid.uuid4().hex[:8]  # answers printed here are "console-<session>-<n>"
        self._printed = 0
        self._last_answer: str | None = None  # what "/translate" alone replies to
        self._confirm: Confirmation | None = None  # the yes/no question the next line answers

    def _incoming(self, text: str) -> Incoming:
        return Incoming(
            platform=self.platform,
            chat_id=self.chat_id,
            user_id=self.user_id,
            text=text,
            chat_kind="private",
            language_hint=self.language_hint,
            user_name=self.user_id,
        )

    async def handle(self, line: str) -> str:
        """The console's whole answer to one line of input."""
        line = line.strip()
        if self._confirm is not None:  # the line answers the question asked last
            confirm, self._confirm = self._confirm, None
            answer = "y" if line.lower() in YES else "n"
            options = {"answer": answer, "owner": confirm.owner, "asked_at": str(confirm.asked_at)}
            invocation = Invocation(self._incoming(""), options=options)
            return await self._render(await commands.run(self.service, confirm.action, invocation))
        if not line:
            return ""
        if line.startswith("/"):
            name, _, argument = line[1:].partition(" ")
            name, argument = name.lower(), argument.strip()
            if name not in {c.name for c in commands.commands_on("console")}:
                name = "help"
        else:
            name, argument = "ask", line
        invocation = Invocation(self._incoming(argument), replied_message_id=self._last_answer)
        outcome = await commands.run(self.service, name, invocation)
        if name == "forget":
            self._last_answer = None
        return await self._render(outcome)

    async def _render(self, outcome: Outcome) -> str:
        """The outcome as printed; a picture is written to a file whose path is printed."""
        if outcome.answer_id is not None:
            self._printed += 1
            self._last_answer = f"console-{self._session}-{self._printed}"
            await self.service.memory.remember_delivery(outcome.answer_id, self._last_answer)
        if outcome.confirm is not None:
            self._confirm = outcome.confirm
            return f"{outcome.text}\n{CONSOLE_CONFIRM(outcome.language)}"
        if outcome.document is not None:  # /export: a file in the output folder
            path = await self._write(outcome.document.filename, outcome.document.data)
            return f"{outcome.text}\n{WRITTEN(outcome.language).format(path=path)}"
        if outcome.picture is None:
            return outcome.text
        path = await self._write("field.png", outcome.picture)
        return f"{outcome.text}\n{path}"

    async def _write(self, name: str, data: bytes) -> Path:
        """A file in the output folder (the working directory unless given)."""
        self.field_dir.mkdir(parents=True, exist_ok=True)
        path = self.field_dir / name
        await asyncio.to_thread(path.write_bytes, data)
        return path

    def _completer(self) -> GlyphCompleter:
        """Tab completion of words into glyphs (prompt_toolkit is loaded only for a terminal)."""
        from bot.console.completer import GlyphCompleter

        return GlyphCompleter(self.service, self.language_hint)

    async def run(self) -> None:
        """Chat until Ctrl-D, Ctrl-C or /quit."""
        interactive = sys.stdin.isatty()
        if interactive:
            print("🜂⧖🕯  Silent God — /help for commands, Ctrl-D to leave.")
        session = _prompt_session(self._completer()) if interactive else None
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


def _prompt_session(completer: GlyphCompleter):  # type: ignore[no-untyped-def]
    from prompt_toolkit import PromptSession
    from prompt_toolkit.history import FileHistory

    history = Path.home() / ".silentgod_history"
    try:
        return PromptSession(
            history=FileHistory(str(history)), completer=completer, complete_while_typing=False
        )
    except OSError:
        return PromptSession(completer=completer, complete_while_typing=False)
