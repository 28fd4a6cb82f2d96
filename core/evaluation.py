"""``silentgod eval``: the god against the oracle, and both bridges on the same test sets."""

from __future__ import annotations

import argparse
import logging
from collections.abc import Sequence
from pathlib import Path

from core.report import print_json

logger = logging.getLogger(__name__)


def bridge_dataset(path: str | Path | None) -> Path:
    """The natural-sentence test set of the bridges (default: the one in the package)."""
    from core.bridge.metrics import SENTENCES

    candidate = Path(path) if path else SENTENCES
    if not candidate.is_file():
        raise FileNotFoundError(f"the bridge test set {candidate} was not found")
    return candidate


def extra_sets(bridge: object) -> dict[str, dict[str, float]]:
    """Concept scores of a bridge on the typo'd test set, the held-back set and its typo'd
    copy (the held-back set is only ever measured, never trained or tuned on)."""
    from core.bridge.metrics import DATASETS, concept_scores

    return {
        name: concept_scores(bridge, path)  # type: ignore[arg-type]
        for name, path in DATASETS.items()
        if name != "sentences"
    }


def evaluate_all(
    model_dir: str | None = None,
    bridge_data: str | None = None,
    parts: Sequence[str] = ("god", "lexicon", "lora"),
) -> dict[str, object]:
    """Every metric, as ``{"god": {...}, "bridge": {"lexicon": {...}, "lora": {...}}}``."""
    from core.language.corpus import build_corpus
    from core.language.lexicon import load_lexicon
    from core.language.oracle import load_rules
    from core.model.god import God

    lexicon = load_lexicon()
    report: dict[str, object] = {"bridge": {}}
    god = God.load(model_dir, lexicon) if ("god" in parts or "lora" in parts) else None
    if "god" in parts and god is not None:
        from core.model.evaluate import evaluate_god

        rules = load_rules()
        data_seed = int(god.card.get("settings", {}).get("data_seed", 0))
        corpus = build_corpus(rules, seed=data_seed)
        report["god"] = evaluate_god(god, corpus, rules)
    bridges: dict[str, object] = report["bridge"]  # type: ignore[assignment]
    if "lexicon" in parts or "lora" in parts:
        dataset = bridge_dataset(bridge_data)
    if "lexicon" in parts:
        from core.bridge.lexicon_bridge import LexiconBridge
        from core.bridge.metrics import evaluate as evaluate_bridge

        lexicon_bridge = LexiconBridge(lexicon)
        bridges["lexicon"] = {
            **evaluate_bridge(lexicon_bridge, dataset),
            **extra_sets(lexicon_bridge),
        }
    if "lora" in parts and god is not None:
        try:
            from core.voice.measure import evaluate_voice
            from core.voice.runtime import LoraVoice
        except ImportError:
            bridges["lora"] = {"available": False, "reason": "the LoRA voice is not built yet"}
        else:
            try:
                voice = LoraVoice.load(god)
            except Exception as error:
                bridges["lora"] = {"available": False, "reason": str(error)}
            else:
                bridges["lora"] = {**evaluate_voice(voice, dataset), **extra_sets(voice)}
    return report


def _rows(prefix: str, figures: dict[str, object]) -> list[str]:
    rows: list[str] = []
    for key, value in figures.items():
        if isinstance(value, dict):
            rows += _rows(f"{prefix}{key}.", value)
        elif isinstance(value, float):
            rows.append(f"{prefix}{key:<40} {value:.4f}")
        else:
            rows.append(f"{prefix}{key:<40} {value}")
    return rows


def report_table(report: dict[str, object]) -> str:
    """The report as an aligned two-column table."""
    lines: list[str] = []
    for section in ("god", "bridge"):
        value = report.get(section)
        if isinstance(value, dict) and value:
            lines.append(f"== {section}")
            lines += _rows("", value)
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    """``silentgod eval``: the god against the oracle, and both bridges, as a table or JSON."""
    report = evaluate_all(
        model_dir=args.model_dir,
        bridge_data=args.bridge_data,
        parts=tuple(args.only) if args.only else ("god", "lexicon", "lora"),
    )
    if args.json:
        print_json(report)
        return 0
    print(report_table(report))
    return 0
