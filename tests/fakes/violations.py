"""The error a fake raises on exit when requests it answered broke the platform's spec."""

from __future__ import annotations

from typing import Any


class SpecViolationError(AssertionError):
    """Requests broke the specification; each line names the method or route, field, value."""

    def __init__(self, platform: str, violations: list[Any]) -> None:
        """List every violation (their ``str()`` names method or route, field and value)."""
        lines = "\n".join(f"  - {v}" for v in violations)
        super().__init__(f"{len(violations)} request(s) broke the {platform} spec:\n{lines}")
