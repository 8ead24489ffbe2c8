"""File-system primitives of the store: durable atomic writes, hashing and the lock."""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import IO

from survey._files import TMP_PREFIX, atomic_writer, file_sha256, fsync_dir
from survey._meta import utc_now
from survey.errors import StoreError

__all__ = ["TMP_PREFIX", "StoreLock", "file_sha256", "fsync_dir", "write_atomic"]

_pause = time.sleep  # between tries for a busy lock (a seam for tests)
_FIRST_STEP = 0.05   # seconds before the second try; doubled up to 1 s

def write_atomic(path: str | Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically and durably (see :func:`atomic_writer`)."""
    with atomic_writer(path) as fh:
        fh.write(data)


class StoreLock:
    """An exclusive ``flock`` on ``<store>/.lock`` for writers.

    The operating system drops the lock when its process ends, even by ``kill -9``, so a
    stale lock file never blocks anyone.  A second writer gets :class:`StoreError`
    naming the holder's pid and start time, at once (``wait=0``, the default) or after
    waiting up to ``wait`` seconds for the holder to finish (scripted loads of many
    waves into one store).  ``on_wait(holder)`` is called once when the wait begins.
    """

    def __init__(self, root: Path, *, action: str, wait: float = 0.0,
                 on_wait: Callable[[str], None] | None = None) -> None:
        if not wait >= 0:
            raise StoreError(f"the wait for the store's lock must be 0 or more seconds, got {wait}",
                             hint="give --wait SECONDS, e.g. --wait 600")
        self.path = root / ".lock"
        self.action = action
        self.wait = float(wait)
        self.on_wait = on_wait
        self._fh: IO[str] | None = None

    def __enter__(self) -> StoreLock:
        fh = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115 - held until __exit__
        deadline = time.monotonic() + self.wait
        step = _FIRST_STEP
        while True:
            try:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                left = deadline - time.monotonic()
                if left <= 0:
                    holder = self._holder(fh)
                    fh.close()
                    waited = f" (waited {self.wait:g} s)" if self.wait else ""
                    raise StoreError(
                        f"the store is busy: {holder}{waited}",
                        location=str(self.path.parent),
                        hint="wait until that command finishes and run this one again, or give "
                             "--wait SECONDS to wait for it (the lock frees itself when its "
                             "process ends)",
                    ) from None
                if self.on_wait is not None and step == _FIRST_STEP:
                    self.on_wait(self._holder(fh))  # once, before the first pause
                _pause(min(step, left))
                step = min(step * 2, 1.0)
        fh.seek(0)
        fh.truncate()
        fh.write(f"{self.action} (pid {os.getpid()}, since {utc_now()})\n")
        fh.flush()
        self._fh = fh
        return self

    @staticmethod
    def _holder(fh: IO[str]) -> str:
        fh.seek(0)
        return fh.read().strip() or "another process"

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        fh = self._fh
        if fh is not None:
            fh.truncate(0)
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
            fh.close()
            self._fh = None
