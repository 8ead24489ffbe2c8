"""What provenance records say about the run: the toolkit's version and the time."""

from __future__ import annotations

import datetime as dt

__all__ = ["toolkit_version", "utc_now"]


def toolkit_version() -> str:
    """The installed ``survey`` version (``0.0.0+source`` from a bare source tree).

    ``importlib.metadata`` is imported here, on demand: it costs about 70 ms of start-up.
    """
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("survey")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "0.0.0+source"


def utc_now() -> str:
    """Current time, UTC, ISO 8601 with a ``Z`` (seconds precision)."""
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")
