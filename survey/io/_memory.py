"""Bounded memory: refuse a workbook whose sheet would need more memory than the budget.

calamine (through fastexcel) inflates the whole sheet part and holds every cell before
polars gets a frame, so its peak memory grows with the sheet XML's uncompressed size,
which the zip central directory declares before anything is inflated.  Measured with
``benchmarks/bench_reader_memory.py`` (survey-like sheets, inline or shared strings; peak
resident memory of ``read_table`` above the ``import survey.io`` baseline):

====================  =======  =======  =======  =======
sheet XML (MB)           5       20       60      150
peak / XML, inline      4.5     1.9      1.9      1.9
peak / XML, shared      4.2     2.3      1.5      1.5
====================  =======  =======  =======  =======

The small sheets' ratio is a fixed cost (about 20 MB).  The estimate is
``64 MB + 3 x (sheet XML + sharedStrings.xml)``: above every measured case.

The budget is ``Limits.max_memory_bytes`` (``--max-memory MB``), by default half of the
memory this process can still get: the least of the machine's available memory
(``MemAvailable``), the cgroup's limit less its usage (containers), and the address-space
limit (``ulimit -v``) less what the process already maps.  Refusing before the reader runs
turns what would be an allocation failure, an OOM kill or a Rust abort into exit 2 and one
line.  Residual risk, as for the bomb checks: a zip that lies about an entry's size.
"""

from __future__ import annotations

import os
import re
import resource
import zipfile

from survey.io._model import Limits
from survey.io._util import human_size, unreadable

__all__ = ["FACTOR", "FIXED_BYTES", "check_sheet_memory", "default_budget", "estimate_peak"]

FACTOR = 3.0
"""Peak memory of the reader per byte of sheet XML (plus shared strings), measured 1.5-2.3."""
FIXED_BYTES = 64 * 1024**2
"""The reader's fixed cost above the process baseline (measured about 20 MB), with margin."""
SHARE = 0.5
"""Share of the memory still available that the reader may use by default."""


def estimate_peak(xml_bytes: int) -> int:
    """The reader's estimated peak memory for ``xml_bytes`` of sheet and shared-strings XML.

    >>> estimate_peak(100 * 1024**2) // 1024**2
    364
    """
    return int(FIXED_BYTES + FACTOR * xml_bytes)


def _read_int(path: str) -> int | None:
    try:
        with open(path, encoding="ascii") as fh:
            text = fh.read().strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


def _meminfo_available() -> int | None:
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            m = re.search(r"^MemAvailable:\s+(\d+) kB", fh.read(), re.MULTILINE)
    except OSError:
        return None
    return int(m.group(1)) * 1024 if m else None


def _cgroup_room() -> int | None:
    limit = _read_int("/sys/fs/cgroup/memory.max")                       # cgroup v2
    usage = _read_int("/sys/fs/cgroup/memory.current")
    if limit is None:
        limit = _read_int("/sys/fs/cgroup/memory/memory.limit_in_bytes")  # v1
        usage = _read_int("/sys/fs/cgroup/memory/memory.usage_in_bytes")
        if limit is not None and limit >= 2**60:
            limit = None                                                  # v1's "unlimited"
    if limit is None:
        return None
    return max(limit - (usage or 0), 0)


def _address_space_room() -> int | None:
    soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    if soft == resource.RLIM_INFINITY:
        return None
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            m = re.search(r"^VmSize:\s+(\d+) kB", fh.read(), re.MULTILINE)
    except OSError:
        m = None
    mapped = int(m.group(1)) * 1024 if m else 0
    return max(soft - mapped, 0)


def default_budget() -> int | None:
    """Half of the memory this process can still get (see the module docstring); None when
    the platform tells nothing (then only ``--max-memory`` bounds the reader)."""
    rooms = [r for r in (_meminfo_available(), _cgroup_room(), _address_space_room()) if r is not None]
    if not rooms and hasattr(os, "sysconf"):
        try:
            rooms = [os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")]
        except (ValueError, OSError):
            rooms = []
    return int(SHARE * min(rooms)) if rooms else None


def check_sheet_memory(path: str, part: str | None, limits: Limits, what: str) -> None:
    """Refuse (exit 2, one line naming ``--max-memory``) when reading sheet part ``part``
    is estimated to need more memory than the budget."""
    if part is None:
        return
    try:
        with zipfile.ZipFile(path) as zf:
            names = zf.NameToInfo
            xml = names[part].file_size if part in names else 0
            sst = names["xl/sharedStrings.xml"].file_size if "xl/sharedStrings.xml" in names else 0
    except (zipfile.BadZipFile, OSError):
        return  # the zip checks report it
    need = estimate_peak(xml + sst)
    budget = limits.max_memory_bytes
    source = "--max-memory"
    if budget is None:
        budget = default_budget()
        source = "half of the memory available"
        if budget is None:
            return
    if need > budget:
        raise unreadable(
            f"reading {what} would need about {human_size(need)} of memory (its XML expands to "
            f"{human_size(xml + sst)}), over the budget of {human_size(budget)} ({source}); "
            "if this file is genuine and the machine has the memory, raise it with --max-memory MB",
            path,
        )
