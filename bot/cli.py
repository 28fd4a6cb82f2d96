"""The ``silentgod`` command line: one entry point, one sub-command per job.

Heavy imports (torch, the frontends) happen inside the sub-commands so that quick commands
such as ``silentgod lexicon`` start at once. Every command that prints results takes
``--json`` and then prints exactly one JSON document on stdout.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable, Sequence
from typing import Any

from bot.config import ConfigError

logger = logging.getLogger(__name__)

Handler = Callable[[argparse.Namespace], int]
TRAIN_STEPS = 3000


def print_json(document: Any) -> None:
    """Print one JSON document, keeping glyphs and Cyrillic readable."""
    sys.stdout.write(json.dumps(document, ensure_ascii=False, indent=2) + "\n")


def cmd_lexicon(args: argparse.Namespace) -> int:
    """Show the dictionary, or the entries matching a word, key or glyph."""
    from core.language.lexicon import load_lexicon

    lexicon = load_lexicon()
    entries = lexicon.lookup(args.entry) if args.entry else list(lexicon)
    if args.json:
        print_json([entry.as_dict() for entry in entries])
        return 0 if entries or not args.entry else 1
    if not entries:
        print(f"No glyph for {args.entry!r}.", file=sys.stderr)
        return 1
    for entry in entries:
        print(
            f"{entry.glyph}  {entry.key:<16} {entry.category:<10} "
            f"{', '.join(entry.en)} | {', '.join(entry.ru)}"
        )
        if args.entry:
            print(f"    {entry.gloss}")
    return 0


def cmd_train(args: argparse.Namespace) -> int:
    """Train the god from scratch and save it (by default into the package)."""
    from tqdm import tqdm

    from core.model.god import PACKAGED_CHECKPOINT
    from core.model.train import TrainSettings, train_god

    settings = TrainSettings(
        size=args.size, steps=args.steps, seed=args.seed, data_seed=args.seed, threads=args.threads
    )
    out = args.out or str(PACKAGED_CHECKPOINT)
    command = "silentgod train " + " ".join(sys.argv[2:]) if sys.argv[1:2] == ["train"] else ""
    with tqdm(total=settings.steps, desc=f"training {settings.size}", unit="step") as bar:

        def progress(step: int, figures: dict[str, float]) -> None:
            bar.update(1)
            bar.set_postfix(loss=f"{figures['loss']:.4f}", heldout=f"{figures['heldout']:.3f}")

        _, card = train_god(settings, out, progress=progress, command=command.strip())
    if args.json:
        print_json(card)
    else:
        metrics = card["metrics"]
        assert isinstance(metrics, dict)
        print(f"saved to {out} ({card['parameters']:,} parameters, {card['train_seconds']} s)")
        for key in ("train_exact_match", "heldout_exact_match", "context_exact_match"):
            print(f"  {key:<22} {metrics[key]:.4f}")
        print(f"  seed exchanges         {'ok' if metrics['seed_exchanges_ok'] else 'MISSED'}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every sub-command."""
    parser = argparse.ArgumentParser(
        prog="silentgod",
        description="Silent God: a bot whose mind thinks only in glyphs.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    lexicon = commands.add_parser("lexicon", help="the dictionary, or one entry")
    lexicon.add_argument("entry", nargs="?", help="a word (ru/en), concept key or glyph")
    lexicon.add_argument("--json", action="store_true", help="print one JSON document")
    lexicon.set_defaults(handler=cmd_lexicon)

    from core.model.config import DEFAULT_SIZE, SIZES

    train = commands.add_parser("train", help="train the god from scratch (fixed seed)")
    train.add_argument("--size", choices=sorted(SIZES), default=DEFAULT_SIZE)
    train.add_argument("--steps", type=int, default=TRAIN_STEPS)
    train.add_argument("--seed", type=int, default=0)
    train.add_argument("--threads", type=int, default=2)
    train.add_argument("--out", help="output folder (default: the checkpoint in the package)")
    train.add_argument("--json", action="store_true", help="print the card as JSON")
    train.set_defaults(handler=cmd_train)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one sub-command; configuration errors are one line, never a traceback."""
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Handler = args.handler
    try:
        return handler(args)
    except ConfigError as error:
        print(f"silentgod: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
