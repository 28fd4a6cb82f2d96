"""The lexicon bridge's word indexes, kept on disk between starts.

Building them asks the morphology for every form and derivation of every lexicon word
(about 3 s on one core), and every start of ``silentgod run`` would pay it again: after a
crash the bot should be back in the time it takes to load, not to re-derive Russian. The
built indexes (and each speller's ranked forms) are pickled under a key made of everything
they are built from — the lexicon's entries, this package's code and data, the morphology
libraries' versions — so a changed lexicon or a new release never reads a stale copy. A cache
that cannot be read or written is simply rebuilt; nothing depends on it.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import sys
import tempfile
from importlib import metadata
from pathlib import Path

from core.language.lexicon import Lexicon
from core.types import LANGUAGES, Language

from .hearing import WordIndex, build_index

logger = logging.getLogger(__name__)

CACHE_ENV = "SILENTGOD_CACHE_DIR"  # empty: no cache
FORMAT = 1
_PACKAGE = Path(__file__).resolve().parent
_SOURCES = (_PACKAGE, _PACKAGE.parent / "language")
_LIBRARIES = ("pymorphy3", "pymorphy3-dicts-ru", "lemminflect", "rapidfuzz")

Built = dict[Language, tuple[WordIndex, dict[str, int] | None]]


def cache_dir() -> Path | None:
    """Where the indexes are kept: ``$SILENTGOD_CACHE_DIR``, else the user's cache folder."""
    configured = os.environ.get(CACHE_ENV)
    if configured is not None:
        return Path(configured) if configured else None
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "silentgod"


def _version(library: str) -> str:
    try:
        return metadata.version(library)
    except metadata.PackageNotFoundError:
        return "-"


def cache_key(lexicon: Lexicon, spelling: bool) -> str:
    """A digest of everything the indexes are built from."""
    digest = hashlib.sha256(f"{FORMAT} {sys.version_info[:2]} {spelling}".encode())
    for library in _LIBRARIES:
        digest.update(f"{library}={_version(library)};".encode())
    for root in _SOURCES:
        for path in sorted(root.rglob("*")):
            if path.is_file() and path.suffix in {".py", ".toml", ".json", ".jsonl", ".tsv"}:
                digest.update(str(path.relative_to(root)).encode())
                digest.update(path.read_bytes())
    for entry in lexicon:
        digest.update(repr((entry.glyph, entry.key, entry.ru, entry.en)).encode())
    return digest.hexdigest()[:32]


def _read(path: Path) -> Built | None:
    try:
        with path.open("rb") as handle:
            built = pickle.load(handle)
    except FileNotFoundError:
        return None
    except Exception as error:  # a torn or foreign file: rebuild it
        logger.warning("lexicon bridge: ignoring the cached word index %s (%s)", path, error)
        return None
    if not isinstance(built, dict) or set(built) != set(LANGUAGES):
        return None
    return built


def _write(path: Path, built: Built) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # written beside and renamed: a killed start never leaves half a file under the key
        with tempfile.NamedTemporaryFile("wb", dir=path.parent, delete=False) as handle:
            pickle.dump(built, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(handle.name, path)
    except OSError as error:
        logger.info("lexicon bridge: word index not cached (%s)", error)


def word_indexes(lexicon: Lexicon, spelling: bool) -> dict[Language, WordIndex]:
    """Both languages' word indexes (with their spellers when ``spelling``), from the cache
    when it holds them for exactly this lexicon and code, else built and cached."""
    folder = cache_dir()
    path = folder / f"word-index-{cache_key(lexicon, spelling)}.pickle" if folder else None
    built = _read(path) if path is not None else None
    if built is not None:
        return {language: index.with_speller(rank) for language, (index, rank) in built.items()}
    indexes = {language: build_index(lexicon, language) for language in LANGUAGES}
    if spelling:
        for index in indexes.values():
            index.speller  # noqa: B018 (built now, so that no message waits for it)
    if path is not None:
        _write(path, {language: index.without_speller() for language, index in indexes.items()})
    return indexes
