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

from core.report import print_json

logger = logging.getLogger(__name__)

Handler = Callable[[argparse.Namespace], int]
TRAIN_STEPS = 3000
VOICE_STEPS = 5600


def cmd_train(args: argparse.Namespace) -> int:
    """``silentgod train`` (the program lives beside what it trains)."""
    from core.model import train

    return train.run(args)


def cmd_train_voice(args: argparse.Namespace) -> int:
    """``silentgod train-voice``."""
    from core.voice import training

    return training.run(args)


def cmd_eval(args: argparse.Namespace) -> int:
    """``silentgod eval``."""
    from core import evaluation

    _setup_logging("WARNING")
    return evaluation.run(args)


def cmd_bench(args: argparse.Namespace) -> int:
    """``silentgod bench``."""
    from core import benchmark

    _setup_logging("WARNING")
    return benchmark.run(args)


def cmd_lexicon(args: argparse.Namespace) -> int:
    """Show the dictionary, or the entries matching a word, key or glyph."""
    from core.language.lexicon import load_lexicon

    lexicon = load_lexicon()
    entries = lexicon.lookup(args.entry) if args.entry else list(lexicon)
    if args.entry and not entries:
        from core.bridge.lexicon_bridge import LexiconBridge
        from core.service.dictionary import lookup_entries

        entries = lookup_entries(lexicon, LexiconBridge(lexicon), args.entry)
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


def _setup_logging(level: str = "WARNING", config: Any = None) -> None:
    from bot.dbcli import secrets_of
    from bot.logs import setup_logging

    secrets = secrets_of(config) if config is not None else []
    log_format = "text" if config is None else config.logging.format
    setup_logging(level, secrets, log_format)


def _config(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from bot.config import load_config

    return load_config(getattr(args, "config", None))


def _start_failure(error: Exception | str) -> int:
    print(f"silentgod: {error}", file=sys.stderr)
    return 2


def cmd_chat(args: argparse.Namespace) -> int:
    """The local console chat with the god."""
    import asyncio

    from bot.app import StartupError, build_service
    from bot.console.frontend import ConsoleFrontend

    config = _config(args)
    _setup_logging("WARNING")

    async def chat() -> None:
        service = await build_service(config)
        try:
            await ConsoleFrontend(service, language_hint=args.lang).run()
        finally:
            await service.close()

    try:
        asyncio.run(chat())
    except StartupError as error:
        return _start_failure(error)
    except KeyboardInterrupt:
        pass
    return 0


def _one_message(args: argparse.Namespace, job: Callable[[Any, Any], Any]) -> Any:
    """Start the service from the config, run ``job(service, message)`` once, stop it.

    The message comes from the command line (``args.message`` in ``args.chat``); raises
    StartupError when the service cannot start.
    """
    import asyncio

    from bot.app import build_service
    from core.types import Incoming

    config = _config(args)
    _setup_logging("WARNING")

    async def run() -> Any:
        service = await build_service(config)
        try:
            message = Incoming(
                platform="console",
                chat_id=args.chat,
                user_id="cli",
                text=args.message,
                mode=getattr(args, "mode", None),
                language_hint=args.lang,
            )
            return await job(service, message)
        finally:
            await service.close()

    return asyncio.run(run())


def cmd_ask(args: argparse.Namespace) -> int:
    """One message, one answer, then exit."""
    import dataclasses

    from bot.app import StartupError
    from core.commands.outcomes import outcome_of

    try:
        reply = _one_message(args, lambda service, message: service.answering.answer(message))
    except StartupError as error:
        return _start_failure(error)
    document = dataclasses.asdict(reply)
    document["unknown"] = list(reply.unknown)
    document["reply"] = outcome_of(reply).text
    if args.json:
        print_json(document)
    else:
        print(document["reply"])
    return 0 if document["kind"] in ("answer", "silence") else 1


def cmd_bridge(args: argparse.Namespace) -> int:
    """A bridge alone, in either direction."""
    from core.language.lexicon import load_lexicon

    lexicon = load_lexicon()
    if args.bridge == "lora":
        from core.model.god import CheckpointError, God
        from core.voice.runtime import LoraVoice, VoiceError

        try:
            bridge = LoraVoice.load(God.load(None, lexicon))
        except (VoiceError, CheckpointError) as error:
            return _start_failure(error)
    else:
        from core.bridge.lexicon_bridge import LexiconBridge

        bridge = LexiconBridge(lexicon)
    if args.file is not None:
        return _bridge_file(bridge, args)
    if args.text is None:
        print("silentgod bridge: give a text or --file PATH", file=sys.stderr)
        return 2
    result = bridge.translate(args.text, args.lang)
    if args.json:
        print_json(_bridge_document(result, args.bridge))
    else:
        from core.commands.outcomes import bridge_outcome

        print(bridge_outcome(result).text)
    return 0


def _bridge_document(result: Any, bridge: str) -> dict[str, object]:
    return {
        "glyphs": result.glyphs,
        "text": result.text,
        "concepts": list(result.concepts),
        "unknown": list(result.unknown),
        "language": result.language,
        "direction": result.direction,
        "bridge": bridge,
        "corrected": result.extra.get("corrected", []),
    }


def _bridge_file(bridge: Any, args: argparse.Namespace) -> int:
    """One text a line from a file (``-``: standard input), through one loaded bridge; with
    --json one compact JSON document a line, else the usual text, one result a line."""
    from core.commands.outcomes import bridge_outcome

    try:
        handle = sys.stdin if args.file == "-" else open(args.file, encoding="utf-8")  # noqa: SIM115
    except OSError as error:
        print(f"silentgod bridge: {error}", file=sys.stderr)
        return 2
    with handle:
        for line in handle:
            text = line.rstrip("\r\n")
            result = bridge.translate(text, args.lang)
            if args.json:
                document = _bridge_document(result, args.bridge)
                sys.stdout.write(json.dumps(document, ensure_ascii=False) + "\n")
            else:
                print(bridge_outcome(result).text.replace("\n", " "))
    return 0


def cmd_field(args: argparse.Namespace) -> int:
    """The meaning-field picture of one message, written as a PNG."""
    from pathlib import Path

    from bot.app import StartupError

    try:
        picture = _one_message(args, lambda service, message: service.painter.field(message))
    except StartupError as error:
        return _start_failure(error)
    out = Path(args.out)
    if picture.png is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(picture.png)
    if args.json:
        document: dict[str, Any] = {
            "png": str(out) if picture.png is not None else None,
            "bytes": len(picture.png or b""),
            "caption": picture.caption,
        }
        if picture.data is not None:
            document["heard"] = "".join(g.glyph for g in picture.data.question)
            document["glyphs"] = "".join(g.glyph for g in picture.data.answer)
            document.update(picture.data.as_dict())
        print_json(document)
    else:
        print(picture.caption)
        if picture.png is not None:
            print(out)
    return 0 if picture.png is not None else 1


def cmd_run(args: argparse.Namespace) -> int:
    """Start every enabled frontend and serve until SIGTERM or Ctrl-C."""
    import asyncio
    import dataclasses

    from bot.app import StartupError
    from bot.run import serve

    config = _config(args)
    if args.log_format:
        config = dataclasses.replace(
            config, logging=dataclasses.replace(config.logging, format=args.log_format)
        )
    _setup_logging(config.logging.level, config)
    try:
        return asyncio.run(serve(config))
    except StartupError as error:
        return _start_failure(error)


def cmd_db(args: argparse.Namespace) -> int:
    """Apply the database migrations."""
    from core.storage import StoreError, mask_url
    from core.storage.migrate import current_sync, upgrade_sync

    config = _config(args)
    _setup_logging("WARNING")
    url = config.storage.url
    try:
        upgrade_sync(url, busy_timeout_ms=config.storage.busy_timeout_ms)
        revision = current_sync(url)
    except StoreError as error:
        return _start_failure(f"[storage] url: {error}")
    if args.json:
        print_json({"url": mask_url(url), "revision": revision})
    else:
        print(f"database at revision {revision}")
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

    voice = commands.add_parser(
        "train-voice", help="train the LoRA voice on the frozen god (fixed seed)"
    )
    voice.add_argument("--steps", type=int, default=VOICE_STEPS)
    voice.add_argument("--seed", type=int, default=0)
    voice.add_argument("--threads", type=int, default=1, help="torch threads (1 is fastest)")
    voice.add_argument(
        "--layers", default="all", help='layers with LoRA: "all", "ends" or e.g. "0,3"'
    )
    voice.add_argument(
        "--max-minutes",
        type=float,
        default=13.0,
        help="stop the training loop early after this long on a busy machine (0: never)",
    )
    voice.add_argument(
        "--from",
        dest="start_from",
        help="go on training this saved voice (its tokenizer and adapter) instead of a new one",
    )
    voice.add_argument(
        "--learning-rate", type=float, help="peak learning rate (default 6e-3; with --from 2e-3)"
    )
    voice.add_argument(
        "--natural-share",
        type=float,
        help="share of hearing rows drawn from the labelled natural sentences (default 0.3)",
    )
    voice.add_argument("--model-dir", help="the god to teach (default: the shipped one)")
    voice.add_argument("--out", help="output folder (default: the voice in the package)")
    voice.add_argument("--json", action="store_true", help="print the card as JSON")
    voice.set_defaults(handler=cmd_train_voice)

    evaluate = commands.add_parser("eval", help="accuracy of the god and of both bridges")
    evaluate.add_argument("--model-dir", help="a god checkpoint (default: the shipped one)")
    evaluate.add_argument("--bridge-data", help="bridge test set (default: the one in the package)")
    evaluate.add_argument(
        "--only", action="append", choices=("god", "lexicon", "lora"), help="one part only"
    )
    evaluate.add_argument("--json", action="store_true", help="print one JSON document")
    evaluate.set_defaults(handler=cmd_eval)

    bench = commands.add_parser("bench", help="latency and throughput of the inference core")
    bench.add_argument("--model-dir")
    bench.add_argument("--concurrency", type=int, action="append")
    bench.add_argument("--mode", action="append", choices=("glyph", "translate"))
    bench.add_argument(
        "--messages", type=int, default=2, help="messages per simulated chat (at least 256 in all)"
    )
    bench.add_argument(
        "--threads",
        type=int,
        default=0,
        help="torch threads (0: as `silentgod run`, every core but one)",
    )
    bench.add_argument(
        "--bridge",
        choices=("lexicon", "lora"),
        default="lexicon",
        help="the bridge the chats go through (lora: the baseline is the voice's plain loop)",
    )
    bench.add_argument("--json", action="store_true", help="print one JSON document")
    bench.add_argument(
        "--storage-url", help="the store to measure on (default: a fresh SQLite file per run)"
    )
    bench.add_argument(
        "--limits",
        action="store_true",
        help="also each scenario with the per-user limits on, beside the same run without them",
    )
    bench.set_defaults(handler=cmd_bench)

    chat = commands.add_parser("chat", help="local console chat with the god (no token needed)")
    chat.add_argument("--config", help="config file (default: built-in defaults)")
    chat.add_argument("--lang", choices=("ru", "en"), help="your language (default: auto)")
    chat.set_defaults(handler=cmd_chat)

    ask = commands.add_parser("ask", help="one message, one answer, then exit")
    ask.add_argument("message")
    ask.add_argument("--mode", choices=("glyph", "translate"))
    ask.add_argument("--lang", choices=("ru", "en"))
    ask.add_argument("--chat", default="ask", help="conversation id (context is kept per chat)")
    ask.add_argument("--config")
    ask.add_argument("--json", action="store_true", help="print one JSON document")
    ask.set_defaults(handler=cmd_ask)

    bridge = commands.add_parser("bridge", help="a bridge alone, text ↔ glyphs")
    bridge.add_argument("text", nargs="?")
    bridge.add_argument("--file", help="one text a line ('-': standard input), bridge loaded once")
    bridge.add_argument("--lang", choices=("ru", "en"))
    bridge.add_argument("--bridge", choices=("lexicon", "lora"), default="lexicon")
    bridge.add_argument("--json", action="store_true", help="print one JSON document")
    bridge.set_defaults(handler=cmd_bridge)

    field = commands.add_parser("field", help="the meaning-field picture of one message")
    field.add_argument("message")
    field.add_argument("-o", "--out", default="field.png", help="where to write the PNG")
    field.add_argument("--lang", choices=("ru", "en"))
    field.add_argument("--chat", default="field", help="conversation id (its context is read)")
    field.add_argument("--config")
    field.add_argument("--json", action="store_true", help="print one JSON document")
    field.set_defaults(handler=cmd_field)

    run = commands.add_parser("run", help="start every frontend enabled in the config")
    run.add_argument("--config", required=True)
    run.add_argument("--log-format", choices=("text", "json"), help="instead of [logging] format")
    run.set_defaults(handler=cmd_run)

    db = commands.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    upgrade = db_commands.add_parser("upgrade", help="apply migrations")
    upgrade.add_argument("--config")
    upgrade.add_argument("--json", action="store_true")
    upgrade.set_defaults(handler=cmd_db)
    from bot.dbcli import add_db_actions, add_stats_command

    add_db_actions(db_commands)
    add_stats_command(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one sub-command; every error the project names is one line, never a traceback."""
    from core.errors import SilentGodError

    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Handler = args.handler
    try:
        return handler(args)
    except SilentGodError as error:
        print(f"silentgod: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
