"""Which layers should the LoRA voice adapt: the first and last only, or all of them?

Trains one voice per layer choice on the same god, with the same generated data, seed, steps
and trainable embedding/output copies, and reports for each: exact match on held-out generated
pairs (hearing clean text, hearing noised text, speaking — a spoken sentence counts when the
lexicon bridge reads it back as its scene), concept recall/precision on the natural-sentence
test set, trainable share and training time.

Run: ``python benchmarks/lora_layers.py [--model-dir DIR] [--steps N] [--layers ends all] [--json]``
"""

from __future__ import annotations

import argparse
import json
from dataclasses import replace

from core.bridge.metrics import SENTENCES as DATA
from core.bridge.metrics import load_sentences
from core.model.god import God
from core.voice.measure import voice_concept_scores
from core.voice.training import VoiceSettings, train_voice


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model-dir", help="the god (default: the shipped one)")
    parser.add_argument("--steps", type=int, default=600)
    parser.add_argument(
        "--layers",
        nargs="+",
        default=["ends", "all"],
        help='layer choices ("all", "ends", "0,3"); ":cold" turns the warm start off',
    )
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    args = parser.parse_args()

    god = God.load(args.model_dir)
    records = load_sentences(DATA)
    base = VoiceSettings(steps=args.steps, probe_every=0, probe_size=300)
    results: list[dict[str, object]] = []
    for variant in args.layers:
        layers, _, cold = variant.partition(":")
        voice = train_voice(god, replace(base, layers=layers, warm_start=cold != "cold"))
        card = voice.card
        row: dict[str, object] = {
            "layers": variant,
            "steps": args.steps,
            "train_seconds": card["train_seconds"],
            "trainable_share": card["trainable_share"],
            "final_loss": card["final_loss"],
            **{f"probe_{k}": v for k, v in dict(card["probe"]).items()},  # type: ignore[call-overload]
            **voice_concept_scores(voice, records),
        }
        results.append(row)
    if args.json:
        print(json.dumps(results, ensure_ascii=False))
        return
    keys = list(results[0])
    for key in keys:
        print(f"{key:<24}" + "".join(f"{row[key]!s:>14}" for row in results))


if __name__ == "__main__":
    main()
