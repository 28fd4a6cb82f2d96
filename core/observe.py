"""What the bot counts for its operator: one platform-neutral ``Metrics`` object.

Every number lives in the object's own ``CollectorRegistry`` (never the library's global one),
so two services in one process (tests, benchmarks) never share counts. The core records into
it (``Answering`` the replies and refusals, the runner its batches); frontends add their
reconnects; ``bot.observe`` serves it as Prometheus text.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

ANSWERED = ("answer", "silence")
# Seconds from a message to its reply; the god answers in tens of milliseconds when idle.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 15.0, 30.0)
BATCH_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512)
RECENT_LATENCIES = 1000  # the replies /stats takes its p95 from


class Metrics:
    """The counters, histograms and gauges of one service."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry(auto_describe=True)
        r = self.registry
        self.recent: deque[float] = deque(maxlen=RECENT_LATENCIES)
        self.replies = Counter(
            "silentgod_replies",
            "Answers (and silences) the god gave, by platform and mode.",
            ("platform", "mode", "kind"),
            registry=r,
        )
        self.latency = Histogram(
            "silentgod_reply_seconds",
            "Time from a message to the god's reply (answers and silences).",
            ("platform",),
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.refusals = Counter(
            "silentgod_refusals",
            "Messages not answered, by why (busy, rate_limited, too_long, not_allowed, ...).",
            ("platform", "kind"),
            registry=r,
        )
        self.store_errors = Counter(
            "silentgod_store_errors", "Calls that found the database unavailable.", registry=r
        )
        self.batches = Histogram(
            "silentgod_model_batch_size",
            "Jobs in each batch the model ran, by kind of job.",
            ("kind",),
            buckets=BATCH_BUCKETS,
            registry=r,
        )
        self.queue_depth = Gauge("silentgod_queue_depth", "Jobs waiting for the model.", registry=r)
        self.reconnects = Counter(
            "silentgod_frontend_reconnects",
            "Times a frontend's connection came back after it was lost.",
            ("platform",),
            registry=r,
        )

    def replied(self, platform: str, mode: str, kind: str, seconds: float) -> None:
        """One reply to a message: an answer or silence is timed, anything else a refusal."""
        if kind in ANSWERED:
            self.replies.labels(platform, mode, kind).inc()
            self.latency.labels(platform).observe(seconds)
            self.recent.append(seconds)
        elif kind != "delivered":  # a redelivered question answered before: nothing new
            self.refusals.labels(platform, kind).inc()

    def latency_p95(self) -> float | None:
        """The 95th percentile (nearest rank) of the last replies' latencies; None: none yet."""
        if not self.recent:
            return None
        ordered = sorted(self.recent)
        return ordered[max(-(-len(ordered) * 95 // 100) - 1, 0)]

    def refused(self, platform: str, kind: str) -> None:
        """A message turned away before the god saw it (e.g. not allowed)."""
        self.refusals.labels(platform, kind).inc()

    def store_error(self) -> None:
        """The database did not answer."""
        self.store_errors.inc()

    def batch(self, kind: str, size: int) -> None:
        """The model ran one batch of ``size`` jobs of ``kind``."""
        self.batches.labels(kind).observe(size)

    def reconnected(self, platform: str) -> None:
        """A frontend's connection came back."""
        self.reconnects.labels(platform).inc()

    def watch_queue(self, depth: Callable[[], float]) -> None:
        """Read the queue depth from ``depth`` whenever the metrics are scraped."""
        self.queue_depth.set_function(depth)

    def text(self) -> bytes:
        """Everything, in the Prometheus text format."""
        return generate_latest(self.registry)
