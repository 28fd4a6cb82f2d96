"""The root of every error the project raises on purpose.

Each part keeps its own error type (a bad config, a store that cannot answer, a checkpoint
that does not load…), and each derives from ``SilentGodError``, so the command line can
turn any of them into one line instead of a traceback.
"""

from __future__ import annotations


class SilentGodError(Exception):
    """Something the project itself detected and can say in one line."""
