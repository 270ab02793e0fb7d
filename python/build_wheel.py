"""Writes the platform wheel of indexpilot-telemetry with the standard
library alone: the package, the indexpilot-telemetry binary as a script
(pip puts it on the environment's PATH), and the dist-info that PEP 427
and PEP 376 ask for (METADATA, WHEEL, RECORD with a SHA-256 per file).

scripts/build-wheel.sh builds the binary and runs this; run it yourself
with --binary PATH --out DIR. The wheel is tagged py3-none-PLATFORM for
the platform this Python runs on, the platform the binary was built for.
Entries are sorted and dated SOURCE_DATE_EPOCH (else 1980-01-01), so the
same inputs give the same bytes.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import os
import platform
import re
import sys
import sysconfig
import time
import zipfile
from typing import List, Tuple

NAME = "indexpilot-telemetry"
PACKAGE = "indexpilot_telemetry"
SUMMARY = "IndexPilot's opt-in telemetry: the indexpilot-telemetry client and its Python API"
REQUIRES_PYTHON = ">=3.9"
HERE = os.path.dirname(os.path.abspath(__file__))


def version() -> str:
    """The version _version.py gives."""
    with open(os.path.join(HERE, PACKAGE, "_version.py"), encoding="utf-8") as f:
        m = re.search(r'^__version__ = "([^"]+)"$', f.read(), re.M)
    if not m:
        sys.exit("build_wheel: no __version__ in _version.py")
    return m.group(1)


def platform_tag() -> str:
    """The wheel platform tag of this machine: sysconfig's platform with
    '-' and '.' as '_'. On macOS the architecture is the machine's own:
    the binary is built for it, not as a universal one."""
    plat = sysconfig.get_platform()
    if plat.startswith("macosx-"):
        _, release, _ = plat.split("-", 2)
        plat = f"macosx-{release}-{platform.machine()}"
    return re.sub(r"[-.]", "_", plat)


def metadata(ver: str) -> bytes:
    """METADATA (core metadata 2.1), with python/README.md as the long
    description."""
    with open(os.path.join(HERE, "README.md"), encoding="utf-8") as f:
        readme = f.read()
    head = [
        "Metadata-Version: 2.1",
        f"Name: {NAME}",
        f"Version: {ver}",
        f"Summary: {SUMMARY}",
        "Home-page: https://github.com/indexpilot/indexpilot-telemetry",
        f"Requires-Python: {REQUIRES_PYTHON}",
        "Classifier: Programming Language :: Python :: 3",
        "Classifier: Topic :: Database",
        "Description-Content-Type: text/markdown",
    ]
    return ("\n".join(head) + "\n\n" + readme).encode("utf-8")


def wheel_file(tag: str) -> bytes:
    return (
        "Wheel-Version: 1.0\n"
        "Generator: indexpilot-telemetry python/build_wheel.py\n"
        "Root-Is-Purelib: false\n"
        f"Tag: {tag}\n"
    ).encode()


def package_files() -> List[Tuple[str, str]]:
    """(path in the wheel, path on disk) of the package's files."""
    out = []
    root = os.path.join(HERE, PACKAGE)
    for name in sorted(os.listdir(root)):
        if name.endswith(".py") or name == "py.typed":
            out.append((f"{PACKAGE}/{name}", os.path.join(root, name)))
    return out


def record_line(path: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{path},sha256={digest},{len(data)}"


def build(binary: str, out: str) -> str:
    """Writes the wheel into out and returns its path."""
    ver = version()
    tag = f"py3-none-{platform_tag()}"
    dist_info = f"{PACKAGE}-{ver}.dist-info"
    exe = os.path.basename(binary)
    if exe not in ("indexpilot-telemetry", "indexpilot-telemetry.exe"):
        sys.exit(f"build_wheel: the binary must be called indexpilot-telemetry, not {exe}")
    entries: List[Tuple[str, bytes, int]] = []  # path, content, mode
    for path, disk in package_files():
        with open(disk, "rb") as f:
            entries.append((path, f.read(), 0o644))
    with open(binary, "rb") as f:
        entries.append((f"{PACKAGE}-{ver}.data/scripts/{exe}", f.read(), 0o755))
    entries.append((f"{dist_info}/METADATA", metadata(ver), 0o644))
    entries.append((f"{dist_info}/WHEEL", wheel_file(tag), 0o644))
    record = "\n".join([record_line(p, d) for p, d, _ in entries] + [f"{dist_info}/RECORD,,"]) + "\n"
    entries.append((f"{dist_info}/RECORD", record.encode(), 0o644))

    os.makedirs(out, exist_ok=True)
    wheel = os.path.join(out, f"{PACKAGE}-{ver}-{tag}.whl")
    stamp = time.gmtime(max(int(os.environ.get("SOURCE_DATE_EPOCH", "315532800")), 315532800))[:6]
    tmp = wheel + ".tmp"
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as z:
        for path, data, mode in entries:  # the dist-info last, RECORD at the end, as PEP 427 advises
            info = zipfile.ZipInfo(path, date_time=stamp)
            info.external_attr = (0o100000 | mode) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)
    os.replace(tmp, wheel)
    return wheel


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", required=True, help="the indexpilot-telemetry binary built for this machine")
    parser.add_argument("--out", default="dist", help="the folder to write the wheel into (default dist)")
    args = parser.parse_args()
    print(build(args.binary, args.out))


if __name__ == "__main__":
    main()
