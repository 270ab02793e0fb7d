"""Fleet experiments: this installation's variant of each experiment the
maintainers run, from `indexpilot-telemetry experiments --json`, which
prints {"experiments": [{"name": …, "variant": …, "variants": […]}]}
(an empty list when none, exit 0 even offline)."""

from __future__ import annotations

import threading
import time
from typing import Dict, Optional

from ._binary import run_json

#: Seconds an answer is used before the client is asked again: the
#: assignment is stable, and the client refreshes its list at most daily.
CACHE_SECONDS = 600.0


class Experiments:
    """This installation's assignments, asked of the client at most every
    CACHE_SECONDS."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._variants: Optional[Dict[str, str]] = None
        self._fetched = 0.0

    def variant(self, name: str, timeout: Optional[float]) -> Optional[str]:
        """The variant of experiment name, or None when it is not running;
        raises TelemetryError when the client cannot tell."""
        with self._lock:
            if self._variants is None or time.monotonic() - self._fetched >= CACHE_SECONDS:
                # A failure is not asked again for CACHE_SECONDS either: no
                # experiment is then running, as far as the host knows.
                self._variants, self._fetched = {}, time.monotonic()
                answer = run_json(["experiments", "--json"], timeout=timeout)
                self._variants = {
                    str(e["name"]): str(e["variant"])
                    for e in answer.get("experiments") or []
                    if isinstance(e, dict) and e.get("name") and e.get("variant")
                }
            return self._variants.get(name)


experiments = Experiments()
