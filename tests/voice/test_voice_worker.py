"""The shipped LoRA voice in the god's worker: batched, bounded, and the god left untouched."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator, Sequence

import pytest

from core.language.oracle import SILENT, Scene
from core.model.god import God, Request
from core.model.runner import GodBusy, GodRunner, GodTimeout
from core.service import CoreSettings, GodService
from core.storage import SqlStore
from core.types import Incoming
from core.voice.runtime import ADAPTER_FILE, HEAR_JOB, PACKAGED_VOICE, SPEAK_JOB, LoraVoice

pytestmark = pytest.mark.skipif(
    not (PACKAGED_VOICE / ADAPTER_FILE).is_file(), reason="no shipped LoRA voice"
)

TEXTS = [
    ("What comes after fire?", "en"),
    ("Что противоположно свету?", "ru"),
    ("fire and time and the candle", "en"),
    ("огонь, время и свеча", "ru"),
    ("zzqx blorf", "en"),
    ("Mix water and salt", "en"),
]


@pytest.fixture(scope="module")
def voice() -> LoraVoice:
    from core.bridge.lexicon_bridge import LexiconBridge

    god = God.load()
    return LoraVoice.load(god, fallback=LexiconBridge(god.lexicon))


@pytest.fixture
async def runner(voice: LoraVoice) -> AsyncIterator[GodRunner]:
    assert voice.god is not None
    runner = GodRunner(voice.god.answer_batch)  # type: ignore[attr-defined]
    voice.bind(runner)
    async with runner:
        yield runner


async def test_voice_jobs_are_batched_together_and_equal_the_sync_voice(
    voice: LoraVoice, runner: GodRunner
) -> None:
    heard = await asyncio.gather(
        *(voice.hear_async(t, lang, f"u:{i}") for i, (t, lang) in enumerate(TEXTS))
    )
    assert runner.stats.kind_batches[HEAR_JOB] == 1
    assert runner.stats.kind_largest[HEAR_JOB] == len(TEXTS)
    assert heard == [voice.hear(text, language) for text, language in TEXTS]

    answers = [(r.glyphs or "◌", lang) for r, (_, lang) in zip(heard, TEXTS, strict=True)]
    spoken = await asyncio.gather(*(voice.speak_async(g, lang, "u:0") for g, lang in answers[:4]))
    assert runner.stats.kind_batches[SPEAK_JOB] == 1
    assert runner.stats.kind_largest[SPEAK_JOB] == 4
    assert spoken == [voice.speak(g, lang) for g, lang in answers[:4]]
    assert await voice.translate_async("🜂⧖", "ru") == voice.translate("🜂⧖", "ru")


async def test_the_gods_answers_are_unchanged_beside_the_voice(
    voice: LoraVoice, runner: GodRunner
) -> None:
    god: God = voice.god  # type: ignore[assignment]
    questions: list[Scene] = [("fire",), ("fire", "time", "candle"), ("water", "salt"), ("light",)]
    expected = god.answer_batch([Request(q) for q in questions])
    results = await asyncio.gather(
        *(voice.hear_async(t, lang) for t, lang in TEXTS),
        *(runner.ask(Request(q)) for q in questions),
        *(voice.speak_async("🜂⧖", "en") for _ in range(3)),
    )
    assert list(results[len(TEXTS) : len(TEXTS) + len(questions)]) == expected
    # One gathered batch of three kinds: each ran as its own batch in the one model thread.
    assert runner.stats.kind_batches == {HEAR_JOB: 1, "god": 1, SPEAK_JOB: 1}


class SlowGod:
    """A stand-in god that keeps the model thread busy, remembering where it ran."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.threads: set[int] = set()

    def __call__(self, requests: Sequence[Request]) -> list[Scene]:
        self.threads.add(threading.get_ident())
        time.sleep(self.delay)
        return [SILENT for _ in requests]


async def test_the_queue_bound_and_the_per_user_cap_count_voice_jobs(voice: LoraVoice) -> None:
    runner = GodRunner(SlowGod(0.3), batch_max=1, queue_size=1, per_user_inflight=1)
    voice.bind(runner)
    async with runner:
        busy = asyncio.create_task(runner.ask(Request(("fire",)), "tg:1"))
        await asyncio.sleep(0.05)  # the model thread is busy with the god's question
        with pytest.raises(GodBusy):  # the same user's voice job counts with the question
            await voice.hear_async("fire", "en", "tg:1")
        queued = asyncio.create_task(voice.hear_async("fire", "en", "tg:2"))
        await asyncio.sleep(0)
        with pytest.raises(GodBusy):  # the one place in the queue is taken
            await voice.speak_async("🜂", "en", "tg:3")
        assert await busy == SILENT
        assert (await queued).concepts == voice.hear("fire", "en").concepts
        assert runner.stats.refused == 2


async def test_a_slow_voice_job_times_out_like_a_question(voice: LoraVoice) -> None:
    runner = GodRunner(SlowGod(0.5), timeout_s=0.1)
    voice.bind(runner)
    async with runner:
        slow = asyncio.create_task(runner.ask(Request(("fire",))))
        await asyncio.sleep(0.02)
        with pytest.raises(GodTimeout):
            await voice.speak_async("🜂⧖", "en", "tg:1")
        with pytest.raises(GodTimeout):
            await slow
        assert runner.stats.timed_out == 2


async def test_the_service_answers_through_the_voice_and_says_busy_for_it(
    voice: LoraVoice, migrated_db_url: str
) -> None:
    god: God = voice.god  # type: ignore[assignment]
    runner = GodRunner(god.answer_batch, timeout_s=5.0)
    voice.bind(runner)
    await runner.start()
    service = GodService(
        settings=CoreSettings(default_mode="translate"),
        store=SqlStore.from_url(migrated_db_url),
        runner=runner,
        bridge=voice,
        lexicon=god.lexicon,
        god=god,
    )
    try:
        asked = Incoming("test", "c1", "u1", "What comes after fire?")
        reply = await service.answering.answer(asked)
        heard = voice.hear("What comes after fire?", "en")
        scene = god.answer_batch([Request(heard.concepts)])[0]
        assert reply.kind in ("answer", "silence")
        assert reply.heard == heard.glyphs
        assert reply.glyphs == god.lexicon.glyphs(scene)
        assert reply.text == voice.speak(reply.glyphs, "en").text
        assert runner.stats.kind_batches[HEAR_JOB] >= 1
        assert runner.stats.kind_batches[SPEAK_JOB] >= 1

        runner.timeout_s = 0.05
        runner.register(HEAR_JOB, SlowGod(0.3))  # type: ignore[arg-type]
        busy = await service.answering.answer(asked)
        assert busy.kind == "busy"
    finally:
        await service.close()
