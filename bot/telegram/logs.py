"""Keeping the bot token out of the log.

The token is part of every Bot API URL, and URLs reach the log in several places: httpx logs
each request at INFO, PTB's Bot logs its base URL at DEBUG, and ``InvalidToken`` quotes the
token. A filter on every PTB/httpx logger blanks it out before any handler sees the record.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

LOGGER_PREFIXES = ("telegram", "httpx", "httpcore", "bot.telegram")


class Redactor(logging.Filter):
    """Rewrites records (message and traceback) with the secrets blanked out."""

    def __init__(self, redact: Callable[[str], str]) -> None:
        super().__init__()
        self.redact = redact
        self._loggers: list[logging.Logger] = []

    def filter(self, record: logging.LogRecord) -> bool:
        """Blank the secrets out of ``record``; never drops it."""
        message = record.getMessage()
        clean = self.redact(message)
        if clean != message:
            record.msg, record.args = clean, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        return True

    def install(self) -> None:
        """Attach to every logger of PTB, httpx and this frontend that exists now."""
        names = [
            name
            for name in list(logging.root.manager.loggerDict)
            if any(name == p or name.startswith(p + ".") for p in LOGGER_PREFIXES)
        ]
        for name in {*names, *LOGGER_PREFIXES}:
            logger = logging.getLogger(name)
            if self not in logger.filters:
                logger.addFilter(self)
                self._loggers.append(logger)

    def remove(self) -> None:
        """Detach from every logger ``install`` touched."""
        for logger in self._loggers:
            logger.removeFilter(self)
        self._loggers.clear()
