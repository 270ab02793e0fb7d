"""The version of the package, which scripts/build-wheel.sh writes into the wheel."""

__version__ = "0.1.0"
