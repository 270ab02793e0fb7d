"""IndexPilot's opt-in telemetry, from Python.

The work is done by the indexpilot-telemetry binary that this package's
wheel installs (docs/client.md): these functions call it in a subprocess
with a deadline. Telemetry is off unless the user turns it on
(`indexpilot-telemetry on`); off, nothing is counted, written or sent.

Rules every function keeps: it never raises into its caller and never
waits past its deadline (10 s by default, INDEXPILOT_TELEMETRY_TIMEOUT or
timeout= for another); a failure is logged at debug level on the
"indexpilot_telemetry" logger and the function returns its neutral value
(False, {}, None). Pass strict=True to get a TelemetryError instead.
track_feature_usage starts no process: it counts in memory, and the counts
reach the client at most once a minute, at exit, and before a report is
built or sent.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, Mapping, Optional

from ._binary import Budget, TelemetryError, run_json
from ._errors import install_hooks, send_error
from ._experiments import experiments
from ._usage import FEATURE_NAME, counter, telemetry_mode
from ._version import __version__

__all__ = [
    "TelemetryError",
    "collect_usage_stats",
    "experiment_variant",
    "flush_feature_usage",
    "install_excepthook",
    "is_telemetry_enabled",
    "report_error",
    "send_telemetry",
    "track_ab_test",
    "track_feature_usage",
    "__version__",
]

log = logging.getLogger("indexpilot_telemetry")
log.addHandler(logging.NullHandler())


def _failed(what: str, error: Exception, strict: bool) -> None:
    """Logs a failure at debug level, or raises it for a strict caller."""
    if strict:
        raise error if isinstance(error, TelemetryError) else TelemetryError(f"{what}: {error}") from error
    log.debug("%s: %s", what, error)


def is_telemetry_enabled(*, strict: bool = False, timeout: Optional[float] = None) -> bool:
    """Whether telemetry collects: on, or local (reports kept on this
    machine, never sent), by the precedence of `indexpilot-telemetry
    status`. False when it cannot tell."""
    try:
        enabled = telemetry_mode(timeout) != "off"
    except Exception as e:
        _failed("is_telemetry_enabled", e, strict)
        return False
    counter.learned(None if enabled else False)
    return enabled


def collect_usage_stats(*, strict: bool = False, timeout: Optional[float] = None) -> Dict[str, Any]:
    """The report `indexpilot-telemetry preview` shows, parsed: exactly what
    send_telemetry would send now, feature usage counted so far included.
    Nothing is kept, sent or registered. With telemetry off it is what the
    first report after `on` would hold. {} when it cannot be built."""
    try:
        budget = Budget(timeout)
        counter.flush(budget.left())
        stats = run_json(["preview"], timeout=budget.left())
        return stats if isinstance(stats, dict) else {}
    except Exception as e:
        _failed("collect_usage_stats", e, strict)
        return {}


def send_telemetry(stats: Optional[Mapping[str, Any]] = None, *, strict: bool = False, timeout: Optional[float] = None) -> bool:
    """Builds a report now and, with telemetry on, uploads it and every
    report waiting (`indexpilot-telemetry send`). True when the service
    stored the report built now; False when telemetry is off or local, or
    the upload failed (the report then waits for the next send).

    stats is accepted for the first client's signature and ignored: the report is
    always the one preview shows, built by the client from IndexPilot's
    database and settings, so that what is shown is what is sent."""
    try:
        budget = Budget(timeout)
        counter.flush(budget.left())
        answer = run_json(["send", "--json"], timeout=budget.left())
    except Exception as e:
        _failed("send_telemetry", e, strict)
        return False
    if answer.get("error"):
        _failed("send_telemetry", TelemetryError(str(answer["error"])), strict)
    return bool(answer.get("stored"))


def report_error(
    error: BaseException,
    context: Optional[Mapping[str, Any]] = None,
    *,
    strict: bool = False,
    timeout: Optional[float] = None,
) -> None:
    """Reports error (`indexpilot-telemetry report-error`): its type, message
    and stack frames, with the chain of __cause__ and __context__ Python
    prints, scrubbed of secrets, addresses, user names and data values
    before anything is kept or sent. Only the context keys component,
    operation, postgresql_version and indexpilot_version are sent;
    table_name and index_name are never sent but cut out of the message.
    Nothing happens with telemetry or error reports off."""
    try:
        if not isinstance(error, BaseException):
            raise TelemetryError(f"not an exception: {type(error).__name__}")
        send_error(error, context, timeout)
    except Exception as e:
        _failed("report_error", e, strict)


def install_excepthook() -> None:
    """Reports every uncaught exception, of the main thread and of others,
    then hands it to the hook that was installed before (which prints
    it). KeyboardInterrupt and SystemExit are not reported."""
    try:
        install_hooks(lambda error, timeout: report_error(error, timeout=timeout))
    except Exception as e:
        _failed("install_excepthook", e, False)


_names_seen = set()  # valid names, checked once each: most calls repeat a few


def track_feature_usage(feature_name: str, success: bool = True, *, strict: bool = False) -> None:
    """Counts one use of feature_name and whether it succeeded, in this
    process's memory: no process is started and nothing is written per
    call. Names are IndexPilot's feature names (^[a-z][a-z0-9_]{0,63}$, as
    in features_used); any other is dropped and logged at debug level. At
    most 64 features are counted. With telemetry off nothing is counted."""
    try:
        if not isinstance(feature_name, str) or (feature_name not in _names_seen and not FEATURE_NAME.fullmatch(feature_name)):
            raise TelemetryError(f"feature name {feature_name!r} dropped: not a name like auto_indexing")
        if len(_names_seen) < 256:
            _names_seen.add(feature_name)
        counter.count(feature_name, bool(success))
    except Exception as e:
        _failed("track_feature_usage", e, strict)


def flush_feature_usage(*, strict: bool = False, timeout: Optional[float] = None) -> None:
    """Hands the feature usage counted so far to the client now, instead of
    within the minute; collect_usage_stats, send_telemetry and the exit of
    the process do it themselves."""
    try:
        counter.flush(timeout)
    except Exception as e:
        _failed("flush_feature_usage", e, strict)


def experiment_variant(name: str, *, strict: bool = False, timeout: Optional[float] = None) -> Optional[str]:
    """This installation's variant of the fleet experiment name, or None
    when no such experiment is running (IndexPilot then runs its default).
    The assignment is stable, with telemetry on or off."""
    try:
        return experiments.variant(name, timeout)
    except Exception as e:
        _failed("experiment_variant", e, strict)
        return None


def track_ab_test(test_name: str, variant: str, result: Optional[Mapping[str, Any]] = None, *, strict: bool = False) -> Optional[str]:
    """The original design's A/B hook, mapped onto fleet experiments: experiments are
    judged on the metrics every report already carries, per installation,
    so nothing of result is sent (it could hold anything). It returns this
    installation's variant of test_name, and logs at debug level when the
    variant the host ran is not that one."""
    assigned = experiment_variant(test_name, strict=strict)
    if variant != assigned:
        log.debug("track_ab_test: %s ran variant %r; this installation is assigned %r", test_name, variant, assigned)
    return assigned
