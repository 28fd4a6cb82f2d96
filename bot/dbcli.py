"""``silentgod db backup | restore | prune`` and ``silentgod stats``: the database jobs and
counts an operator runs by hand."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
from typing import Any

from core.report import print_json


def _config(args: argparse.Namespace) -> Any:
    from bot.config import load_config
    from bot.logs import setup_logging

    config = load_config(getattr(args, "config", None))
    setup_logging("WARNING", secrets_of(config))
    return config


def secrets_of(config: Any) -> list[str]:
    from sqlalchemy.engine import make_url

    secrets = [config.telegram.token, config.discord.token, config.telegram.webhook_secret]
    with contextlib.suppress(Exception):  # an unparsable URL is reported where it is opened
        secrets.append(str(make_url(config.storage.url).password or ""))
    return secrets


def _failed(error: Exception) -> int:
    print(f"silentgod: {error}", file=sys.stderr)
    return 2


def cmd_backup(args: argparse.Namespace) -> int:
    """A consistent copy of the database, safe while the bot runs."""
    from core.storage import StoreError
    from core.storage.backup import backup

    config = _config(args)
    try:
        out = backup(config.storage.url, args.path)
    except StoreError as error:
        return _failed(error)
    if args.json:
        print_json({"backup": str(out), "bytes": out.stat().st_size})
    else:
        print(f"backed up to {out}")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    """Replace the database with a backup at this version's migration (the bot stopped)."""
    from core.storage import StoreError
    from core.storage.backup import restore

    config = _config(args)
    try:
        revision = restore(config.storage.url, args.path)
    except StoreError as error:
        return _failed(error)
    if args.json:
        print_json({"restored": args.path, "revision": revision})
    else:
        print(f"restored {args.path} (migration {revision})")
    return 0


def cmd_prune(args: argparse.Namespace) -> int:
    """Delete exchanges older than ``[storage] retention_days`` (or ``--days``)."""
    from core.storage import StoreError, open_store
    from core.storage.retention import cutoff, prune

    config = _config(args)
    days = config.storage.retention_days if args.days is None else args.days
    if days <= 0:
        print("silentgod: nothing to prune ([storage] retention_days = 0 keeps everything)")
        return 0

    async def job() -> int:
        store = await open_store(config.storage.url, busy_timeout_ms=config.storage.busy_timeout_ms)
        try:
            batch = config.storage.delete_batch
            return await prune(store.sessions, cutoff(days), batch=batch, retries=store.retries)
        finally:
            await store.close()

    try:
        deleted = asyncio.run(job())
    except StoreError as error:
        return _failed(error)
    if args.json:
        print_json({"deleted": deleted, "retention_days": days})
    else:
        print(f"deleted {deleted} messages older than {days} days")
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    """Users, chats, answers today and in 7 days, the busiest chats: read from the store."""
    from datetime import UTC, datetime

    from core.commands.owner import stats_json, stats_lines
    from core.storage import StoreError, open_store
    from core.storage.stats import StatsStore

    config = _config(args)
    url = args.storage_url or config.storage.url

    async def job() -> Any:
        store = await open_store(url, upgrade=False, busy_timeout_ms=config.storage.busy_timeout_ms)
        try:
            stats = StatsStore(store.sessions, retries=store.retries)
            return await stats.stats(datetime.now(UTC).date())
        finally:
            await store.close()

    try:
        stored = asyncio.run(job())
    except StoreError as error:
        return _failed(error)
    data = stats_json(stored, None)
    if args.json:
        print_json(data)
    else:
        print("\n".join(stats_lines(data, "en", live=False)))
    return 0


def add_stats_command(commands: Any) -> None:
    """``silentgod stats``."""
    stats = commands.add_parser("stats", help="users, chats, answers and the busiest chats")
    stats.add_argument("--config")
    stats.add_argument("--storage-url", help="instead of [storage] url")
    stats.add_argument("--json", action="store_true", help="print one JSON document")
    stats.set_defaults(handler=cmd_stats)


def add_db_actions(actions: Any) -> None:
    """Add backup, restore and prune to ``silentgod db``."""
    backup = actions.add_parser("backup", help="copy the database (safe while the bot runs)")
    backup.add_argument("path", help="the new file to write")
    restore = actions.add_parser("restore", help="replace the database with a backup")
    restore.add_argument("path", help="a backup made by silentgod db backup")
    prune = actions.add_parser("prune", help="delete exchanges older than retention_days")
    prune.add_argument("--days", type=int, help="instead of [storage] retention_days")
    for parser, handler in ((backup, cmd_backup), (restore, cmd_restore), (prune, cmd_prune)):
        parser.add_argument("--config")
        parser.add_argument("--json", action="store_true")
        parser.set_defaults(handler=handler)
