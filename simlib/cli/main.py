"""Argument parsing, the language setting, and turning bad input into a message and exit status 2."""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
import warnings
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import yaml

from simlib.cli import audit, bench, experiment, export, handout, report, rules, run, validate, vocab
from simlib.cli.arguments import Parser, prescan
from simlib.errors import InputError, InputWarning, os_error
from simlib.i18n import LANGS, set_lang, t

COMMANDS = (rules, audit, export, vocab, validate, run, report, handout, bench)
EXIT_INPUT = 2


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version  # slow to import: only for --version

    try:
        return version("simlib")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree without installing
        return "unknown"


class _VersionAction(argparse._VersionAction):
    """``--version``, with the installed version looked up only when asked for."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: Any,
                 option_string: str | None = None) -> None:
        self.version = f"simlib {_version()}"
        super().__call__(parser, namespace, values, option_string)


def build_parser() -> argparse.ArgumentParser:
    """The parser: global ``--lang`` and ``--version``, one subcommand per module in ``COMMANDS``."""
    parser = Parser(prog="simlib", description=t("cli.description", "en"))
    parser.add_argument("--version", action=_VersionAction)
    parser.add_argument(
        "--lang",
        choices=LANGS,
        default=None,
        help="language of the output: zh or en (default: $SIMLIB_LANG, else zh)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in COMMANDS:
        cmd = module.add_parser(sub)
        cmd.add_argument(
            "--lang",
            dest="cmd_lang",
            choices=LANGS,
            default=None,
            help="language of the output (overrides the global --lang)",
        )
        cmd.set_defaults(run=module.run)
    _register_experiments(sub)
    return parser


def _register_experiments(sub: argparse._SubParsersAction) -> None:
    """``compare``, ``sweep``, ``sensitivity``, ``replications`` on simlib's scenarios and pipeline (imported when
    one of them runs)."""
    experiment.register(sub, _resolve, _ranges, headline=_headline)


def _resolve(name: str, overrides: Mapping[str, Any]) -> tuple[str, Mapping[str, Any], Any]:
    from simlib.pipeline.replication import resolve

    return resolve(name, overrides)


def _ranges(config: Mapping[str, Any], paths: Sequence[str] | None) -> Mapping[str, tuple[float, float]]:
    from simlib.pipeline.replication import ranges

    return ranges(config, paths)  # type: ignore[arg-type]


def _headline() -> tuple[str, ...]:
    from simlib.pipeline.kpi import HEADLINE_KPIS

    return HEADLINE_KPIS


def resolve_lang(args: argparse.Namespace) -> str:
    """Command --lang, else global --lang, else $SIMLIB_LANG (if zh or en), else zh."""
    env = os.environ.get("SIMLIB_LANG", "")
    return getattr(args, "cmd_lang", None) or args.lang or (env if env in LANGS else "zh")


def input_error(exc: BaseException) -> InputError:
    """An input problem (a missing file, broken JSON or YAML …) as an :class:`InputError`."""
    if isinstance(exc, InputError):
        return exc
    if isinstance(exc, OSError):
        return os_error(exc)
    if isinstance(exc, json.JSONDecodeError):
        return InputError(line=exc.lineno, key="json.syntax", values={"column": exc.colno})
    mark = getattr(exc, "problem_mark", None)
    return InputError(source=getattr(mark, "name", "") if mark is not None else "",
                      line=mark.line + 1 if mark is not None else None, key="yaml.syntax",
                      values={"problem": str(getattr(exc, "problem", None) or exc)})


def report_error(exc: BaseException, lang: str) -> str:
    """The message printed for an input problem (never a traceback): ``simlib: <prefix>: where: message``, the
    fix, and each further problem."""
    return input_error(exc).render(lang, prefix=f"simlib: {t('error.prefix', lang)}: ",
                                   fix_label=t("error.fix", lang))


def fail(exc: BaseException, lang: str, as_json: bool) -> int:
    """Print the problem (as ``{"error": {...}}`` on stdout with ``--json``, else as text on stderr); 2."""
    if as_json:
        print(json.dumps({"error": input_error(exc).as_dict(lang)}, ensure_ascii=False, indent=1))
    else:
        print(report_error(exc, lang), file=sys.stderr)
    return EXIT_INPUT


def exit_on_sigterm() -> None:
    """Make SIGTERM (``kill``, a stopped CI job) unwind like Ctrl-C, so that worker pools are stopped and
    stores closed on the way out instead of orphaned."""

    def stop(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, stop)


@contextmanager
def warnings_shown(lang: str) -> Iterator[None]:
    """Within it, an :class:`InputWarning` is printed as one line in ``lang`` (other warnings as Python does)."""
    with warnings.catch_warnings():
        python_shows = warnings.showwarning

        def show(message: Warning | str, category: type[Warning], filename: str, lineno: int,
                 file: Any = None, line: str | None = None) -> None:
            if isinstance(message, InputWarning):
                print(f"simlib: {t('input.warning.prefix', lang)}: {message.text(lang)}", file=sys.stderr)
            else:
                python_shows(message, category, filename, lineno, file, line)

        warnings.showwarning = show
        warnings.simplefilter("always", InputWarning)
        yield


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 ok, 1 findings, 2 unusable input)."""
    exit_on_sigterm()
    argv = list(sys.argv[1:] if argv is None else argv)
    hint, as_json = prescan(argv)
    env = os.environ.get("SIMLIB_LANG", "")
    lang = hint if hint in LANGS else env if env in LANGS else "zh"
    try:
        args = build_parser().parse_args(argv)
    except InputError as exc:  # --help and --version print and raise SystemExit(0)
        return fail(exc, lang, as_json)
    lang = resolve_lang(args)
    set_lang(lang)
    try:
        with warnings_shown(lang):
            return int(args.run(args, lang))
    except BrokenPipeError:  # output piped into `head` and the like: stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except (InputError, OSError, json.JSONDecodeError, yaml.YAMLError) as exc:
        return fail(exc, lang, bool(getattr(args, "json", False)))
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
