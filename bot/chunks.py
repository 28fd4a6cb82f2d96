"""Splitting replies to a platform's length limit without ever cutting a glyph in half."""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from core.language.graphemes import graphemes

Counting = Literal["utf16", "codepoints"]


def utf16_length(text: str) -> int:
    """Length in UTF-16 code units, as Telegram counts (an astral glyph such as 🜂 is 2)."""
    return len(text.encode("utf-16-le")) // 2


def _measure(counting: Counting) -> Callable[[str], int]:
    return utf16_length if counting == "utf16" else len


def split_message(
    text: str, limit: int, counting: Counting = "codepoints", max_parts: int | None = None
) -> list[str]:
    """Cut ``text`` into parts of at most ``limit`` units, at grapheme boundaries.

    Parts break at the last newline, else the last space, inside the limit when there is
    one in the second half of the part; otherwise between two grapheme clusters. With
    ``max_parts``, the last part ends with an ellipsis when text had to be dropped.
    """
    if limit < 2:
        raise ValueError("limit must be at least 2")
    measure = _measure(counting)
    if measure(text) <= limit:
        return [text] if text else []
    parts: list[str] = []
    current: list[str] = []
    size = 0
    for cluster in graphemes(text):
        width = measure(cluster)
        if width > limit:  # a single absurd cluster (e.g. thousands of combining marks)
            cluster, width = "\ufffd", 1
        while current and size + width > limit:
            taken = _break_point(current)
            parts.append("".join(current[:taken]))
            current = current[taken:]
            size = sum(measure(c) for c in current)
        current.append(cluster)
        size += width
    if current:
        parts.append("".join(current))
    parts = [part.strip("\n") for part in parts if part.strip()]
    if max_parts is not None and len(parts) > max_parts:
        parts = parts[:max_parts]
        last = parts[-1]
        while measure(last) + 1 > limit:
            last = "".join(graphemes(last)[:-1])
        parts[-1] = last + "…"
    return parts


def _break_point(clusters: list[str]) -> int:
    """How many clusters go into this part: up to a late newline or space, else all."""
    for separator in ("\n", " "):
        for index in range(len(clusters) - 1, len(clusters) // 2, -1):
            if clusters[index] == separator:
                return index + 1
    return len(clusters)
