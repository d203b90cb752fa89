"""Which workers of a SQLite store are alive: a lock file per worker, which the system releases when its process dies.

(PostgreSQL workers hold an advisory lock on the server instead: see `Outbox.worker_lease`.) The lock files sit
next to the database (`megaapi.db-workers/`), so every process on the machine sees every worker of that file. Where
there is no `fcntl` (Windows) or no file (an in-memory database), only this process's own workers are known: such a
store is then for one process at a time.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_LIVE: set[int] = set()
_LOCK = threading.Lock()


class Liveness:
    def __init__(self, database: str | None) -> None:
        usable = sys.platform != "win32" and database not in (None, "", ":memory:")
        self.folder = Path(f"{database}-workers") if usable else None

    @contextmanager
    def hold(self, worker: int) -> Iterator[None]:
        """Mark `worker` alive for the block (and, with lock files, for as long as its process lives)."""
        with _LOCK:
            _LIVE.add(worker)
        path = None if self.folder is None else self.folder / f"{worker}.lock"
        try:
            if path is None or sys.platform == "win32":
                yield
                return
            import fcntl

            path.parent.mkdir(exist_ok=True)
            with path.open("w") as handle:
                fcntl.flock(handle, fcntl.LOCK_EX)
                try:
                    yield
                finally:
                    path.unlink(missing_ok=True)
        finally:
            with _LOCK:
                _LIVE.discard(worker)

    def is_alive(self, worker: int) -> bool:
        with _LOCK:
            if worker in _LIVE:
                return True
        if self.folder is None or sys.platform == "win32":
            return False
        import fcntl

        try:
            handle = (self.folder / f"{worker}.lock").open("a")
        except FileNotFoundError:
            return False
        with handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return True
            fcntl.flock(handle, fcntl.LOCK_UN)
        return False

    def forget(self, worker: int) -> None:
        """Remove the lock file a dead worker left behind."""
        if self.folder is not None:
            (self.folder / f"{worker}.lock").unlink(missing_ok=True)
