"""What every network frontend offers the process that runs it."""

from __future__ import annotations

from typing import Protocol


class Frontend(Protocol):
    """A platform adapter over the shared core; started and stopped by ``silentgod run``."""

    name: str

    async def start(self) -> None:
        """Connect and begin answering; returns once running."""
        ...

    async def stop(self) -> None:
        """Stop taking updates, finish replies in flight, disconnect."""
        ...
