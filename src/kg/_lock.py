"""The advisory locks of an embedded store: one server, one build at a time.

* The *serve lock* (``.<store-name>.serve.lock`` beside the store directory) is held by
  ``kg serve`` for as long as it serves, and by a ``kg build`` that writes the store in place.
* The *build lock* (``.<store-name>.build.lock``) is held by every ``kg build`` (and by the
  server while it applies a SPARQL update), so two writers never meet; a build beside a
  server writes a new generation of the store instead (:mod:`kg.generations`).

Both are ``flock`` locks: the kernel drops them when their process dies, so they never go
stale. Kept apart from :mod:`kg.store` so the query workers can use it without importing
rdflib.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from .errors import StoreError

__all__ = [
    "build_lock_path",
    "building_lock",
    "is_serving",
    "serve_lock_path",
    "serving_lock",
    "serving_lock_if_free",
]


def serve_lock_path(store: str | os.PathLike[str]) -> Path:
    """The serve lock file of a store: ``.<store-name>.serve.lock`` beside the store directory."""
    path = Path(store).absolute()
    # not resolve(): the store may be a symlink to its current generation, and the lock
    # must keep one name across generations
    path = path.resolve() if path.name in ("", ".", "..") else path.parent.resolve() / path.name
    return path.parent / f".{path.name}.serve.lock"


def build_lock_path(store: str | os.PathLike[str]) -> Path:
    """The build lock file of a store: ``.<store-name>.build.lock`` beside the store."""
    lock = serve_lock_path(store)
    return lock.with_name(lock.name.removesuffix(".serve.lock") + ".build.lock")


def _try_lock(store: str | os.PathLike[str], lock_path: Path) -> IO[str] | None:
    """The open lock file, locked exclusively; ``None`` when another holder has it.

    :raises StoreError: when the lock file cannot be created
    """
    try:
        lock_path.parent.mkdir(parents=True, exist_ok=True)
        handle = lock_path.open("a+")
    except OSError as error:
        raise StoreError(f"{store}: cannot create the lock {lock_path}: {error}") from error
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        return None
    return handle


@contextmanager
def _held(handle: IO[str], lock_path: Path) -> Iterator[Path]:
    with handle:
        try:
            yield lock_path
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def _exclusive(
    store: str | os.PathLike[str], lock_path: Path, busy: str, advice: str
) -> Iterator[Path]:
    """Hold ``lock_path``; when another holder has it, raise ``<store>: <busy> (lock ...);
    <advice>``."""
    handle = _try_lock(store, lock_path)
    if handle is None:
        raise StoreError(f"{store}: {busy} (lock {lock_path}); {advice}")
    with _held(handle, lock_path) as held:
        yield held


@contextmanager
def serving_lock(store: str | os.PathLike[str]) -> Iterator[Path]:
    """Hold the store's exclusive serve lock (``flock``) for the duration of the block.

    ``kg serve`` holds it while it serves; a ``kg build`` that writes in place holds it while
    it writes, so the two exclude each other.

    :raises StoreError: if another process (or another holder in this one) has the lock

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     with serving_lock(f"{tmp}/store") as lock:
    ...         is_serving(f"{tmp}/store"), lock.name
    (True, '.store.serve.lock')
    """
    with _exclusive(
        store,
        serve_lock_path(store),
        "the store is in use by another process",
        "stop `kg serve` (or wait for the build) and try again",
    ) as held:
        yield held


@contextmanager
def serving_lock_if_free(store: str | os.PathLike[str]) -> Iterator[bool]:
    """Hold the serve lock for the block if nobody else does; yields whether it is held.

    A build uses it to choose: ``True`` (no server) writes in place, ``False`` (a server
    runs) writes a new generation.
    """
    lock_path = serve_lock_path(store)
    handle = _try_lock(store, lock_path)
    if handle is None:
        yield False
        return
    with _held(handle, lock_path):
        yield True


@contextmanager
def building_lock(store: str | os.PathLike[str]) -> Iterator[Path]:
    """Hold the store's exclusive build lock for the duration of the block.

    :raises StoreError: if another build (or a server applying an update) has it
    """
    with _exclusive(
        store,
        build_lock_path(store),
        "another build is writing the store",
        "wait for it to finish and try again",
    ) as held:
        yield held


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
