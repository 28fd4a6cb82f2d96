"""Processes starting together on one empty database migrate it once, and all come up.

Real OS processes, released at the same moment from a file barrier, each run the store's
upgrade function; on SQLite and on PostgreSQL. The command line's ``db upgrade`` fails in
one line and never prints a password.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import textwrap
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import pool

from core.storage import create_engine, migrate
from tests.storage.helpers import TABLES, table_names

ROOT = Path(__file__).resolve().parents[2]

CHILD = textwrap.dedent(
    """
    import logging, sys, time
    from pathlib import Path

    from core.storage import migrate

    url, ready, go = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    # Alembic says "Running upgrade" for each revision it applies.
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    logging.getLogger("alembic.runtime.migration").setLevel(logging.INFO)
    ready.touch()
    while not go.exists():
        time.sleep(0.001)
    migrate.upgrade_sync(url)
    print(migrate.current_sync(url))
    """
)

PROCESSES = 3


def child_environment() -> dict[str, str]:
    environment = dict(os.environ)
    environment["PYTHONPATH"] = os.pathsep.join(
        [str(ROOT), *filter(None, [environment.get("PYTHONPATH")])]
    )
    return environment


async def alembic_versions(url: str) -> list[str]:
    engine = create_engine(url, poolclass=pool.NullPool)
    try:
        async with engine.connect() as connection:
            rows = await connection.exec_driver_sql("SELECT version_num FROM alembic_version")
            return [version for (version,) in rows]
    finally:
        await engine.dispose()


async def test_processes_starting_together_migrate_once(store_url: str, tmp_path: Path) -> None:
    go = tmp_path / "go"
    readies = [tmp_path / f"ready-{i}" for i in range(PROCESSES)]
    children = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            CHILD,
            store_url,
            str(ready),
            str(go),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=child_environment(),
        )
        for ready in readies
    ]
    try:
        async with asyncio.timeout(120):
            while not all(ready.exists() for ready in readies):
                await asyncio.sleep(0.01)
            go.touch()  # every child is waiting, imports done: release them at once
            outputs = [await child.communicate() for child in children]
    finally:
        for child in children:
            if child.returncode is None:
                child.kill()
                await child.wait()

    errors = [err.decode() for _, err in outputs]
    for child, error in zip(children, errors, strict=True):
        assert child.returncode == 0, error
    assert [out.decode().strip() for out, _ in outputs] == [migrate.head()] * PROCESSES
    # One process applied the revisions, each once; the others found the database at head.
    assert sum("Running upgrade" in error for error in errors) == 1, errors
    upgrades = "".join(errors).count("Running upgrade")
    revisions = ScriptDirectory.from_config(migrate.alembic_config(store_url)).walk_revisions()
    assert upgrades == len(list(revisions)), errors
    assert await alembic_versions(store_url) == [migrate.head()]
    assert await table_names(store_url) == TABLES


def run_cli(*args: str) -> tuple[int, str, str]:
    import subprocess

    done = subprocess.run(
        [sys.executable, "-m", "bot", *args],
        capture_output=True,
        text=True,
        env=child_environment(),
        cwd=ROOT,
        timeout=300,
    )
    return done.returncode, done.stdout, done.stderr


async def test_cli_migration_failure_is_one_line_without_the_password(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        '[storage]\nurl = "postgresql+asyncpg://god:s3cret@127.0.0.1:1/silentgod"\n',
        encoding="utf-8",
    )
    code, out, err = await asyncio.to_thread(run_cli, "db", "upgrade", "--config", str(config))
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "Traceback" not in err, err
    assert err.startswith("silentgod: [storage] url: cannot migrate postgresql+asyncpg://god:***@")
    assert "s3cret" not in err


async def test_cli_json_masks_the_password(postgres_url: str, tmp_path: Path) -> None:
    from sqlalchemy.engine import make_url

    # The test server trusts every connection, so any password is accepted (and must hide).
    url = make_url(postgres_url).set(password="s3cret").render_as_string(hide_password=False)
    config = tmp_path / "config.toml"
    config.write_text(f'[storage]\nurl = "{url}"\n', encoding="utf-8")
    code, out, err = await asyncio.to_thread(
        run_cli, "db", "upgrade", "--config", str(config), "--json"
    )
    assert code == 0, err
    document = json.loads(out)
    assert document["revision"] == migrate.head()
    assert ":***@" in document["url"] and "s3cret" not in out + err


@pytest.mark.skipif(sys.platform == "win32", reason="the SQLite migration lock is a POSIX flock")
def test_the_sqlite_lock_file_sits_beside_the_database(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'db' / 'god.db'}"
    migrate.upgrade_sync(url)
    assert (tmp_path / "db" / "god.db-migrate.lock").exists()
