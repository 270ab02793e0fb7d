"""The indexpilot-telemetry wheel as IndexPilot uses it, run inside the
fresh virtual environment it was installed into with pip --no-index, against
a real analytics service on loopback (python/wheel_test.go starts both and
runs this with `python -m unittest`).

Environment: INDEXPILOT_TEST_ENDPOINT (the service), INDEXPILOT_TEST_ADMIN
(its admin token), INDEXPILOT_TEST_HANGING (an endpoint that accepts
connections and never answers).
"""

from __future__ import annotations

import ast
import fcntl
import json
import logging
import os
import subprocess
import sys
import sysconfig
import tempfile
import time
import unittest
import urllib.error
import urllib.request

import indexpilot_telemetry as telemetry
from indexpilot_telemetry import _binary, _experiments, _usage

ENDPOINT = os.environ["INDEXPILOT_TEST_ENDPOINT"]
ADMIN = os.environ["INDEXPILOT_TEST_ADMIN"]
HANGING = os.environ["INDEXPILOT_TEST_HANGING"]
VENV_BIN = sysconfig.get_path("scripts")
BINARY = os.path.join(VENV_BIN, "indexpilot-telemetry")

# What starts a process, by audit event (sys.addaudithook).
SPAWN_EVENTS = {"subprocess.Popen", "os.posix_spawn", "os.fork", "os.forkpty", "os.exec", "os.spawn", "os.system", "os.startfile"}
_spawned = []
sys.addaudithook(lambda event, args: _spawned.append(event) if event in SPAWN_EVENTS else None)


class Installation(unittest.TestCase):
    """One IndexPilot installation: a state folder and settings of its own,
    and a fresh library state."""

    def setUp(self) -> None:
        self.dir = tempfile.mkdtemp(prefix="indexpilot-")
        self.saved = dict(os.environ)
        for name in ("DO_NOT_TRACK", "INDEXPILOT_TELEMETRY_ENABLED", "INDEXPILOT_TELEMETRY_BINARY", "SUPABASE_DB_URL"):
            os.environ.pop(name, None)
        os.environ.update(
            XDG_STATE_HOME=os.path.join(self.dir, "state"),
            INDEXPILOT_CONFIG_FILE=os.path.join(self.dir, "indexpilot_config.yaml"),
            INDEXPILOT_TELEMETRY_ENDPOINT=ENDPOINT,
            INDEXPILOT_VERSION="1.2.0",
            DB_HOST="127.0.0.1",
            DB_PORT="1",  # nothing listens: the reports hold the version, the environment and the switches
        )
        _usage.counter.__init__()
        _experiments.experiments.__init__()

    def tearDown(self) -> None:
        os.environ.clear()
        os.environ.update(self.saved)

    def client(self, *args: str) -> str:
        """Runs the installed client, as a user would."""
        return subprocess.run([BINARY, *args], check=True, capture_output=True, text=True, timeout=60).stdout

    def export(self) -> dict:
        return json.loads(self.client("export"))

    def state_files(self) -> list:
        out = []
        for root, _, files in os.walk(os.path.join(self.dir, "state")):
            out += [os.path.join(root, f) for f in files]
        return out


def admin_get(path: str) -> dict:
    req = urllib.request.Request(ENDPOINT + path, headers={"Authorization": "Bearer " + ADMIN})
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.load(r)


def admin_post(path: str, body: dict) -> None:
    """POSTs body as an admin; an existing resource (409) is fine."""
    req = urllib.request.Request(ENDPOINT + path, data=json.dumps(body).encode(), method="POST",
                                 headers={"Authorization": "Bearer " + ADMIN, "Content-Type": "application/json"})
    try:
        urllib.request.urlopen(req, timeout=10).close()
    except urllib.error.HTTPError as e:
        if e.code != 409:
            raise


class TestInstall(Installation):
    def test_binary_on_the_venvs_path(self) -> None:
        self.assertTrue(os.access(BINARY, os.X_OK), BINARY)
        self.assertEqual(_binary.find_binary(), BINARY)
        out = subprocess.run(["indexpilot-telemetry", "help"], env=dict(os.environ, PATH=VENV_BIN), capture_output=True, text=True)
        self.assertEqual(out.returncode, 0)
        self.assertIn("feature-usage", out.stdout)

    def test_modules_are_python_3_9(self) -> None:
        root = os.path.dirname(telemetry.__file__)
        for name in sorted(os.listdir(root)):
            if name.endswith(".py"):
                with open(os.path.join(root, name), encoding="utf-8") as f:
                    ast.parse(f.read(), name, feature_version=(3, 9))


class TestOffByDefault(Installation):
    def test_nothing_counted_written_or_sent(self) -> None:
        before = admin_get("/api/v1/dashboard/stats")["total_installations"]
        self.assertFalse(telemetry.is_telemetry_enabled())
        for _ in range(100):
            telemetry.track_feature_usage("auto_indexing", True)
        self.assertEqual(_usage.counter._counts, {})
        self.assertFalse(telemetry.send_telemetry())
        telemetry.report_error(ValueError("x"))
        telemetry.flush_feature_usage()
        self.assertEqual(self.state_files(), [])
        self.assertEqual(admin_get("/api/v1/dashboard/stats")["total_installations"], before)

    def test_do_not_track_counts_nothing_before_asking(self) -> None:
        os.environ["DO_NOT_TRACK"] = "1"
        _spawned.clear()
        telemetry.track_feature_usage("auto_indexing", True)
        self.assertEqual(_usage.counter._counts, {})
        self.assertEqual(_spawned, [])


class TestFeatureUsage(Installation):
    def test_a_thousand_calls_start_no_process_and_arrive_exactly(self) -> None:
        self.client("on")
        self.assertTrue(telemetry.is_telemetry_enabled())
        _spawned.clear()
        start = time.perf_counter()
        for i in range(1000):
            telemetry.track_feature_usage("auto_indexing", i % 10 != 0)
            if i % 4 == 0:
                telemetry.track_feature_usage("qpg", i % 8 == 0)
        elapsed = time.perf_counter() - start
        self.assertEqual(_spawned, [], "track_feature_usage started a process")
        self.assertLess(elapsed, 1.0)
        self.assertEqual(self.state_files_named("feature_usage.json"), [], "track_feature_usage wrote a file")
        self.assertTrue(telemetry.send_telemetry())
        stored = [r["report"]["metrics"].get("feature_usage") for r in self.export()["reports"]]
        self.assertEqual(stored, [{"auto_indexing": {"uses": 1000, "successes": 900}, "qpg": {"uses": 250, "successes": 125}}])
        self.assertEqual(json.loads(self.client("feature-usage")), {}, "the counts stayed after the report")

    def test_counts_are_handed_over_in_the_background_once_due(self) -> None:
        self.client("on")
        self.assertTrue(telemetry.is_telemetry_enabled())
        telemetry.track_feature_usage("auto_indexing", True)
        _usage.counter._last_flush -= _usage.FLUSH_INTERVAL  # a minute has passed
        telemetry.track_feature_usage("auto_indexing", False)
        _usage.counter._worker.join(30)
        self.assertEqual(json.loads(self.client("feature-usage")), {"auto_indexing": {"uses": 2, "successes": 1}})

    def test_without_consent_to_version_3_nothing_is_kept(self) -> None:
        os.environ["INDEXPILOT_TELEMETRY_ENABLED"] = "true"  # IndexPilot's setting: consents to schema version 1
        self.assertTrue(telemetry.is_telemetry_enabled())
        telemetry.track_feature_usage("auto_indexing", True)
        telemetry.flush_feature_usage()
        self.assertEqual(json.loads(self.client("feature-usage")), {})
        telemetry.track_feature_usage("auto_indexing", True)
        self.assertEqual(_usage.counter._counts, {}, "counting went on after the client said no")

    def test_bad_names_are_dropped_and_logged(self) -> None:
        self.client("on")
        with self.assertLogs("indexpilot_telemetry", logging.DEBUG) as logs:
            for name in ("Auto Indexing", "auto-indexing", "x" * 65, "", None, 42, "9lives"):
                telemetry.track_feature_usage(name, True)  # type: ignore[arg-type]
        self.assertEqual(len(logs.records), 7)
        self.assertTrue(all(r.levelno == logging.DEBUG and "dropped" in r.getMessage() for r in logs.records))
        self.assertEqual(_usage.counter._counts, {})
        with self.assertRaises(telemetry.TelemetryError):
            telemetry.track_feature_usage("Bad Name", True, strict=True)

    def test_a_forked_child_starts_from_no_counts(self) -> None:
        self.client("on")
        telemetry.track_feature_usage("auto_indexing", True)
        pid = os.fork()
        if pid == 0:
            os._exit(0 if _usage.counter._counts == {} else 1)
        _, status = os.waitpid(pid, 0)
        self.assertEqual(os.waitstatus_to_exitcode(status), 0)
        self.assertEqual(_usage.counter._counts, {"auto_indexing": [1, 1]})

    def state_files_named(self, name: str) -> list:
        return [f for f in self.state_files() if os.path.basename(f) == name]


def chained_error() -> RuntimeError:
    """A RuntimeError raised from a ConnectionError, both carrying secrets."""

    def connect() -> None:
        raise ConnectionError("could not connect: password=hunter2 host=db.internal.example.com")

    try:
        try:
            connect()
        except ConnectionError as cause:
            raise RuntimeError("CREATE INDEX on orders failed for alice@example.com: password=hunter2") from cause
    except RuntimeError as e:
        return e
    raise AssertionError("unreachable")


class TestErrorReports(Installation):
    def test_a_chained_exception_arrives_scrubbed_and_grouped(self) -> None:
        self.client("on")
        for _ in range(2):
            telemetry.report_error(chained_error(), {"component": "auto_indexer", "table_name": "orders", "query": "SELECT 1"})
        reports = self.export()["error_reports"]
        self.assertEqual(len(reports), 2)
        self.assertEqual(reports[0]["group"], reports[1]["group"])
        sent = json.dumps(reports)
        for secret in ("hunter2", "alice@example.com", "orders", "db.internal.example.com", "SELECT 1"):
            self.assertNotIn(secret, sent)
        r = reports[0]["report"]
        self.assertEqual(r["error_type"], "RuntimeError")
        self.assertIn("[table]", r["message"])
        self.assertEqual(r["context"], {"component": "auto_indexer"})
        self.assertIn("chained_error", [f["function"] for f in r["frames"]])
        groups = [g for g in admin_get("/api/v1/errors/groups?days=1")["groups"] if g["fingerprint"] == reports[0]["group"]]
        self.assertEqual(len(groups), 1)
        self.assertGreaterEqual(groups[0]["count"], 2)

    def test_a_context_the_client_refuses_does_not_cost_the_report(self) -> None:
        self.client("on")
        telemetry.report_error(chained_error(), {"component": "Not A Word!"})
        self.assertEqual(len(self.export()["error_reports"]), 1)

    def test_an_exception_never_raised_is_reported_by_type_and_message(self) -> None:
        self.client("on")
        telemetry.report_error(KeyError("index_build"))
        r = self.export()["error_reports"][0]["report"]
        self.assertEqual(r["error_type"], "KeyError")

    def test_the_excepthook_reports_then_calls_the_previous_hook(self) -> None:
        self.client("on")
        program = "import indexpilot_telemetry as t\nt.install_excepthook()\nt.install_excepthook()\nraise LookupError('no such index')\n"
        run = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=60)
        self.assertEqual(run.returncode, 1)
        self.assertIn("LookupError: no such index", run.stderr)  # the previous hook printed it
        reports = self.export()["error_reports"]
        self.assertEqual([r["report"]["error_type"] for r in reports], ["LookupError"])


class TestReadme(Installation):
    def test_the_ten_lines_work(self) -> None:
        with open(os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "README.md"), encoding="utf-8") as f:
            block = f.read().split("```python\n", 1)[1].split("```", 1)[0]
        self.client("on")
        names: dict = {}
        exec(compile(block, "README.md", "exec"), names)
        self.assertEqual(names["tracked"]("auto_indexing", lambda n: n * 2, 21), 42)
        with self.assertRaises(ZeroDivisionError):
            names["tracked"]("auto_indexing", lambda: 1 / 0, context={"component": "auto_indexer", "table_name": "orders"})
        self.assertEqual(_usage.counter._counts, {"auto_indexing": [2, 1]})
        self.assertEqual([r["report"]["error_type"] for r in self.export()["error_reports"]], ["ZeroDivisionError"])


class TestNeverHurtsTheHost(Installation):
    def test_a_hanging_endpoint_does_not_delay_past_the_deadline(self) -> None:
        self.client("on")
        os.environ["INDEXPILOT_TELEMETRY_ENDPOINT"] = HANGING
        for call in (
            lambda: self.assertFalse(telemetry.send_telemetry(timeout=2)),
            lambda: telemetry.report_error(chained_error(), timeout=2),
        ):
            start = time.monotonic()
            call()
            # The client's own deadline is 5 s per request: only the
            # package's deadline (2 s, and the kill) ends the call sooner.
            self.assertLess(time.monotonic() - start, 4.5)

    def test_a_busy_state_folder_costs_one_deadline(self) -> None:
        # Another process (a `run` uploading, say) holds the state folder's
        # lock: the hand-over of the counts waits for it, and the send after
        # it gets only what is left of the one deadline.
        self.client("on")
        telemetry.track_feature_usage("auto_indexing", True)
        with open(os.path.join(self.dir, "state", "indexpilot", "telemetry", "lock"), "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            start = time.monotonic()
            self.assertFalse(telemetry.send_telemetry(timeout=3))
            self.assertLess(time.monotonic() - start, 5)  # two deadlines would be 6 s
        self.assertEqual(_usage.counter._counts, {"auto_indexing": [1, 1]}, "the counts were not kept for the next hand-over")

    def test_nothing_raises_without_a_client(self) -> None:
        os.environ["INDEXPILOT_TELEMETRY_BINARY"] = os.path.join(self.dir, "missing")
        self.assertFalse(telemetry.is_telemetry_enabled())
        self.assertEqual(telemetry.collect_usage_stats(), {})
        self.assertFalse(telemetry.send_telemetry({"anything": 1}))
        telemetry.report_error(chained_error())
        telemetry.report_error("not an exception")  # type: ignore[arg-type]
        telemetry.install_excepthook()
        telemetry.flush_feature_usage()
        self.assertIsNone(telemetry.experiment_variant("cert_threshold_v2"))
        self.assertIsNone(telemetry.track_ab_test("cert_threshold_v2", "control", {"latency_ms": 3}))
        with self.assertRaises(telemetry.TelemetryError):
            telemetry.send_telemetry(strict=True)

    def test_collect_usage_stats_is_the_preview(self) -> None:
        self.client("on")
        telemetry.track_feature_usage("auto_indexing", True)
        stats = telemetry.collect_usage_stats()
        self.assertEqual(stats["metrics"]["feature_usage"], {"auto_indexing": {"uses": 1, "successes": 1}})
        self.assertEqual(stats["version"], "1.2.0")
        self.assertEqual(json.loads(self.client("feature-usage")), {"auto_indexing": {"uses": 1, "successes": 1}},
                         "preview took the counts")


class TestExperiments(Installation):
    def test_the_installed_client(self) -> None:
        admin_post("/api/v1/experiments", {"name": "python_package_v2", "variants": ["control", "treatment"],
                                           "metric": "performance_improvement_pct", "higher_is_better": True, "min_effect": 1.0})
        self.client("on")  # the client fetches the running experiments only with telemetry on
        variant = telemetry.experiment_variant("python_package_v2")
        listed = json.loads(self.client("experiments", "--json"))["experiments"]
        self.assertIn(variant, ("control", "treatment"))
        self.assertEqual([(e["name"], e["variant"]) for e in listed if e["name"] == "python_package_v2"], [("python_package_v2", variant)])
        self.assertIsNone(telemetry.experiment_variant("not_running"))
        with self.assertLogs("indexpilot_telemetry", logging.DEBUG):
            other = "treatment" if variant == "control" else "control"
            self.assertEqual(telemetry.track_ab_test("python_package_v2", other, {"latency_ms": 3.5}), variant)

    def test_the_experiments_contract(self) -> None:
        fake = os.path.join(self.dir, "indexpilot-telemetry")
        answer = {"experiments": [{"name": "cert_threshold_v2", "variant": "treatment", "variants": ["control", "treatment"]}]}
        with open(fake, "w") as f:
            f.write("#!/bin/sh\n[ \"$*\" = 'experiments --json' ] || exit 2\necho '%s'\n" % json.dumps(answer))
        os.chmod(fake, 0o755)
        os.environ["INDEXPILOT_TELEMETRY_BINARY"] = fake
        self.assertEqual(telemetry.experiment_variant("cert_threshold_v2"), "treatment")
        self.assertIsNone(telemetry.experiment_variant("other"))
        with self.assertLogs("indexpilot_telemetry", logging.DEBUG):
            self.assertEqual(telemetry.track_ab_test("cert_threshold_v2", "control", {"x": 1}), "treatment")


if __name__ == "__main__":
    unittest.main()
