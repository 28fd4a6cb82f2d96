"""Daily quotas: at most ``[access] daily_answers`` answers and ``daily_fields`` pictures a
user a day (0: no limit), counted in the store's ``usage`` table so that every process and
every restart sees the same count. Owners have none.

Each attempt adds one to the day's count in one atomic upsert: up to the limit it is
answered; the one just past the limit is told what happened and when the day turns (midnight
UTC by the injected clock); the ones after that go unanswered without a word. An attempt that
fails after it was counted (the god was busy) is given back.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, timedelta
from typing import Literal

from core.access import Clock, Gate, utc_now
from core.storage.records import StoreError
from core.storage.stats import StatsStore, day_start
from core.texts import say
from core.types import Incoming, Language

logger = logging.getLogger(__name__)

Kind = Literal["answer", "field"]
Charge = Literal["free", "counted", "reached", "quiet"]


class Quotas:
    """The daily limits of ``[access]`` over the store's usage counts."""

    def __init__(
        self,
        gate: Gate,
        stats: StatsStore | None,
        *,
        daily_answers: int,
        daily_fields: int,
        clock: Clock = utc_now,
    ) -> None:
        self.gate = gate
        self.stats = stats
        self.limits: dict[Kind, int] = {"answer": daily_answers, "field": daily_fields}
        self.clock = clock

    def today(self) -> date:
        """The quota day (UTC) by the injected clock."""
        return self.clock().astimezone(UTC).date()

    def limited(self, message: Incoming, kind: Kind) -> bool:
        """Whether ``kind`` is limited for this asker at all."""
        if not self.limits[kind] or self.stats is None:
            return False
        return not self.gate.is_owner(message)

    async def charge(self, message: Incoming, user_id: int, kind: Kind) -> tuple[Charge, date]:
        """Count one ``kind`` for the user today; whether it may go ahead, or how to refuse."""
        day = self.today()
        if not self.limited(message, kind):
            return "free", day
        assert self.stats is not None
        try:
            count = await self.stats.count_usage(user_id, day, kind)
        except StoreError as error:  # a quota is not worth refusing everyone over
            logger.error("quota not counted (answered anyway): %s", error)
            return "free", day
        limit = self.limits[kind]
        if count <= limit:
            return "counted", day
        logger.info("user %s reached the daily %s quota (%d)", user_id, kind, limit)
        return ("reached" if count == limit + 1 else "quiet"), day

    async def give_back(self, user_id: int, day: date, kind: Kind) -> None:
        """The counted attempt failed: it does not use up the quota."""
        if self.stats is None:
            return
        try:
            await self.stats.uncount_usage(user_id, day, kind)
        except StoreError as error:
            logger.warning("quota not given back: %s", error)

    def reached_text(self, kind: Kind, language: Language) -> str:
        """What happened and when it resets."""
        now = self.clock().astimezone(UTC)
        reset = day_start(now.date() + timedelta(days=1))
        left = max(int((reset - now).total_seconds()) // 60, 1)
        hours, minutes = divmod(left, 60)
        return say(
            f"quota_{kind}",
            language,
            limit=self.limits[kind],
            hours=hours,
            minutes=minutes,
        )
