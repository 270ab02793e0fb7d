"""Feature usage counted in the host's memory and handed to the client.

track_feature_usage() must cost the host nothing noticeable: it adds to a
dictionary under a lock and returns. No process is started and no file is
written per call. The counts are handed to `indexpilot-telemetry
feature-usage --add` (which adds them to the state folder atomically,
under the client's lock) at most once a minute, from a background thread,
and at exit, and before a report is built or sent. The client answers
whether it keeps them: with telemetry off, before consent to schema
version 3 or with collect_usage_stats off it does not, and this module
then stops counting and drops what it held, asking again at most every
ten minutes.
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import re
import threading
import time
from typing import Dict, List, Optional

from ._binary import EXIT_USAGE, TelemetryError, run_json

log = logging.getLogger("indexpilot_telemetry")

#: Feature names as the report takes them: the pattern of features_used.
FEATURE_NAME = re.compile(r"[a-z][a-z0-9_]{0,63}")
#: The most features one report carries; further names are dropped.
MAX_FEATURES = 64
#: The most a count may reach (the contract's MaxCount).
MAX_COUNT = 1_000_000_000
#: Seconds between two hand-overs of the counts.
FLUSH_INTERVAL = 60.0
#: Seconds before the client is asked again whether it counts, once it
#: said no.
RECHECK_INTERVAL = 600.0
#: The deadline of the hand-over at exit: exiting must not wait long.
EXIT_TIMEOUT = 5.0


class Counter:
    """The counts of one process. Every method is safe from any thread and
    never raises; flush reports its failure to its caller."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: Dict[str, List[int]] = {}  # name -> [uses, successes]
        self._accepting: Optional[bool] = None  # None: not known yet; counted until the client says
        self._environment_read = False  # _environment_says_off asked since _accepting became None
        self._checked = 0.0  # when _accepting was last learned (monotonic)
        self._last_flush: Optional[float] = None  # None: nothing counted yet
        self._worker: Optional[threading.Thread] = None

    def count(self, name: str, success: bool) -> None:
        """Adds one use of name; starts a background hand-over when one is
        due."""
        now = time.monotonic()
        with self._lock:
            if self._accepting is None and not self._environment_read:
                self._environment_read = True
                if _environment_says_off():
                    self._accepting, self._checked = False, now
            if self._accepting is False:
                self._maybe_recheck(now)
                return
            entry = self._counts.get(name)
            if entry is None:
                if len(self._counts) >= MAX_FEATURES:
                    log.debug("feature usage: %r dropped: the report carries at most %d features", name, MAX_FEATURES)
                    return
                entry = self._counts[name] = [0, 0]
            entry[0] = min(entry[0] + 1, MAX_COUNT)
            if success:
                entry[1] = min(entry[1] + 1, MAX_COUNT)
            if self._last_flush is None:
                self._last_flush = now
            elif now - self._last_flush >= FLUSH_INTERVAL:
                self._start(self.flush)

    def learned(self, accepting: Optional[bool]) -> None:
        """Records whether the client counts feature usage: False (telemetry
        is off, say) drops what was counted and stops counting; None (on,
        but consent and settings are the client's to check) counts until
        the next hand-over tells."""
        with self._lock:
            self._accepting, self._checked, self._environment_read = accepting, time.monotonic(), False
            if accepting is False:
                self._counts.clear()

    def flush(self, timeout: Optional[float] = None) -> None:
        """Hands the counts to the client now. On a failure the counts are
        kept for the next hand-over (bounded as ever) and TelemetryError is
        raised."""
        with self._lock:
            counts, self._counts = self._counts, {}
            self._last_flush = time.monotonic()
        if not counts:
            return
        body = {name: {"uses": c[0], "successes": c[1]} for name, c in counts.items()}
        try:
            answer = run_json(["feature-usage", "--add", "--json"], input=json.dumps(body).encode(), timeout=timeout)
        except TelemetryError:
            self._put_back(counts)
            raise
        if answer.get("dropped"):
            log.debug("feature usage: the client dropped %s", ", ".join(answer["dropped"]))
        accepting = bool(answer.get("counting"))
        if not accepting:
            log.debug("feature usage not kept: %s", answer.get("reason", ""))
        self.learned(accepting)

    def _put_back(self, counts: Dict[str, List[int]]) -> None:
        with self._lock:
            for name, (uses, successes) in counts.items():
                entry = self._counts.get(name)
                if entry is None:
                    if len(self._counts) >= MAX_FEATURES:
                        continue
                    entry = self._counts[name] = [0, 0]
                entry[0] = min(entry[0] + uses, MAX_COUNT)
                entry[1] = min(entry[1] + successes, MAX_COUNT)

    def _maybe_recheck(self, now: float) -> None:
        # Called with the lock held, telemetry known to be off.
        if now - self._checked >= RECHECK_INTERVAL:
            self._checked = now
            self._start(self._recheck)

    def _recheck(self) -> None:
        self.learned(None if telemetry_mode() != "off" else False)

    def _start(self, work) -> None:
        # Called with the lock held: one background worker at a time.
        if self._worker is not None and self._worker.is_alive():
            return
        self._worker = threading.Thread(target=_quietly, args=(work,), name="indexpilot-telemetry", daemon=True)
        self._worker.start()

    def at_exit(self) -> None:
        """Waits for a hand-over in progress, then hands over the rest."""
        worker = self._worker
        if worker is not None:
            worker.join(EXIT_TIMEOUT)
        _quietly(lambda: self.flush(timeout=EXIT_TIMEOUT))

    def reset_after_fork(self) -> None:
        """A forked child starts with no counts: its parent hands over its
        own, and the child's would count them twice."""
        self._lock = threading.Lock()
        self._counts, self._last_flush, self._worker = {}, None, None


def telemetry_mode(timeout: Optional[float] = None) -> str:
    """The client's mode (off, local or on), by the precedence of its
    status command."""
    return str(run_json(["status", "--json"], timeout=timeout, ok=(0, EXIT_USAGE)).get("Mode", "off"))


def _environment_says_off() -> bool:
    """Whether the environment turns telemetry off whatever else is set
    (DO_NOT_TRACK, INDEXPILOT_TELEMETRY_ENABLED=false): read here so that
    nothing is counted even before the client is first asked. The client
    stays the one that decides; this only spares counting what it would
    drop."""
    no = ("0", "false", "no", "off", "n")  # the client's words for no
    dnt = os.environ.get("DO_NOT_TRACK", "").strip().lower()
    enabled = os.environ.get("INDEXPILOT_TELEMETRY_ENABLED", "").strip().lower()
    return (dnt != "" and dnt not in no) or enabled in no


def _quietly(work) -> None:
    try:
        work()
    except Exception as e:  # a background hand-over must never raise into the host
        log.debug("feature usage: %s", e)


counter = Counter()
atexit.register(counter.at_exit)
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=counter.reset_after_fork)
