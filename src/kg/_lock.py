"""The advisory lock that keeps one writer or one server on an embedded store at a time.

Kept apart from :mod:`kg.store` so the query workers can use it without importing rdflib.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import StoreError

__all__ = ["is_serving", "serve_lock_path", "serving_lock"]


def serve_lock_path(store: str | os.PathLike[str]) -> Path:
    """The serve lock file of a store: ``.<store-name>.serve.lock`` beside the store directory."""
    path = Path(store).resolve()
    return path.parent / f".{path.name}.serve.lock"


@contextmanager
def serving_lock(store: str | os.PathLike[str]) -> Iterator[Path]:
    """Hold the store's exclusive advisory lock (``flock``) for the duration of the block.

    ``kg serve`` holds it while it serves; ``kg build`` holds it while it writes, so the two
    exclude each other. The kernel drops the lock when its process dies, so it never goes stale.

    :raises StoreError: if another process (or another holder in this one) has the lock

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     with serving_lock(f"{tmp}/store") as lock:
    ...         is_serving(f"{tmp}/store"), lock.name
    (True, '.store.serve.lock')
    """
    lock_path = serve_lock_path(store)
    try:
        lock_path.parent.mkdir(parents=True, exist_ok=True)
        handle = lock_path.open("a+")
    except OSError as error:
        raise StoreError(f"{store}: cannot create the serve lock {lock_path}: {error}") from error
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise StoreError(
                f"{store}: the store is in use by another process (lock {lock_path}); "
                "stop `kg serve` (or wait for the build) and try again"
            ) from None
        try:
            yield lock_path
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def is_serving(store: str | os.PathLike[str]) -> bool:
    """Whether some process holds :func:`serving_lock` on ``store`` right now."""
    lock_path = serve_lock_path(store)
    if not lock_path.exists():
        return False
    with lock_path.open("a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
        return False
