"""`silentgod bench`: every scenario measured against its baseline, in the agreed shape."""

from __future__ import annotations

import pytest

from core.benchmark import benchmark, question_pool, sample_questions

KEYS = {
    "concurrency",
    "mode",
    "p50_ms",
    "p95_ms",
    "replies_per_s",
    "baseline_p50_ms",
    "baseline_p95_ms",
    "baseline_replies_per_s",
    "loop_lag_max_ms",
}


async def test_every_scenario_has_its_figures_and_its_baseline(shipped_god) -> None:
    results = await benchmark(
        shipped_god, concurrencies=(1, 4), modes=("glyph", "translate"), min_replies=8
    )
    assert [(r["concurrency"], r["mode"]) for r in results] == [
        (1, "glyph"),
        (4, "glyph"),
        (1, "translate"),
        (4, "translate"),
    ]
    for row in results:
        assert set(row) >= KEYS
        assert row["replies"] == 8
        for key in KEYS - {"concurrency", "mode"}:
            assert isinstance(row[key], float) and row[key] >= 0, key
        assert 0 < row["p50_ms"] <= row["p95_ms"]
        assert row["replies_per_s"] > 0 and row["baseline_replies_per_s"] > 0


def test_questions_come_from_the_corpus_and_are_reproducible(shipped_god) -> None:
    pool = question_pool(shipped_god)
    assert len(pool) > 10_000
    first = sample_questions(shipped_god, 50, seed=3, pool=pool)
    assert first == sample_questions(shipped_god, 50, seed=3, pool=pool)
    assert set(first) <= set(pool)


async def test_the_lora_voice_is_measured_against_its_plain_loop(shipped_god) -> None:
    from core.voice.runtime import ADAPTER_FILE, PACKAGED_VOICE

    if not (PACKAGED_VOICE / ADAPTER_FILE).is_file():
        pytest.skip("no shipped LoRA voice")
    results = await benchmark(
        shipped_god, concurrencies=(4,), modes=("translate",), min_replies=8, bridge="lora"
    )
    assert [(r["concurrency"], r["mode"]) for r in results] == [(4, "translate")]
    row = results[0]
    assert set(row) >= KEYS and row["replies"] == 8
    for key in KEYS - {"concurrency", "mode"}:
        assert isinstance(row[key], float) and row[key] >= 0, key
    assert row["replies_per_s"] > 0 and row["baseline_replies_per_s"] > 0
