"""The Telegram frontend: a python-telegram-bot Application sharing the loop with the others.

``start()`` builds the Application, runs PTB's manual lifecycle (initialise, start, then
polling or a webhook) and returns; ``stop()`` undoes it in reverse, finishing replies in
flight. Everything the bot does with an update lives in ``handlers``.

Telegram allows one poller (or one webhook) per bot, so among the processes that enable
Telegram on one database only the leader (``core.storage.leadership``) does any of that. A
process that cannot lead returns from ``start()`` at once and follows in a task: it tries
again every ``leader_retry_s`` and, once the leader is gone, starts as above — its recovery
handles what the old leader stored but never settled. A leader whose lock connection ends
stands down and follows. On SQLite a second process refuses Telegram instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import warnings

from telegram import (
    BotCommand,
    BotCommandScope,
    BotCommandScopeAllChatAdministrators,
    BotCommandScopeAllGroupChats,
    BotCommandScopeDefault,
    Update,
)
from telegram.error import InvalidToken, TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    BaseRateLimiter,
    CallbackQueryHandler,
    CommandHandler,
    InlineQueryHandler,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.warnings import PTBDeprecationWarning

from bot.app import StartupError
from bot.config import TelegramConfig
from bot.telegram.composer import PATTERN as COMPOSER
from bot.telegram.handlers import GodHandlers
from bot.telegram.intake import StoredIntake
from bot.telegram.logs import Redactor
from bot.telegram.processor import ChatOrderedProcessor
from core.commands import Command, commands_on
from core.commands.model import CONFIRMATION_DATA
from core.grouping import GroupedCall
from core.service import GodService
from core.storage.intake import IntakeStore, Settled
from core.storage.leadership import Leadership
from core.storage.records import StoreError
from core.types import Language

logger = logging.getLogger(__name__)

ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY, Update.INLINE_QUERY]
RATE_LIMIT_RETRIES = 3  # a 429 is waited out (retry_after) this many times before giving up


class TelegramFrontend:
    """The god in every Telegram chat: private chats, groups and inline mode."""

    name = "telegram"

    def __init__(
        self,
        config: TelegramConfig,
        service: GodService,
        *,
        rate_limiter: BaseRateLimiter | None = None,
        poll_timeout_s: float | None = None,
        stock_intake: bool = False,
    ) -> None:
        self.config = config
        self.service = service
        self.rate_limiter = rate_limiter
        timeout = config.poll_timeout_s if poll_timeout_s is None else poll_timeout_s
        self.poll_timeout_s = max(1, round(timeout))  # the Bot API wants whole seconds
        # python-telegram-bot's own Updater, which confirms updates before they are handled:
        # kept only so that the benchmark can compare the stored intake against it
        self.stock_intake = stock_intake
        self.intake_store = IntakeStore(
            service.store.sessions, "telegram", _bot_id(config.token), retries=service.store.retries
        )
        self._settle_grouped = GroupedCall(self._settle_batch, name="telegram-settle")
        self.handlers = GodHandlers(
            service, self.redact, self.intake_store, typing_after_s=config.typing_after_s
        )
        self.redactor = Redactor(self.redact)
        self.application: Application | None = None
        self.intake: StoredIntake | None = None
        self.webhook_secret = config.webhook_secret
        self.leadership: Leadership | None = None
        self._leading: asyncio.Task[None] | None = None

    def redact(self, text: str) -> str:
        """``text`` with the bot token (and the webhook secret) blanked out."""
        for secret in (self.config.token, self.webhook_secret):
            if secret:
                text = text.replace(secret, "<redacted>")
        return text

    def build(self) -> Application:
        """The Application: token, Bot API URLs, rate limiter, per-chat ordered concurrency."""
        builder = (
            Application.builder()
            .token(self.config.token)
            .rate_limiter(self.rate_limiter or AIORateLimiter(max_retries=RATE_LIMIT_RETRIES))
            .concurrent_updates(
                ChatOrderedProcessor(
                    self.config.max_concurrent_updates,
                    self.config.per_chat_backlog,
                    settle=None if self.stock_intake else self._settle,
                    flooded=self.handlers.on_flood,
                    replayed=lambda update_id: update_id in self.handlers.replayed,
                    stored=None if self.stock_intake else self._stored,
                )
            )
        )
        if not self.stock_intake:
            builder = builder.updater(None)
        if self.config.base_url:
            builder = builder.base_url(self.config.base_url)
        file_url = self.config.base_file_url or _file_url(self.config.base_url)
        if file_url:
            builder = builder.base_file_url(file_url)
        application = builder.build()
        self.register(application)
        return application

    def register(self, application: Application) -> None:
        """Attach every handler; the first matching handler of a group wins."""
        h = self.handlers
        names = [command.name for command in commands_on("telegram")]
        application.add_handler(CommandHandler(names, h.on_command))
        application.add_handler(
            MessageHandler(filters.COMMAND & filters.ChatType.PRIVATE, h.on_command)
        )
        application.add_handler(
            MessageHandler(filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND, h.on_text)
        )
        application.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, h.on_migrate))
        application.add_handler(CallbackQueryHandler(h.on_reveal, pattern=r"^reveal:"))
        application.add_handler(CallbackQueryHandler(h.composer.on_press, pattern=COMPOSER))
        application.add_handler(CallbackQueryHandler(h.on_confirm, pattern=CONFIRMATION_DATA))
        application.add_handler(CallbackQueryHandler(h.on_other_button))
        application.add_handler(InlineQueryHandler(h.on_inline))
        application.add_error_handler(h.on_error)
        application.add_handler(TypeHandler(Update, h.name_update), group=-1)  # ids in the logs

    async def start(self) -> None:
        """Lead (connect, publish the menu, poll or serve the webhook) or follow the leader."""
        # httpx logs every request URL at INFO, and the URL holds the token; the redactor
        # also covers PTB's DEBUG lines and exception texts
        logging.getLogger("httpx").setLevel(logging.WARNING)
        self.redactor.install()
        # PTB 22's own RetryAfter reads its deprecated int ``retry_after`` on every 429; nothing
        # here reads it, so the warning is noise (PTB_TIMEDELTA=1 would silence it process-wide)
        warnings.filterwarnings(
            "ignore", message=r".*`retry_after` will be of type", category=PTBDeprecationWarning
        )
        url = self.service.store.url  # type: ignore[attr-defined]
        leadership = Leadership(url, f"telegram-{_bot_id(self.config.token)}")
        self.leadership = leadership
        try:
            leading = await leadership.try_lead()
            if leading:
                await self._lead()
            elif not leadership.waits:
                raise StartupError(
                    f"telegram: another process already runs this bot on this database "
                    f"({leadership.where}); on SQLite only one may (PostgreSQL lets several "
                    "share it, one leading)"
                )
        except BaseException:
            await leadership.release()
            self.redactor.remove()
            raise
        if not leading:
            logger.info(
                "telegram: another process leads this bot; this one follows and takes over "
                "when it stops"
            )
        self._leading = asyncio.create_task(self._keep_leading(), name="telegram-leadership")

    async def _keep_leading(self) -> None:
        """Lead while the lock holds; otherwise try to take it every ``leader_retry_s``."""
        leadership = self.leadership
        assert leadership is not None
        while True:
            if leadership.leading:
                await leadership.lost()
                logger.warning("telegram: leadership lost; this process stops polling and follows")
                await self._stand_down()
            await asyncio.sleep(self.config.leader_retry_s)
            if not await leadership.try_lead():
                continue
            logger.info("telegram: the leader is gone; this process takes over")
            try:
                await self._lead()
            except Exception as error:  # a follower must outlive a failed takeover
                reason = self.redact(str(error))
                logger.error("telegram: taking over failed (%s); trying again", reason)
                await self._abandon()
                await leadership.release()

    async def _lead(self) -> None:
        """Connect, publish the command menu (ru and en), and begin polling or the webhook."""
        application = self.build()
        self.application = application
        try:
            await application.initialize()
            await self._publish_commands()
            await application.start()
            await self._start_updates()
        except InvalidToken:
            await self._abandon()
            raise StartupError(
                "telegram: the token was rejected by the Bot API "
                "(check [telegram] token or SILENTGOD_TELEGRAM_TOKEN)"
            ) from None
        except TelegramError as error:
            await self._abandon()
            raise StartupError(f"telegram: cannot start: {self.redact(str(error))}") from None
        except OSError as error:  # the webhook's port is taken or may not be bound
            await self._abandon()
            where = f"{self.config.webhook_listen}:{self.config.webhook_port}"
            reason = error.strerror or error
            message = f"telegram: cannot listen for the webhook on {where}: {reason}"
            raise StartupError(message) from None
        logger.info("telegram: @%s is listening (%s)", application.bot.username, self.config.mode)

    def health(self) -> str | None:
        """Why Telegram is not being served now, or None (for ``/healthz``); a follower that
        waits for the leadership is healthy and returns None."""
        leadership = self.leadership
        if leadership is not None and not leadership.leading and self._leading is not None:
            return None  # following: another process serves the bot
        if self.application is None or not self.application.running:
            return "telegram: not running"
        if self.intake is not None and not self.intake.alive():
            return "telegram: updates are no longer fetched"
        return None

    async def _stored(self, update_id: int) -> None:
        if self.intake is not None:
            await self.intake.written(update_id)

    async def _settle(self, update_id: int, status: Settled) -> None:
        if self.intake is not None:
            await self.intake.written(update_id)
        try:
            await self._settle_grouped((str(update_id), status))
        except StoreError as error:  # it stays pending and is handled again after a restart
            logger.error("telegram: update %s handled but not settled: %s", update_id, error)

    async def _settle_batch(self, items: list[tuple[str, Settled]]) -> list[None]:
        for status in {status for _, status in items}:
            await self.intake_store.settle([i for i, s in items if s == status], status)
        return [None] * len(items)

    async def _start_updates(self) -> None:
        application = self.application
        assert application is not None
        config = self.config
        if not self.stock_intake:
            self.intake = StoredIntake(
                application,
                self.intake_store,
                allowed_updates=ALLOWED_UPDATES,
                poll_timeout_s=self.poll_timeout_s,
                recover_within_s=config.recover_within_s,
                shared=self.leadership is not None and self.leadership.shared,
            )
            self.handlers.replayed = self.intake.replayed
            await self.intake.recover()
            if config.mode == "webhook":
                self.webhook_secret = await self.intake.start_webhook(
                    listen=config.webhook_listen,
                    port=config.webhook_port,
                    path=config.webhook_path,
                    url=config.webhook_url,
                    secret=config.webhook_secret,
                )
            else:
                await self.intake.start_polling()
            return
        assert application.updater is not None
        if config.mode == "webhook":
            await application.updater.start_webhook(
                listen=config.webhook_listen,
                port=config.webhook_port,
                url_path=config.webhook_path,
                webhook_url=config.webhook_url,
                secret_token=config.webhook_secret or None,
                allowed_updates=ALLOWED_UPDATES,
                drop_pending_updates=False,
            )
        else:
            await application.updater.start_polling(
                timeout=int(self.poll_timeout_s),  # the Bot API types it as an Integer
                allowed_updates=ALLOWED_UPDATES,
                drop_pending_updates=False,
            )

    async def _publish_commands(self) -> None:
        """The command menu from the table: Russian for Russian clients, English for the rest;
        in groups, members see only what they may run, administrators everything but the
        owners' commands."""
        assert self.application is not None
        bot = self.application.bot
        listed = commands_on("telegram")
        everyone = tuple(c for c in listed if c.who == "everyone")
        # the owners' commands only in private chats (where anyone else is told it is theirs)
        admins = tuple(c for c in listed if c.who != "owners")
        menus: list[tuple[BotCommandScope, tuple[Command, ...]]] = [
            (BotCommandScopeDefault(), listed),
            (BotCommandScopeAllGroupChats(), everyone),
            (BotCommandScopeAllChatAdministrators(), admins),
        ]
        languages: tuple[tuple[Language, str | None], ...] = (("ru", "ru"), ("en", None))
        for scope, shown in menus:
            for language, code in languages:
                menu = [BotCommand(c.name, c.description(language)) for c in shown]
                try:
                    await bot.set_my_commands(menu, scope=scope, language_code=code)
                except InvalidToken:
                    raise
                except TelegramError as error:  # a menu is a nicety; the bot works without it
                    logger.warning(
                        "telegram: setMyCommands (%s, %s) failed: %s", scope.type, language, error
                    )

    async def _abandon(self) -> None:
        """Undo a half-finished start."""
        try:
            await self._stand_down()
        except Exception as error:
            logger.debug("telegram: cleanup after a failed start: %s", self.redact(str(error)))

    async def stop(self) -> None:
        """Stop leading or following, finish the replies in flight, close the connections."""
        task, self._leading = self._leading, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        try:
            await self._stand_down()
            await self._settle_grouped.close()
            logger.info("telegram: stopped")
        finally:
            if self.leadership is not None:
                await self.leadership.release()
            self.redactor.remove()

    async def _stand_down(self) -> None:
        """Stop taking updates, finish the replies in flight, close the Application."""
        application, self.application = self.application, None
        if application is None:
            return
        if self.intake is not None:
            await self.intake.stop()
            self.intake = None
        if application.updater is not None and application.updater.running:
            await application.updater.stop()
        if application.running:
            await application.stop()
        await application.shutdown()


def _bot_id(token: str) -> str:
    """The bot's id: the part of its token before the colon."""
    return token.split(":", 1)[0] or "bot"


def _file_url(base_url: str) -> str:
    """A self-hosted Bot API server serves files beside its methods: …/bot → …/file/bot."""
    if base_url.endswith("/bot"):
        return base_url[: -len("/bot")] + "/file/bot"
    return ""
