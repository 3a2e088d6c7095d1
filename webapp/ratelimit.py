"""Per-client rate limits on ``/sparql``: two token buckets per client IP, then 429.

RELIABILITY.md (after the Wikidata Query Service's rules): when the endpoint is public, each
client gets ``KG_RATE_QUERY_S`` seconds of query time per 60 s and ``KG_RATE_ERRORS`` error
replies per minute. Each allowance is a token bucket that refills continuously; a request
is charged after it ran (its wall-clock time, and one error token when its status is 4xx or
5xx), so a bucket can go below zero and the client then waits until it refills. While either
bucket is empty the client gets ``429 Too Many Requests`` with ``Retry-After`` (whole seconds
until the bucket holds something again) and the request is not run.

Off unless ``KG_RATE_LIMIT`` is ``on`` (or ``true``/``1``). The client is the TCP peer
(``request.remote_addr``): behind a reverse proxy every request looks like the proxy's, so
there the proxy should limit, or pass the real address through a WSGI middleware such as
werkzeug's ``ProxyFix``. At most ``max_clients`` buckets are kept; the least recently seen
client is forgotten first, so memory is bounded whatever the traffic.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["RateLimiter", "enabled"]

WINDOW_S = 60.0


def enabled(setting: object) -> bool:
    """Whether a ``KG_RATE_LIMIT`` value turns limiting on (``on``, ``true``, ``1``, True)."""
    if isinstance(setting, bool):
        return setting
    return str(setting).strip().lower() in ("on", "true", "1", "yes")


@dataclass
class _Buckets:
    query_s: float
    errors: float
    at: float


class RateLimiter:
    """Token buckets per client: query seconds and errors, each refilled over 60 s.

    :param query_s: seconds of query time a client may use per 60 s (the bucket's size)
    :param errors: error replies a client may get per 60 s
    :param max_clients: buckets kept at most (least recently seen forgotten first)
    :param clock: the monotonic clock (a test may pass its own)

    >>> now = [0.0]
    >>> limiter = RateLimiter(query_s=2, errors=1, clock=lambda: now[0])
    >>> limiter.retry_after("10.0.0.1") is None
    True
    >>> limiter.charge("10.0.0.1", seconds=0.5, error=True)
    >>> limiter.retry_after("10.0.0.1")  # no error token left: one refills in 60 s
    60
    >>> now[0] = 60.0
    >>> limiter.retry_after("10.0.0.1") is None
    True
    """

    def __init__(
        self,
        query_s: float = 60.0,
        errors: float = 30.0,
        *,
        max_clients: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.query_s, self.errors = float(query_s), float(errors)
        self.max_clients = int(max_clients)
        self._clock = clock
        self._lock = threading.Lock()
        self._clients: OrderedDict[str, _Buckets] = OrderedDict()

    def _refilled(self, client: str) -> _Buckets:
        """The client's buckets brought up to now (caller holds the lock)."""
        now = self._clock()
        buckets = self._clients.get(client)
        if buckets is None:
            buckets = _Buckets(self.query_s, self.errors, now)
            self._clients[client] = buckets
            while len(self._clients) > self.max_clients:
                self._clients.popitem(last=False)
        else:
            elapsed = max(0.0, now - buckets.at)
            buckets.query_s = min(self.query_s, buckets.query_s + elapsed * self.query_s / WINDOW_S)
            buckets.errors = min(self.errors, buckets.errors + elapsed * self.errors / WINDOW_S)
            buckets.at = now
            self._clients.move_to_end(client)
        return buckets

    def retry_after(self, client: str) -> int | None:
        """``None`` when ``client`` may send a request now, else seconds until it may."""
        with self._lock:
            buckets = self._refilled(client)
            waits = []
            if buckets.query_s < 0:
                waits.append(-buckets.query_s * WINDOW_S / max(self.query_s, 1e-9))
            if buckets.errors < 1:
                waits.append((1 - buckets.errors) * WINDOW_S / max(self.errors, 1e-9))
            if not waits:
                return None
            return max(1, math.ceil(max(waits)))

    def charge(self, client: str, *, seconds: float, error: bool) -> None:
        """Take what one finished request used from ``client``'s buckets."""
        with self._lock:
            buckets = self._refilled(client)
            buckets.query_s -= max(0.0, seconds)
            if error:
                buckets.errors -= 1
