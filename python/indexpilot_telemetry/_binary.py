"""Finding the indexpilot-telemetry binary and running it with a deadline.

Every call into the binary goes through run(): a subprocess whose input,
output and lifetime are bounded. It raises TelemetryError for every
failure (missing binary, deadline, exit status, unreadable answer); the
public functions decide whether that reaches the caller.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import time
from typing import Any, Optional, Sequence

#: The deadline of one call into the binary, in seconds, unless the caller
#: or INDEXPILOT_TELEMETRY_TIMEOUT gives another. A send makes up to two
#: requests of at most 5 s each.
DEFAULT_TIMEOUT = 10.0

# Exit statuses of the binary (indexpilot-telemetry help).
EXIT_USAGE = 2

_NAME = "indexpilot-telemetry" + (".exe" if os.name == "nt" else "")


class TelemetryError(Exception):
    """A call into the telemetry client failed: raised only to callers that
    ask for errors (strict=True); everyone else gets a debug log line.
    exit_status is the client's exit status, or None when it did not
    finish."""

    def __init__(self, message: str, exit_status: Optional[int] = None) -> None:
        super().__init__(message)
        self.exit_status = exit_status


def find_binary() -> Optional[str]:
    """Returns the path of the indexpilot-telemetry binary: the one
    INDEXPILOT_TELEMETRY_BINARY names, else the one this package's wheel
    installed beside the interpreter's scripts (or the user's, or those of a
    --target folder), else the first on PATH; None when there is none."""
    override = os.environ.get("INDEXPILOT_TELEMETRY_BINARY")
    if override:
        return override
    folders = [sysconfig.get_path("scripts")]
    user_scheme = sysconfig.get_preferred_scheme("user") if sys.version_info >= (3, 10) else os.name + "_user"
    try:
        folders.append(sysconfig.get_path("scripts", scheme=user_scheme))
    except KeyError:  # an interpreter without a user scheme
        pass
    folders.append(os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "bin"))
    for folder in folders:
        path = os.path.join(folder, _NAME)
        if os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    return shutil.which(_NAME)


def timeout_of(timeout: Optional[float]) -> float:
    """The deadline to use: the caller's, else INDEXPILOT_TELEMETRY_TIMEOUT,
    else DEFAULT_TIMEOUT."""
    if timeout is not None:
        return float(timeout)
    try:
        value = float(os.environ.get("INDEXPILOT_TELEMETRY_TIMEOUT", ""))
    except ValueError:
        return DEFAULT_TIMEOUT
    return value if value > 0 else DEFAULT_TIMEOUT


class Budget:
    """One deadline shared by the calls of one function: the second call
    gets what the first left, so the caller never waits past it."""

    def __init__(self, timeout: Optional[float]) -> None:
        self.end = time.monotonic() + timeout_of(timeout)

    def left(self) -> float:
        """The seconds left; TelemetryError when none are."""
        left = self.end - time.monotonic()
        if left <= 0:
            raise TelemetryError("the deadline passed")
        return left


def run(
    args: Sequence[str], *, input: Optional[bytes] = None, timeout: Optional[float] = None, ok: Sequence[int] = (0,)
) -> subprocess.CompletedProcess:
    """Runs the binary with args and returns its completed process, whose
    exit status is one of ok. The process is killed at the deadline."""
    binary = find_binary()
    if binary is None:
        raise TelemetryError(
            "the indexpilot-telemetry binary was not found: install the indexpilot-telemetry wheel for this platform"
        )
    deadline = timeout_of(timeout)
    try:
        done = subprocess.run(
            [binary, *args],
            input=input,
            stdin=None if input is not None else subprocess.DEVNULL,
            capture_output=True,
            timeout=deadline,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise TelemetryError(f"indexpilot-telemetry {args[0]} did not finish within {deadline:g} s; it was stopped") from None
    except OSError as e:
        raise TelemetryError(f"indexpilot-telemetry {args[0]} could not be started: {e}") from None
    if done.returncode not in ok:
        raise TelemetryError(
            f"indexpilot-telemetry {args[0]} exited {done.returncode}: {_first_line(done.stderr)}", done.returncode
        )
    return done


def run_json(args: Sequence[str], **kwargs: Any) -> Any:
    """Runs the binary and parses its standard output as JSON."""
    done = run(args, **kwargs)
    try:
        return json.loads(done.stdout)
    except ValueError:
        raise TelemetryError(f"indexpilot-telemetry {args[0]} did not answer JSON") from None


def _first_line(data: bytes) -> str:
    text = data.decode("utf-8", "replace").strip()
    return text.splitlines()[0] if text else "no message"
