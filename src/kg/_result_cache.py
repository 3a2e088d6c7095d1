"""A byte-bounded LRU cache of finished answers, valid for one state of the store.

The served store changes in two ways only while ``kg serve`` holds its serve lock: a build
publishes a new generation (:mod:`kg.generations`), or the server applies a SPARQL update with
its token (:meth:`kg.sparql.QueryRunner.update`). Each entry is therefore filed under a *tag*
naming that state -- ``(generation identity, update count)`` in the runner -- and the cache
holds entries of one tag at a time: a lookup with another tag empties it and adopts the new
tag, and a store under a tag that is not the current one is dropped, so an answer computed from
an old state is never served for a newer one.

Entries are sized by their bytes (the body plus a fixed overhead per entry) and the least
recently used go first once ``max_bytes`` is passed; an entry larger than the whole budget is
not kept. All methods are safe to call from many threads.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Generic, TypeVar

__all__ = ["CacheStats", "ResultCache"]

V = TypeVar("V")

#: bytes charged per entry beyond its value (key, bookkeeping), so tiny entries still count
ENTRY_OVERHEAD = 256


@dataclass(frozen=True)
class CacheStats:
    """Counters of a :class:`ResultCache` (for health checks and tests)."""

    hits: int
    misses: int
    entries: int
    bytes: int
    evictions: int


class ResultCache(Generic[V]):
    """Thread-safe LRU of values under one store-state tag, bounded by total bytes.

    :param max_bytes: the budget; 0 keeps nothing (every lookup misses)
    """

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max(0, int(max_bytes))
        self._lock = threading.Lock()
        self._entries: OrderedDict[Hashable, tuple[V, int]] = OrderedDict()
        self._tag: Hashable | None = None
        self._bytes = self._hits = self._misses = self._evictions = 0

    def get(self, tag: Hashable, key: Hashable) -> V | None:
        """The value stored under ``key`` for state ``tag``, or ``None``.

        A ``tag`` other than the cache's empties it first (the store changed).
        """
        with self._lock:
            if tag != self._tag:
                self._clear()
                self._tag = tag
            found = self._entries.get(key)
            if found is None:
                self._misses += 1
                return None
            self._entries.move_to_end(key)
            self._hits += 1
            return found[0]

    def put(self, tag: Hashable, key: Hashable, value: V, size: int) -> bool:
        """Keep ``value`` (``size`` bytes) under ``key`` if ``tag`` is the current state.

        :return: whether it was kept (not when the tag is stale or it exceeds the budget)
        """
        cost = int(size) + ENTRY_OVERHEAD
        with self._lock:
            if tag != self._tag or cost > self.max_bytes:
                return False
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= old[1]
            self._entries[key] = (value, cost)
            self._bytes += cost
            while self._bytes > self.max_bytes and self._entries:
                _, (_, freed) = self._entries.popitem(last=False)
                self._bytes -= freed
                self._evictions += 1
            return True

    def invalidate(self) -> None:
        """Forget every entry and the current tag (the store was just written)."""
        with self._lock:
            self._clear()
            self._tag = None

    def _clear(self) -> None:
        self._entries.clear()
        self._bytes = 0

    def stats(self) -> CacheStats:
        """The cache's counters now."""
        with self._lock:
            return CacheStats(
                self._hits, self._misses, len(self._entries), self._bytes, self._evictions
            )
