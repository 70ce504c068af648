"""The tick lock: a non-blocking file lock next to the database, so two ticks never overlap."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import filelock

from audiowatch.errors import LockHeld


def lock_path_for(database_path: Path) -> Path:
    return database_path.with_name(database_path.name + ".lock")


@contextmanager
def hold(path: Path) -> Iterator[None]:
    """Hold the lock at ``path`` for the block, or raise LockHeld at once if another holds it.

    The lock is a kernel flock(): it is released when the process dies, even by SIGKILL, so
    the empty file left behind is never a stale lock (reference §0 item 5).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = filelock.FileLock(str(path))
    try:
        lock.acquire(blocking=False)
    except filelock.Timeout:
        raise LockHeld(path) from None
    try:
        yield
    finally:
        lock.release()
