"""Durable atomic file writes, shared by every layer that writes files."""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

__all__ = ["TMP_PREFIX", "atomic_writer", "file_sha256", "fsync_dir", "umask_mode"]

TMP_PREFIX = ".tmp-"
"""Files being written carry this prefix beside their target; a crash leaves at most one."""


def file_sha256(path: str | Path) -> str:
    """SHA-256 of a file's bytes, hex, read in 1 MiB blocks (never the whole file at once)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def fsync_dir(path: str | Path) -> None:
    """Make a directory's entries (a rename, a new file) durable."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def umask_mode() -> int:
    """The mode a new file gets under the process's umask (``0o666 & ~umask``): 0o644
    under the common umask 022, 0o640 under 027.

    ``tempfile.mkstemp`` creates files 0600 whatever the umask; an atomic write would
    otherwise leave every output unreadable to the group a user shares it with.
    """
    try:  # Linux 4.7+: read without changing it (os.umask is process-wide)
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return 0o666 & ~int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o077)
    os.umask(mask)
    return 0o666 & ~mask


@contextlib.contextmanager
def atomic_writer(path: str | Path) -> Iterator[BinaryIO]:
    """Write ``path`` through a temporary file: flush, fsync, rename, fsync the directory.

    A reader sees the old file or the new one, never a part; an error removes the
    temporary file and leaves the target as it was. The file gets the mode ``open()``
    would give it under the user's umask (:func:`umask_mode`).
    """
    target = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f"{TMP_PREFIX}{target.name}.", dir=target.parent)
    try:
        os.fchmod(fd, umask_mode())  # as open() would create it; keys are written elsewhere
        with os.fdopen(fd, "wb") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    fsync_dir(target.parent)
