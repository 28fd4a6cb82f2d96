"""Configuration: validated once, frozen, errors in one line naming the key."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import ConfigError, load_config, parse_config

SHARDS = "SILENTGOD_DISCORD_SHARDS"
EXAMPLE = Path(__file__).resolve().parents[2] / "config.example.toml"


def test_example_config_documents_and_loads_every_key() -> None:
    config = load_config(EXAMPLE, environ={})
    assert config.core.default_mode == "translate"
    assert config.storage.url.startswith("sqlite+aiosqlite:///")
    text = EXAMPLE.read_text("utf-8")
    for section in ("core", "storage", "telegram", "discord", "logging", "access"):
        for field in dataclasses.fields(getattr(config, section)):
            assert f"\n{field.name} =" in text or f"\n# {field.name} =" in text, field.name


def test_the_example_config_holds_the_runners_measured_defaults() -> None:
    from core.model.runner import BATCH_MAX, BATCH_WAIT_MS

    example = load_config(EXAMPLE, environ={}).core
    assert (example.batch_max, example.batch_wait_ms) == (BATCH_MAX, BATCH_WAIT_MS)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"core": {"default_mode": "loud"}}, "[core] default_mode"),
        ({"core": {"colour": "red"}}, "unknown key [core] colour"),
        ({"oracle": {}}, "unknown section [oracle]"),
        ({"core": {"batch_max": "many"}}, "[core] batch_max"),
        ({"core": {"batch_max": 0}}, "[core] batch_max"),
        ({"core": {"voice_confidence": 1.5}}, "[core] voice_confidence"),
        ({"telegram": {"enabled": "yes"}}, "[telegram] enabled"),
        ({"telegram": {"typing_after_s": -1}}, "[telegram] typing_after_s"),
        ({"discord": {"typing_after_s": -0.5}}, "[discord] typing_after_s"),
        ({"telegram": {"enabled": True}}, "[telegram] token is missing"),
        ({"discord": {"enabled": True}}, "[discord] token is missing"),
        ({"storage": {"url": "silentgod.db"}}, "[storage] url"),
        ({"storage": {"pool_size": 0}}, "[storage] pool_size"),
        ({"storage": {"retries": -1}}, "[storage] retries"),
        ({"storage": {"pool_pre_ping": "yes"}}, "[storage] pool_pre_ping"),
        ({"storage": {"retention_days": -1}}, "[storage] retention_days"),
        ({"observe": {"listen": "9108"}}, "[observe] listen"),
        ({"observe": {"listen": "localhost:http"}}, "[observe] listen"),
        ({"logging": {"format": "xml"}}, "[logging] format"),
        (
            {"telegram": {"enabled": True, "token": "1:x", "mode": "webhook"}},
            "[telegram] webhook_url",
        ),
    ],
)
def test_bad_values_name_the_key(data: dict, message: str) -> None:
    with pytest.raises(ConfigError) as raised:
        parse_config(data, environ={})
    assert message in str(raised.value)
    assert "\n" not in str(raised.value)


def test_tokens_come_from_the_environment_and_never_show() -> None:
    config = parse_config(
        {"telegram": {"enabled": True}}, environ={"SILENTGOD_TELEGRAM_TOKEN": "123:SECRET"}
    )
    assert config.telegram.token == "123:SECRET"
    assert "SECRET" not in repr(config)
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.core.default_mode = "glyph"  # type: ignore[misc]


def test_a_database_password_never_shows() -> None:
    url = "postgresql+asyncpg://god:s3cret@db:5432/silentgod"
    config = parse_config({"storage": {"url": url}}, environ={})
    assert config.storage.url == url and "s3cret" not in repr(config)
    with pytest.raises(ConfigError) as raised:
        parse_config({"storage": {"url": "god:s3cret@db"}}, environ={})
    assert "s3cret" not in str(raised.value)


def test_broken_files_are_one_clear_line(tmp_path: Path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text("[core\ndefault_mode = ", "utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(broken, environ={})
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(tmp_path / "missing.toml", environ={})


def test_the_command_line_prints_one_line_not_a_traceback(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[core]\ndefault_mode = "loud"\n', "utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "bot", "run", "--config", str(config)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0
    assert "[core] default_mode" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("discord", "environ", "ids", "count"),
    [
        ({"shard_ids": "0-1", "shard_count": 4}, {}, (0, 1), 4),
        ({"shard_ids": [3, 2], "shard_count": 4}, {}, (2, 3), 4),
        ({"shard_ids": "0,2-3", "shard_count": 4}, {}, (0, 2, 3), 4),
        ({"shard_ids": "0-1", "shard_count": 4}, {SHARDS: "4-7/8"}, (4, 5, 6, 7), 8),
        ({}, {}, (), 0),
    ],
)
def test_this_processs_discord_shards(
    discord: dict, environ: dict[str, str], ids: tuple[int, ...], count: int
) -> None:
    config = parse_config({"discord": discord}, environ).discord
    assert (config.shard_ids, config.shard_count) == (ids, count)
    assert config.sharded == bool(ids), "naming shards implies sharding"


@pytest.mark.parametrize(
    ("discord", "environ", "message"),
    [
        ({"shard_ids": "0-1"}, {}, "[discord] shard_ids needs shard_count"),
        ({"shard_ids": [4], "shard_count": 4}, {}, "below shard_count (4)"),
        ({"shard_ids": [1, 1], "shard_count": 4}, {}, "names a shard twice"),
        ({"shard_ids": "one", "shard_count": 4}, {}, "[discord] shard_ids must be a list"),
        ({}, {SHARDS: "0-3"}, f"{SHARDS}='0-3' must read ids/count"),
        ({}, {SHARDS: "0-8/8"}, "below shard_count (8)"),
    ],
)
def test_bad_shards_are_one_line_naming_the_key(
    discord: dict, environ: dict[str, str], message: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config({"discord": discord}, environ)
    assert message in str(caught.value) and "\n" not in str(caught.value)
