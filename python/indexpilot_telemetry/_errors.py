"""Error reports: an exception's traceback, with its chain, handed to
`indexpilot-telemetry report-error`, which scrubs it, keeps it and sends
it (or does nothing with telemetry or error reports off)."""

from __future__ import annotations

import logging
import sys
import threading
import traceback
from typing import Any, List, Mapping, Optional, Tuple

from ._binary import EXIT_USAGE, Budget, TelemetryError, run

log = logging.getLogger("indexpilot_telemetry")

#: The context keys an error report carries (docs/errors.md).
CONTEXT_KEYS = ("component", "operation", "postgresql_version", "indexpilot_version")
#: The original design's context keys that name a table or an index: never sent, not
#: even hashed; the client cuts each name out of the message instead.
NAME_KEYS = {"table_name": "--table", "table": "--table", "index_name": "--index", "index": "--index"}
#: The deadline of a report made by the exception hook: the program is
#: ending, and must not wait long for it.
HOOK_TIMEOUT = 5.0


def error_args(error: BaseException, context: Optional[Mapping[str, Any]]) -> Tuple[List[str], Optional[bytes]]:
    """The report-error arguments and standard input for error: its
    traceback with the chain of causes and contexts Python prints, or its
    type and message when it was never raised."""
    args = ["report-error", "-q"]
    for key, value in (context or {}).items():
        if key in CONTEXT_KEYS and value is not None:
            args += ["--context", f"{key}={value}"]
        elif key in NAME_KEYS and value:
            args += [NAME_KEYS[key], str(value)]
        else:
            log.debug("report_error: context key %r is not sent (the keys are %s)", key, ", ".join(CONTEXT_KEYS))
    if error.__traceback__ is None:
        return args + ["--type", qualified_name(type(error)), "--message", str(error)], None
    text = "".join(traceback.format_exception(type(error), error, error.__traceback__))
    return args, text.encode("utf-8", "replace")


def qualified_name(cls: type) -> str:
    """The name Python prints for an exception type: module.Qualname, or
    the bare name of a built-in."""
    module = getattr(cls, "__module__", "builtins")
    return cls.__qualname__ if module in ("builtins", "__main__") else f"{module}.{cls.__qualname__}"


def send_error(error: BaseException, context: Optional[Mapping[str, Any]], timeout: Optional[float]) -> None:
    """Runs report-error for error; raises TelemetryError on a failure. A
    context the client refuses (a value outside its pattern) does not cost
    the report: it is sent again without the context."""
    args, text = error_args(error, context)
    budget = Budget(timeout)
    try:
        run(args, input=text, timeout=budget.left())
    except TelemetryError as e:
        if not context or e.exit_status != EXIT_USAGE:
            raise
        log.debug("report_error: %s; reporting without the context", e)
        run(error_args(error, None)[0], input=text, timeout=budget.left())


_installed = threading.Lock()


def install_hooks(report) -> None:
    """Wraps sys.excepthook and threading.excepthook so that an uncaught
    exception is reported (by report(error, timeout)) and then handed to
    the hook that was there before. Installing twice changes nothing."""
    with _installed:
        if getattr(sys.excepthook, "_indexpilot_telemetry", False):
            return
        previous = sys.excepthook

        def excepthook(kind, value, tb):
            if not issubclass(kind, (KeyboardInterrupt, SystemExit)):
                report(value, HOOK_TIMEOUT)
            previous(kind, value, tb)

        excepthook._indexpilot_telemetry = True  # type: ignore[attr-defined]
        sys.excepthook = excepthook

        previous_thread = threading.excepthook

        def thread_excepthook(hook_args):
            if hook_args.exc_value is not None and not issubclass(hook_args.exc_type, SystemExit):
                report(hook_args.exc_value, HOOK_TIMEOUT)
            previous_thread(hook_args)

        threading.excepthook = thread_excepthook
