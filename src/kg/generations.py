"""Generations of an embedded store: how ``kg build`` writes while readers go on reading.

RocksDB allows one writing process, and a reader beside a writer is not safe. So a build never
writes the generation that readers (``kg serve``, ``kg query``) see. Instead:

1. The build takes the store's *build lock* (two builds exclude each other, and a server
   applies no SPARQL update meanwhile), so the current generation is read by readers only.
2. It copies the current generation with pyoxigraph's ``Store.backup`` from a read-only open:
   a RocksDB checkpoint, which hard-links the immutable SST files, so the copy is cheap and is
   a consistent snapshot. (For a new store, the copy is an empty directory.)
3. It writes the releases into the copy. Nobody reads the copy, so the writes skip
   transactions and go through pyoxigraph's bulk loader (:class:`kg.store.EmbeddedStore`
   with ``bulk=True``), about three times faster.
4. It *publishes* the copy atomically: the store path ``<store>`` is a symbolic link to its
   current generation ``<store>.gen-N`` (a relative link, in the same directory), and a new
   link replaces it with :func:`os.replace`. The first time, ``<store>`` may still be a plain
   directory: the link and the directory are swapped in one ``renameat2(RENAME_EXCHANGE)``
   (Linux), and the old directory becomes a generation like the others.

A long build also publishes *checkpoints* on the way (:meth:`BuildTarget.checkpoint`): a
RocksDB checkpoint of the copy being written becomes a generation of its own and is
published, so a build killed at any moment loses only what it wrote since the last one, and
every release graph readers can see is whole.

Readers never follow the link more than once. A reader (a server's query worker, ``kg query``,
``kg export``, ``kg validate``) *pins* the generation it opens (:func:`pin`): it opens the
directory the link names, takes a shared ``flock`` on it and opens the store through
``/proc/self/fd/N``, so every file RocksDB opens later comes from that same directory, whatever
the link or the directory's name become. Each query therefore sees the old graph or the new one,
never a half-written release.

The server notices a switch without any message: before it hands out a worker, the runner
(:class:`kg.sparql.QueryRunner`) compares the identity (device, inode) of what ``<store>`` names
now with the generation the worker pinned. A worker of an older generation finishes its
in-flight query, then exits; new workers pin the new generation.

An old generation is removed (:func:`collect_garbage`) once nobody pins it: removal takes an
exclusive ``flock`` on the directory without waiting, so a generation still read is kept for a
later pass. Passes run at the end of a build, when a build or ``kg serve`` starts, and when the
server retires the last worker of an old generation. A build killed half-way leaves only an
unpublished generation, which the next pass removes; the served generation is untouched.

"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import logging
import os
import re
import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

import pyoxigraph as ox

from ._lock import build_lock_path, building_lock
from .errors import StoreError

__all__ = [
    "BuildTarget",
    "Pin",
    "build_target",
    "collect_garbage",
    "current_identity",
    "generation_dirs",
    "pin",
    "publish",
]

log = logging.getLogger(__name__)

Identity = tuple[int, int]

#: how long a reader retries while ``<store>`` is briefly missing or its generation is removed
_PIN_ATTEMPTS, _PIN_DELAY_S = 50, 0.01
_AT_FDCWD, _RENAME_EXCHANGE = -100, 2


def _name(store: str | os.PathLike[str]) -> tuple[Path, str]:
    """The store's parent directory (resolved) and its own name (not resolved: it may be a
    link)."""
    path = Path(store).absolute()
    if path.name in ("", ".", ".."):
        path = path.resolve()
    return path.parent.resolve(), path.name


def generation_dirs(store: str | os.PathLike[str]) -> list[Path]:
    """The ``<store>.gen-N`` entries beside the store, by increasing ``N``."""
    parent, name = _name(store)
    pattern = re.compile(re.escape(name) + r"\.gen-(\d+)")
    found: list[tuple[int, Path]] = []
    with contextlib.suppress(FileNotFoundError):
        for entry in parent.iterdir():
            match = pattern.fullmatch(entry.name)
            if match:
                found.append((int(match.group(1)), entry))
    return [path for _, path in sorted(found)]


def _next_number(store: str | os.PathLike[str]) -> int:
    dirs = generation_dirs(store)
    return 1 + max((int(path.name.rsplit("-", 1)[1]) for path in dirs), default=0)


def current_identity(store: str | os.PathLike[str]) -> Identity | None:
    """``(device, inode)`` of the directory ``store`` names now; ``None`` when there is none."""
    try:
        stat = os.stat(store)
    except OSError:
        return None
    return (stat.st_dev, stat.st_ino)


@dataclass
class Pin:
    """One generation, opened and share-locked so it is neither switched under the reader nor
    removed while read.

    :param fd: the open directory, holding a shared ``flock``
    """

    fd: int
    identity: Identity = field(init=False)
    #: what to hand to pyoxigraph: the directory through this process's descriptor (or its
    #: real path where ``/proc`` is missing)
    path: str = field(init=False)

    def __post_init__(self) -> None:
        stat = os.fstat(self.fd)
        self.identity = (stat.st_dev, stat.st_ino)
        via_fd = f"/proc/self/fd/{self.fd}"
        self.path = via_fd if os.path.isdir(via_fd) else os.readlink(f"/dev/fd/{self.fd}")

    def close(self) -> None:
        """Drop the lock and the descriptor (the store opened through it must be closed)."""
        with contextlib.suppress(OSError):
            os.close(self.fd)
        self.fd = -1

    def __enter__(self) -> Pin:
        return self

    def __exit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def pin(store: str | os.PathLike[str]) -> Pin:
    """Pin the generation ``store`` names now (see the module docstring).

    Retries briefly while the store path is missing (a switch on a file system without
    ``RENAME_EXCHANGE``) or its generation is being removed (it was switched away meanwhile).

    :raises StoreError: when no store directory can be pinned
    """
    problem = "no store here"
    for _attempt in range(_PIN_ATTEMPTS):
        try:
            fd = os.open(store, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        except FileNotFoundError:
            problem = "no store here"
            time.sleep(_PIN_DELAY_S)
            continue
        except OSError as error:
            raise StoreError(f"{store}: {error.strerror}") from error
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            problem = "its generation is being removed"
            time.sleep(_PIN_DELAY_S)
            continue
        if os.fstat(fd).st_nlink == 0:  # removed between open and lock: follow the link again
            os.close(fd)
            continue
        return Pin(fd)
    raise StoreError(f"{store}: {problem}")


@dataclass
class BuildTarget:
    """Where a build writes: a new generation of the store, published when complete.

    :param store: the store path as given
    :param path: the new generation's directory, to open for writing
    """

    store: Path
    path: Path
    published: bool = False
    #: removes the checkpoint before the last one, while the build goes on (:meth:`checkpoint`)
    collector: threading.Thread | None = field(default=None, repr=False)

    def checkpoint(self, writer: ox.Store) -> None:
        """Publish what the build has written so far, and go on writing.

        ``writer`` is the open store at :attr:`path`, flushed by the caller. A RocksDB
        checkpoint of it (hard links, so cheap) becomes a generation of its own and is
        published; a build killed later loses only what it wrote after this point.

        The previous checkpoint is removed in the background: it holds the files compaction
        has replaced since, gigabytes in a large store, and freeing them takes seconds on a
        disk that discards freed blocks as they go (``mount -o discard``). One removal runs
        at a time, never beside the making of a checkpoint, so it cannot take one for an
        old generation.
        """
        self.wait_for_collector()
        snapshot = self.path.with_name(f"{_name(self.store)[1]}.gen-{_next_number(self.store)}")
        try:
            writer.backup(str(snapshot))
        except OSError as error:
            shutil.rmtree(snapshot, ignore_errors=True)
            raise StoreError(f"{self.store}: cannot checkpoint the build: {error}") from error
        publish(self.store, snapshot)
        self.collector = threading.Thread(
            target=_collect_logged, args=(self.store, self.path), name="kg-collect", daemon=True
        )
        self.collector.start()

    def wait_for_collector(self) -> None:
        """Wait until the removal of old checkpoints started by :meth:`checkpoint` is done."""
        if self.collector is not None:
            self.collector.join()
            self.collector = None

    def publish(self) -> None:
        """Make the new generation the store's current one (once; the writer is closed)."""
        self.wait_for_collector()
        if not self.published:
            publish(self.store, self.path)
            self.published = True


def _collect_logged(store: Path, keep: Path) -> None:
    """:func:`_collect` in a thread of its own: an error is logged (the next pass retries)."""
    try:
        _collect(store, keep=keep)
    except OSError as error:
        log.warning("old generations of %s kept for now: %s", store, error)


@contextmanager
def build_target(store: str | os.PathLike[str]) -> Iterator[BuildTarget]:
    """Where a ``kg build`` of ``store`` writes, for the duration of the block.

    Holds the build lock throughout and yields a fresh copy of the current generation (a
    checkpoint, or an empty directory when the store does not exist yet), which the caller
    fills and then publishes (:meth:`BuildTarget.publish`). Readers, a running server among
    them, go on reading the current generation meanwhile. A copy not published when the
    block ends (an error, a kill, or nothing to write) is removed, then or by the next pass.
    Old generations nobody reads any more are removed before and after.

    :raises StoreError: when another build holds the store, or the copy cannot be made
    """
    with building_lock(store):
        _collect(store)
        target = BuildTarget(Path(store), _copy_current(store))
        try:
            yield target
        finally:
            target.wait_for_collector()
            if not target.published:
                shutil.rmtree(target.path, ignore_errors=True)
            _collect(store)


def _copy_current(store: str | os.PathLike[str]) -> Path:
    """A new generation directory holding a checkpoint of the current one (empty when the
    store does not exist yet). The caller holds the build lock."""
    parent, name = _name(store)
    target = parent / f"{name}.gen-{_next_number(store)}"
    if not os.path.lexists(store):
        return target  # the build creates the store there
    with pin(store) as pinned:
        try:
            source = ox.Store.read_only(pinned.path)
            try:
                source.backup(str(target))
            finally:
                del source
        except OSError as error:
            shutil.rmtree(target, ignore_errors=True)
            raise StoreError(
                f"{store}: cannot copy the store for a new generation: {error}"
            ) from error
    return target


def publish(store: str | os.PathLike[str], generation: str | os.PathLike[str]) -> None:
    """Switch ``store`` to ``generation`` (a directory beside it) atomically.

    ``store`` becomes (or stays) a relative symbolic link to ``generation``. A plain store
    directory is swapped with the link in one step where the kernel can
    (``RENAME_EXCHANGE``), else renamed away just before the link takes its place (readers
    retry over that instant). The old directory is kept as a generation until nobody reads it.
    The caller holds the build lock.
    """
    parent, name = _name(store)
    path, link = parent / name, Path(generation).name
    if path.is_dir() and not path.is_symlink():
        retired = parent / f"{name}.gen-{_next_number(store)}"
        os.symlink(link, retired)
        if not _exchange(retired, path):  # no atomic swap here: two renames
            os.unlink(retired)
            os.rename(path, retired)
            _replace_link(parent, name, link)
    else:
        _replace_link(parent, name, link)
    _fsync_dir(parent)
    log.info("%s now serves %s", path, link)


def _replace_link(parent: Path, name: str, link: str) -> None:
    temporary = parent / f".{name}.link"
    with contextlib.suppress(FileNotFoundError):
        temporary.unlink()
    os.symlink(link, temporary)
    os.replace(temporary, parent / name)


def _exchange(first: Path, second: Path) -> bool:
    """Swap two directory entries atomically (Linux ``renameat2``); ``False`` if unsupported."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_uint,
    ]
    renameat2.restype = ctypes.c_int
    done = renameat2(
        _AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE
    )
    if done == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(second))


def _fsync_dir(directory: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _collect(store: str | os.PathLike[str], *, keep: Path | None = None) -> list[Path]:
    """Remove the generations that are not current and that nobody pins, except ``keep`` (a
    build's own unpublished generation); the caller holds the build lock. Returns the removed
    directories."""
    parent, name = _name(store)
    current = current_identity(store)
    removed: list[Path] = []
    with contextlib.suppress(FileNotFoundError):
        (parent / f".{name}.link").unlink()  # left by a build killed while switching
    for generation in generation_dirs(store):
        if keep is not None and generation.name == keep.name:
            continue
        if generation.is_symlink():  # left by a build killed while switching
            generation.unlink()
            continue
        try:
            fd = os.open(generation, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        except OSError:
            continue
        try:
            stat = os.fstat(fd)
            if (stat.st_dev, stat.st_ino) == current:
                continue
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue  # still read: a later pass removes it
            shutil.rmtree(generation, ignore_errors=True)
            if not generation.exists():
                removed.append(generation)
        finally:
            os.close(fd)
    if removed:
        log.info("removed old generations: %s", ", ".join(p.name for p in removed))
    return removed


def collect_garbage(store: str | os.PathLike[str]) -> list[Path]:
    """Remove the old generations of ``store`` that nobody reads, unless a build runs (it does
    so itself when it ends). Never raises; returns the removed directories."""
    if not build_lock_path(store).parent.is_dir():
        return []
    try:
        with building_lock(store):
            return _collect(store)
    except OSError as error:  # StoreError: a build holds the lock
        log.debug("old generations of %s kept for now: %s", store, error)
        return []
