"""The core's settings: the ``[core]`` section of the config file is exactly this object."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Literal

from core.types import LanguageSetting, Mode

# Measured with `silentgod bench` on 2 cores: a fixed wait for company only added latency (at
# 64 chats 1 900 replies/s with 4 ms, 2 400 with none), and batches of 256 beat batches of 64
# at 256 chats (2 800 vs 2 000 replies/s).
BATCH_MAX = 256
BATCH_WAIT_MS = 0.0


@dataclass(frozen=True, slots=True)
class CoreSettings:
    """How the god answers, hears and queues; every field is a documented key of ``[core]``."""

    default_mode: Mode = "translate"
    bridge: Literal["lexicon", "lora"] = "lexicon"
    bridge_fallback: bool = False
    model_dir: str = ""
    voice_dir: str = ""
    # The least probability a glyph the LoRA voice hears needs to be kept (below it: silence);
    # 0: the floor chosen for the adapter on a development set when it was trained.
    voice_confidence: float = 0.0
    language: LanguageSetting = "auto"
    max_message_chars: int = 2000
    context_turns: int = 1
    cache_size: int = 10_000
    rate_per_minute: float = 30.0
    rate_burst: float = 10.0
    rate_notice_window_s: float = 60.0
    field_cost: float = 3.0
    field_concurrency: int = 1
    field_queue: int = 4
    settings_ttl_s: float = 5.0
    batch_max: int = BATCH_MAX
    batch_wait_ms: float = BATCH_WAIT_MS
    queue_size: int = 512
    per_user_inflight: int = 4
    request_timeout_s: float = 15.0
    torch_threads: int = 0


def model_threads(configured: int) -> int:
    """Torch threads for the model: as configured, or (0) every core this process may use
    but one, at least one. The event loop, the store's thread and the drawing process need a
    core of their own: a forward pass whose threads fight them for every core waits for its
    slowest thread (measured on 2 cores: a bystander's p95 of 295 ms with both threads while
    pictures were drawn, 104 ms with one)."""
    if configured:
        return configured
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, (cores or 1) - 1)
