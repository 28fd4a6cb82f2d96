"""``silentgod db backup`` and ``db restore``: a consistent copy taken while the bot runs.

SQLite: the backup API copies the whole database in one step inside one read transaction; in
WAL mode that never blocks the bot's writers, and the copy is the database as it was when the
step began. PostgreSQL: ``pg_dump`` (custom format) and ``pg_restore``, run as programs. A
restore first checks that the copy opens and is at this version's migration, and refuses it
otherwise, in one line.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import URL

from core.storage import migrate
from core.storage.engine import ensure_sqlite_directory, mask_url, parse_url
from core.storage.records import StoreError

PG_TIMEOUT_S = 3600


def _sqlite_file(url: URL) -> Path:
    database = url.database or ""
    if not database or database == ":memory:" or database.startswith("file:"):
        raise StoreError(f"{mask_url(url)!r} is not a SQLite file that can be backed up")
    return Path(database)


def _read_only(path: Path) -> str:
    """A URI that opens ``path`` read-only (never creating it), whatever its characters."""
    return f"{path.resolve().as_uri()}?mode=ro"


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """The URL pg_dump understands, and an environment with the password (never in argv)."""
    environment = dict(os.environ)
    if url.password:
        environment["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), environment


def _program(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise StoreError(
            f"{name} is not installed (PostgreSQL backups need the PostgreSQL client programs, "
            "e.g. apt install postgresql-client)"
        )
    return found


def _run(argv: list[str], environment: dict[str, str]) -> str:
    try:
        done = subprocess.run(
            argv, env=environment, capture_output=True, text=True, timeout=PG_TIMEOUT_S
        )
    except subprocess.TimeoutExpired:
        raise StoreError(f"{Path(argv[0]).name} did not finish within {PG_TIMEOUT_S} s") from None
    if done.returncode != 0:
        lines = (done.stderr or "").strip().splitlines()
        raise StoreError(f"{Path(argv[0]).name} failed: {lines[0] if lines else done.returncode}")
    return done.stdout


def backup(url: str | URL, path: str | Path) -> Path:
    """Copy the database at ``url`` to ``path`` (which must not exist yet)."""
    parsed, out = parse_url(url), Path(path)
    if out.exists():
        raise StoreError(f"{out} already exists; choose a new file for the backup")
    out.parent.mkdir(parents=True, exist_ok=True)
    if parsed.get_backend_name() == "sqlite":
        source_file = _sqlite_file(parsed)
        if not source_file.exists():
            raise StoreError(f"{source_file} does not exist")
        source = sqlite3.connect(_read_only(source_file), uri=True, timeout=30)
        target = sqlite3.connect(out)
        try:
            source.backup(target)  # one step: one consistent snapshot
        except sqlite3.Error as error:
            out.unlink(missing_ok=True)
            raise StoreError(f"backup of {source_file} failed: {error}") from None
        finally:
            target.close()
            source.close()
        return out
    if parsed.get_backend_name() == "postgresql":
        libpq, environment = _libpq(parsed)
        argv = [_program("pg_dump"), "--format=custom", f"--file={out}", f"--dbname={libpq}"]
        _run(argv, environment)
        return out
    raise StoreError(f"cannot back up a {parsed.get_backend_name()} database")


def _sqlite_revision(path: Path) -> str | None:
    """The copy's migration; StoreError when it is not a sound SQLite database of ours."""
    try:
        copy = sqlite3.connect(_read_only(path), uri=True)
        try:
            check = copy.execute("PRAGMA quick_check").fetchone()
            if check is None or check[0] != "ok":
                raise StoreError(f"{path} is damaged ({check[0] if check else 'no answer'})")
            row = copy.execute("SELECT version_num FROM alembic_version").fetchone()
        finally:
            copy.close()
    except sqlite3.Error as error:
        raise StoreError(f"{path} is not a Silent God database ({error})") from None
    return row[0] if row else None


def _pg_revision(path: Path) -> str | None:
    argv = [_program("pg_restore"), "--data-only", "--table=alembic_version", "--file=-", str(path)]
    lines = _run(argv, dict(os.environ)).splitlines()
    for index, line in enumerate(lines):
        if line.startswith("COPY ") and "alembic_version" in line and index + 1 < len(lines):
            value = lines[index + 1].strip()
            return None if value == "\\." else value
    return None


def backup_revision(url: str | URL, path: str | Path) -> str | None:
    """The migration a backup for the database at ``url`` is at."""
    parsed, copy = parse_url(url), Path(path)
    if not copy.is_file():
        raise StoreError(f"{copy} does not exist")
    if parsed.get_backend_name() == "postgresql":
        return _pg_revision(copy)
    return _sqlite_revision(copy)


def restore(url: str | URL, path: str | Path) -> str:
    """Replace the database at ``url`` with the backup at ``path``; returns its migration.

    Refuses (StoreError) a copy that does not open or is at another migration than this
    version's; stop the bot first, as a restore replaces what it is writing to.
    """
    parsed, copy = parse_url(url), Path(path)
    revision, wanted = backup_revision(parsed, copy), migrate.head()
    if revision != wanted:
        raise StoreError(
            f"{copy} is at migration {revision or 'none'}, but this version needs {wanted}; "
            "restore it with the version that made it, then run silentgod db upgrade"
        )
    if parsed.get_backend_name() == "sqlite":
        ensure_sqlite_directory(parsed)
        source = sqlite3.connect(_read_only(copy), uri=True)
        target = sqlite3.connect(_sqlite_file(parsed), timeout=30)
        try:
            source.backup(target)
            check = target.execute("PRAGMA integrity_check").fetchone()
        except sqlite3.Error as error:
            raise StoreError(f"restore into {mask_url(parsed)} failed: {error}") from None
        finally:
            target.close()
            source.close()
        if check is None or check[0] != "ok":
            raise StoreError(f"the restored database fails its integrity check: {check}")
        return wanted or ""
    libpq, environment = _libpq(parsed)
    argv = [
        _program("pg_restore"),
        "--clean",
        "--if-exists",
        "--no-owner",
        "--single-transaction",
        f"--dbname={libpq}",
        str(copy),
    ]
    _run(argv, environment)
    return wanted or ""
