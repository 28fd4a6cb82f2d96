"""Logging to stderr, with every configured secret masked wherever it appears.

``format="json"`` writes one JSON object a line (time, level, logger, message, and the
chat/user/update ids of the update being handled) for an operator's log shipper. Frontends
name the update they handle with ``log_context``; asyncio copies the ids into every task
started from there.
"""

from __future__ import annotations

import contextvars
import json
import logging
import sys
from collections.abc import Iterable
from datetime import UTC, datetime

# The ids of the update being handled, for the JSON logs.
_CONTEXT: contextvars.ContextVar[dict[str, str] | None] = contextvars.ContextVar(
    "silentgod_log_context", default=None
)

QUIET_LOGGERS = ("httpx", "httpcore", "aiosqlite", "telegram.ext.Updater", "discord.gateway")


class RedactSecrets(logging.Filter):
    """Replaces secrets (bot tokens) in log messages and their arguments with a mask."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self.secrets = sorted({s for s in secrets if len(s) >= 6}, key=len, reverse=True)

    def _clean(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "***")
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.secrets:
            return True
        message = record.getMessage()
        cleaned = self._clean(message)
        if cleaned != message or record.exc_info:
            if record.exc_info and record.exc_text is None:
                record.exc_text = logging.Formatter().formatException(record.exc_info)
            if record.exc_text:
                record.exc_text = self._clean(record.exc_text)
            record.msg, record.args = cleaned, None
        return True


def log_context(
    *, platform: str = "", chat: object = None, user: object = None, update: object = None
) -> None:
    """Name the update this task handles in the logs (its chat, user and update ids)."""
    values = {"platform": platform, "chat_id": chat, "user_id": user, "update_id": update}
    _CONTEXT.set({k: str(v) for k, v in values.items() if v not in (None, "")})


class JsonFormatter(logging.Formatter):
    """One JSON object a line; the message is formatted (and so redacted) before it is put in."""

    def format(self, record: logging.LogRecord) -> str:
        document: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        document.update(_CONTEXT.get() or {})
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            document["exception"] = record.exc_text
        return json.dumps(document, ensure_ascii=False)


def setup_logging(
    level: str = "INFO", secrets: Iterable[str] = (), log_format: str = "text"
) -> None:
    """Log to stderr at ``level`` as text or JSON lines; quiet chatty libraries; mask
    ``secrets`` everywhere."""
    handler = logging.StreamHandler(sys.stderr)
    if log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactSecrets(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(getattr(logging, level.upper(), logging.INFO))
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(max(logging.WARNING, root.level))
