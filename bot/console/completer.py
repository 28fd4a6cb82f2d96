"""Tab completion in the console's prompt: words into glyphs, and the commands' names."""

from __future__ import annotations

from collections.abc import Iterable

from prompt_toolkit.completion import CompleteEvent, Completer, Completion
from prompt_toolkit.document import Document

from core.commands import commands_on
from core.commands.completion import completer_for
from core.language.text import client_language, script_language
from core.service import GodService

CHOICES = 25  # as many as fit a terminal's completion menu comfortably


class GlyphCompleter(Completer):
    """Completes what is typed into glyph scenes (after a command: its argument), the same
    completion Discord's autocomplete offers."""

    def __init__(self, service: GodService, language_hint: str | None = None) -> None:
        self.service = service
        self.language_hint = language_hint

    def get_completions(
        self, document: Document, complete_event: CompleteEvent
    ) -> Iterable[Completion]:
        """Scenes for the words before the cursor, replacing them; ``/co`` → ``/compose``."""
        typed = document.text_before_cursor
        if typed.startswith("/"):
            name, space, typed = typed.partition(" ")
            if not space:
                for command in commands_on("console"):
                    if command.name.startswith(name[1:].lower()):
                        yield Completion(f"/{command.name}", start_position=-len(name))
                return
        language = client_language(self.language_hint) or script_language(typed) or "en"
        completer = completer_for(self.service)
        for found in completer.complete(typed, language, limit=CHOICES):
            yield Completion(found.glyphs, start_position=-len(typed), display=found.label())
