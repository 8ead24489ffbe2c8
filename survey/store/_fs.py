"""File-system primitives of the store: durable atomic writes, hashing and the lock."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from types import TracebackType
from typing import IO

from survey._files import TMP_PREFIX, atomic_writer, file_sha256, fsync_dir
from survey._meta import utc_now
from survey.errors import StoreError

__all__ = ["TMP_PREFIX", "StoreLock", "file_sha256", "fsync_dir", "write_atomic"]

def write_atomic(path: str | Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically and durably (see :func:`atomic_writer`)."""
    with atomic_writer(path) as fh:
        fh.write(data)


class StoreLock:
    """An exclusive, non-blocking ``flock`` on ``<store>/.lock`` for writers.

    The operating system drops the lock when its process ends, even by ``kill -9``, so a
    stale lock file never blocks anyone.  A second writer gets :class:`StoreError`
    naming the holder's pid and start time.
    """

    def __init__(self, root: Path, *, action: str) -> None:
        self.path = root / ".lock"
        self.action = action
        self._fh: IO[str] | None = None

    def __enter__(self) -> StoreLock:
        fh = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115 - held until __exit__
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            holder = fh.read().strip() or "another process"
            fh.close()
            raise StoreError(
                f"the store is busy: {holder}",
                location=str(self.path.parent),
                hint="wait until that command finishes and run this one again "
                     "(the lock frees itself when its process ends)",
            ) from None
        fh.seek(0)
        fh.truncate()
        fh.write(f"{self.action} (pid {os.getpid()}, since {utc_now()})\n")
        fh.flush()
        self._fh = fh
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        fh = self._fh
        if fh is not None:
            fh.truncate(0)
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
            fh.close()
            self._fh = None
