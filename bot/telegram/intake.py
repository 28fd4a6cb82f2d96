"""Telegram's intake: every update is stored before Telegram is told it arrived.

python-telegram-bot's own ``Updater`` confirms an update (the next ``getUpdates`` offset, or
the webhook's HTTP 200) as soon as it is fetched, before any handler ran, so a crash loses
it. This intake replaces only that part: polling writes each batch of updates to the store
first and confirms it with the following call; the webhook answers 200 only after the store
has it. New updates go to the Application's queue as before (its handlers, rate limiter and
processor are untouched); the processor settles each update once it was handled. At start,
what was stored but never settled is handled first ("recovery"), unless it is older than
the configured age, which is expired instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import secrets
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from aiohttp import web
from telegram import Update
from telegram.error import Conflict, InvalidToken, NetworkError, RetryAfter, TelegramError
from telegram.ext import Application

from core.storage.intake import Delivered, IntakeStore
from core.storage.records import StoreError

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MIN_SECRET_CHARS = 32
BACKOFF_S = (0.5, 1, 2, 5, 10, 30)


def delivered(update: Update) -> Delivered:
    """An update as the store keeps it: its id, its chat, its sender and the JSON Telegram
    sent (the sender: whoever sent it, or the chat an anonymous admin speaks as)."""
    chat, user = update.effective_chat, update.effective_user
    message = update.effective_message
    sender = message.sender_chat if message is not None else None
    who = sender.id if sender is not None else (user.id if user is not None else None)
    return Delivered(
        str(update.update_id),
        str(chat.id) if chat is not None else None,
        update.to_json(),
        str(who) if who is not None else None,
    )


class StoredIntake:
    """Fetches updates (polling or webhook), stores them, then confirms and dispatches them."""

    def __init__(
        self,
        application: Application,
        intake: IntakeStore,
        *,
        allowed_updates: Sequence[str],
        poll_timeout_s: int = 10,
        recover_within_s: float = 3600.0,
        shared: bool = False,
    ) -> None:
        self.application = application
        # Several processes on one database: a deposed leader may still fetch what its
        # successor fetches, so each update goes to the one whose write stored it first.
        self.shared = shared
        self.intake = intake
        self.allowed_updates = list(allowed_updates)
        self.poll_timeout_s = int(poll_timeout_s)
        self.recover_within_s = recover_within_s
        self.replayed: set[int] = set()  # updates handled again after a restart
        self._newest = -1  # the highest update id known to be stored
        self._writes: dict[int, asyncio.Future[list[str]]] = {}  # update id → its batch's write
        self._dispatched: set[int] = set()  # handed to the handlers before being stored
        self._task: asyncio.Task[None] | None = None
        self._runner: web.AppRunner | None = None
        self._offset: int | None = None

    # ------------------------------------------------------------------ recovery
    async def recover(self) -> int:
        """Queue what was stored but never settled (oldest first); expire what is too old."""
        newest = await self.intake.newest()
        self._newest = int(newest) if newest is not None else -1
        pending = await self.intake.pending()
        if not pending:
            return 0
        oldest = datetime.now(UTC) - timedelta(seconds=self.recover_within_s)
        expired = [p.event_id for p in pending if p.received_at.replace(tzinfo=UTC) < oldest]
        if expired:
            await self.intake.settle(expired, "expired")
            logger.warning(
                "telegram: %d stored updates older than %.0f s expired unanswered",
                len(expired),
                self.recover_within_s,
            )
        bot = self.application.bot
        count = 0
        for event in pending:
            if event.event_id in expired:
                continue
            update = Update.de_json(json.loads(event.payload), bot)
            self.replayed.add(update.update_id)
            await self.application.update_queue.put(update)
            count += 1
        logger.info("telegram: %d updates stored before the last stop are handled first", count)
        return count

    async def _accept(self, updates: Sequence[Update]) -> None:
        """Store updates (idempotent); returns once they are stored, so they may be confirmed.

        Updates newer than any stored one cannot have been seen before: they go to the queue
        while they are being written, and the processor starts one only once its write is
        done (so a restart always knows what a handler may have stored or sent). Older ones,
        which Telegram may deliver again after a restart, are queued only if the store did
        not know them — and so is every update when processes share the database.
        """
        newest = float("inf") if self.shared else self._newest
        fresh = [u for u in updates if u.update_id > newest and u.update_id not in self._dispatched]
        write = asyncio.ensure_future(self.intake.receive([delivered(u) for u in updates]))
        for update in fresh:
            self._writes[update.update_id] = write
            self._dispatched.add(update.update_id)
            await self.application.update_queue.put(update)
        try:
            new = set(await write)
        finally:
            for update in fresh:
                self._writes.pop(update.update_id, None)
        self._newest = max(self._newest, *(u.update_id for u in updates))
        fresh_ids = {u.update_id for u in fresh}
        self._dispatched -= fresh_ids
        for update in updates:
            if update.update_id in fresh_ids:
                continue
            if str(update.update_id) in new:
                await self.application.update_queue.put(update)
            else:
                logger.info("telegram: update %s was delivered again; ignored", update.update_id)

    async def written(self, update_id: int) -> None:
        """Wait until the update is in the store (it may still be being written)."""
        write = self._writes.get(update_id)
        if write is not None:
            with contextlib.suppress(Exception):
                await asyncio.shield(write)

    def alive(self) -> bool:
        """Whether updates still come in (the poll task runs, or the webhook is served)."""
        return self._runner is not None or (self._task is not None and not self._task.done())

    # ------------------------------------------------------------------ polling
    async def start_polling(self) -> None:
        """Drop any webhook, then poll in the background."""
        await self.application.bot.delete_webhook(drop_pending_updates=False)
        self._task = asyncio.create_task(self._poll(), name="telegram-intake")

    async def _poll(self) -> None:
        bot = self.application.bot
        failures = 0
        while True:
            try:
                updates = await bot.get_updates(
                    offset=self._offset,
                    timeout=self.poll_timeout_s,
                    allowed_updates=self.allowed_updates,
                )
                if updates:
                    await self._accept(updates)
                    # confirmed by the next call, now that the store holds them
                    self._offset = updates[-1].update_id + 1
                failures = 0
            except asyncio.CancelledError:
                raise
            except InvalidToken:
                logger.error("telegram: the token was rejected; polling stops")
                return
            except RetryAfter as error:
                await asyncio.sleep(_seconds(error.retry_after))
            except (StoreError, NetworkError, Conflict, TelegramError) as error:
                # nothing was confirmed: the same updates come again once this passes
                delay = BACKOFF_S[min(failures, len(BACKOFF_S) - 1)]
                failures += 1
                logger.warning("telegram: polling failed (%s); again in %.1f s", error, delay)
                await asyncio.sleep(delay)

    # ------------------------------------------------------------------ webhook
    async def start_webhook(
        self, *, listen: str, port: int, path: str, url: str, secret: str
    ) -> str:
        """Serve the webhook and register it; returns the secret Telegram must send."""
        if not secret:
            secret = secrets.token_urlsafe(MIN_SECRET_CHARS)  # a fresh one at every start
        app = web.Application(client_max_size=1 << 20)
        app.router.add_post(f"/{path.lstrip('/')}", self._webhook_handler(secret))
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, listen, port)
        try:
            await site.start()
        except OSError:
            await runner.cleanup()
            raise
        self._runner = runner
        await self.application.bot.set_webhook(
            url=url,
            secret_token=secret,
            allowed_updates=self.allowed_updates,
            drop_pending_updates=False,
        )
        return secret

    def _webhook_handler(self, secret: str):  # type: ignore[no-untyped-def]
        bot = self.application.bot

        async def handle(request: web.Request) -> web.Response:
            given = request.headers.get(SECRET_HEADER, "")
            if not hmac.compare_digest(given.encode(), secret.encode()):
                logger.warning("telegram: a webhook request without the right secret refused")
                return web.Response(status=403)
            try:
                update = Update.de_json(json.loads(await request.read()), bot)
            except (ValueError, TypeError, KeyError):
                return web.Response(status=400)
            try:
                await self._accept([update])
            except StoreError as error:
                # not stored: Telegram keeps it and tries again
                logger.error("telegram: update %s not stored: %s", update.update_id, error)
                return web.Response(status=503)
            return web.Response(status=200)

        return handle

    # ------------------------------------------------------------------ stop
    async def stop(self) -> None:
        """Stop fetching. Nothing fetched-but-unstored was confirmed, so nothing is lost."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()


def _seconds(value: object) -> float:
    if isinstance(value, timedelta):
        return value.total_seconds()
    return float(value)  # type: ignore[arg-type]
