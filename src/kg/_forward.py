"""The SPARQL endpoint over a remote store: checked here, evaluated there.

When ``KG_STORE`` is a query endpoint URL, ``/sparql`` has no store of its own to open. A
:class:`RemoteRunner` stands where :class:`kg.sparql.QueryRunner` stands for the embedded
store, with the same ``run``/``update`` interface and the same :class:`~kg.sparql.Result`
replies, so the web layer does not tell them apart:

* every query meets the same local checks first (:func:`kg.sparql.check_query`: the size
  limit, the tokenizer, ``SERVICE``/``LOAD`` refusal, content negotiation), so nothing the
  embedded endpoint refuses reaches the remote store;
* it is then POSTed to the query endpoint (SPARQL 1.1 Protocol, ``application/sparql-query``)
  with the negotiated ``Accept`` and the protocol's ``default-graph-uri``/``named-graph-uri``;
* the remote's answer is passed through: a 2xx with its status, ``Content-Type`` and body; a
  4xx becomes a 400 carrying the remote's own message (a syntax error, say); a 5xx, a refused
  connection or a reply that is too large becomes a 502, and no complete reply within
  ``timeout_s`` a 504. Each message is one ``text/plain`` line, as everywhere on ``/sparql``.

Remote evaluation is I/O, so here a time limit is real without a process to kill: the socket's
timeout is set to what is left of the request's deadline before every blocking step (connect,
send, each read), so a slow or trickling store is cut off at ``timeout_s``. At most ``workers``
requests are forwarded at once and ``max_waiting`` wait; the next gets 503 with
``Retry-After``, as on the embedded store. Updates are forwarded only when the runner is built
with ``allow_updates`` and an ``update_url``.

The row cap of the embedded endpoint is not applied to a remote store's results (the remote
store's own limits hold); the reply is capped in bytes (``max_response_bytes``) instead.
"""

from __future__ import annotations

import http.client
import os
import re
import socket
import threading
import time
from collections.abc import Iterable, Sequence
from urllib.parse import urlencode, urlsplit

from kg._sparql_syntax import Token, inspect_query
from kg.errors import QueryError
from kg.sparql import Result, _checked_iris, check_query, check_update

__all__ = ["RemoteRunner"]

_CHUNK = 64 * 1024
_ABSOLUTE = re.compile(r"<[A-Za-z][A-Za-z0-9+.\-]*:")


class _TimedOut(Exception):
    pass


class RemoteRunner:
    """Forward checked SPARQL requests to a remote store's query and update endpoints.

    :param query_url: the remote query endpoint (``http://`` or ``https://``)
    :param update_url: the remote update endpoint; ``None`` means updates are refused
    :param timeout_s: limit for one whole request to the remote store (connect to last byte)
    :param workers: requests forwarded at once; default 2 x CPU cores
    :param max_waiting: requests that may wait for a slot; more get 503
    :param max_query_bytes: longest query or update text accepted (413 beyond)
    :param service_allowlist: IRI prefixes that ``SERVICE`` may call (default: none)
    :param allow_updates: accept :meth:`update` calls at all
    :param max_response_bytes: largest reply passed on (502 beyond)
    """

    def __init__(
        self,
        query_url: str,
        *,
        update_url: str | None = None,
        timeout_s: float = 5.0,
        workers: int | None = None,
        max_waiting: int = 16,
        max_query_bytes: int = 65_536,
        service_allowlist: Iterable[str] = (),
        allow_updates: bool = False,
        max_response_bytes: int = 64 * 1024 * 1024,
    ) -> None:
        self.store = self.query_url = query_url
        self.update_url = update_url
        self.timeout_s = float(timeout_s)
        self.size = workers or 2 * (os.cpu_count() or 1)
        self.max_waiting, self.max_query_bytes = int(max_waiting), int(max_query_bytes)
        self.service_allowlist = tuple(service_allowlist)
        self.allow_updates = allow_updates
        self.max_response_bytes = int(max_response_bytes)
        self._cond = threading.Condition()
        self._busy = self._waiting = 0
        self._closed = False

    # -- slots --------------------------------------------------------------------------------

    def _acquire(self) -> Result | None:
        """Take a forwarding slot, or the 503 that says why none is free."""
        deadline = time.monotonic() + max(1.0, self.timeout_s)
        with self._cond:
            if self._busy >= self.size and self._waiting >= self.max_waiting:
                return _busy(f"{self._waiting} queries are already waiting")
            self._waiting += 1
            try:
                while not self._closed and self._busy >= self.size:
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        return _busy("no slot to the remote store became free in time")
                    self._cond.wait(remaining)
                if self._closed:
                    return _busy("the endpoint is shutting down")
                self._busy += 1
                return None
            finally:
                self._waiting -= 1

    def _release(self) -> None:
        with self._cond:
            self._busy -= 1
            self._cond.notify()

    # -- HTTP ---------------------------------------------------------------------------------

    def _post(
        self, url: str, body: str, content_type: str, accept: str, params: list[tuple[str, str]]
    ) -> Result:
        """POST ``body`` to ``url`` within the time limit; the remote reply, or 502/504."""
        busy = self._acquire()
        if busy is not None:
            return busy
        try:
            return self._exchange(url, body.encode("utf-8"), content_type, accept, params)
        finally:
            self._release()

    def _exchange(
        self,
        url: str,
        body: bytes,
        content_type: str,
        accept: str,
        params: list[tuple[str, str]],
    ) -> Result:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return Result.error(502, f"the remote store URL {url} is not an http(s) URL")
        target = parts.path or "/"
        query = "&".join(p for p in (parts.query, urlencode(params)) if p)
        if query:
            target += "?" + query
        deadline = time.monotonic() + self.timeout_s
        connection_class = (
            http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        )
        connection = connection_class(parts.hostname, parts.port, timeout=self.timeout_s)
        try:
            connection.connect()
            sock = connection.sock
            _limit(sock, deadline)
            connection.request(
                "POST",
                target,
                body=body,
                headers={"Content-Type": f"{content_type}; charset=utf-8", "Accept": accept},
            )
            _limit(sock, deadline)
            response = connection.getresponse()
            chunks: list[bytes] = []
            size = 0
            while True:
                _limit(sock, deadline)
                chunk = response.read1(_CHUNK)
                if not chunk:
                    break
                size += len(chunk)
                if size > self.max_response_bytes:
                    return Result.error(
                        502,
                        f"the remote store's reply is larger than {self.max_response_bytes} bytes",
                    )
                chunks.append(chunk)
        except (TimeoutError, _TimedOut):
            return Result.error(
                504, f"the remote store {url} did not answer within {self.timeout_s:g} s"
            )
        except (OSError, http.client.HTTPException) as error:
            reason = str(error) or type(error).__name__
            return Result.error(502, f"the remote store {url} is unreachable: {reason}")
        finally:
            connection.close()
        return _passed_on(
            url, response.status, response.getheader("Content-Type"), b"".join(chunks)
        )

    # -- public API (as kg.sparql.QueryRunner) ------------------------------------------------

    def run(
        self,
        query: str,
        accept: str | None = None,
        *,
        format: str | None = None,
        base_iri: str | None = None,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
    ) -> Result:
        """Check a query locally, then evaluate it on the remote store.

        :param query: the query text
        :param accept: the client's ``Accept`` header
        :param format: a ``?format=`` name overriding it
        :param base_iri: base IRI for relative IRIs in the query (sent as a ``BASE``)
        :param default_graphs: protocol ``default-graph-uri`` values, passed on
        :param named_graphs: protocol ``named-graph-uri`` values, passed on
        :return: the remote's 2xx reply; 400, 406, 413 from the local checks; 400 with the
            remote's message for a remote 4xx; 502 for an unreachable or failing remote; 503
            when every slot is taken; 504 when the remote does not answer in time
        """
        checked = check_query(query, accept, format, self.max_query_bytes, self.service_allowlist)
        if isinstance(checked, Result):
            return checked
        info, fmt = checked
        try:
            params = [
                (name, iri)
                for name, iris in (
                    ("default-graph-uri", default_graphs),
                    ("named-graph-uri", named_graphs),
                )
                for iri in _checked_iris(iris, name) or []
            ]
        except QueryError as error:
            return Result.error(400, str(error))
        text = _with_base(query, info.tokens, base_iri)
        return self._post(self.query_url, text, "application/sparql-query", fmt.media_type, params)

    def update(
        self,
        update: str,
        *,
        base_iri: str | None = None,
        using_graphs: Sequence[str] = (),
        using_named_graphs: Sequence[str] = (),
    ) -> Result:
        """Check an update locally, then apply it through the remote update endpoint.

        :return: 204 when applied; 403 when updates are off or no update endpoint is
            configured; 400, 413 from the local checks; the remote errors as for :meth:`run`
        """
        if not self.allow_updates or not self.update_url:
            return Result.error(403, "updates are not accepted by this endpoint (read-only)")
        text = check_update(
            update, using_graphs, using_named_graphs, self.max_query_bytes, self.service_allowlist
        )
        if isinstance(text, Result):
            return text
        if base_iri:
            text = _with_base(text, inspect_query(text, self.service_allowlist).tokens, base_iri)
        result = self._post(self.update_url, text, "application/sparql-update", "*/*", [])
        if result.status < 300:
            return Result(204, "text/plain; charset=utf-8", b"")
        return result

    def worker_pids(self) -> list[int]:
        """No worker processes: the remote store evaluates (for health checks)."""
        return []

    def close(self) -> None:
        """Refuse new requests; requests in flight finish within their time limit."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()


def _busy(reason: str) -> Result:
    return Result.error(503, f"server busy: {reason}; try again", **{"Retry-After": "1"})


def _limit(sock: socket.socket | None, deadline: float) -> None:
    """Give the next blocking socket step only what is left of the request's time."""
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise _TimedOut
    if sock is not None:
        sock.settimeout(remaining)


def _passed_on(url: str, status: int, content_type: str | None, body: bytes) -> Result:
    """The client's reply to the remote's: 2xx as is, 4xx as 400, anything else as 502."""
    if 200 <= status < 300:
        return Result(status, content_type or "application/octet-stream", body)
    lines = body.decode("utf-8", "replace").strip().splitlines()
    message = lines[0][:500] if lines else http.client.responses.get(status, "error")
    if 400 <= status < 500:
        return Result.error(400, f"the remote store refused the request (HTTP {status}): {message}")
    return Result.error(502, f"the remote store {url} failed (HTTP {status}): {message}")


def _with_base(text: str, tokens: Iterable[Token], base_iri: str | None) -> str:
    """``text`` with ``BASE <base_iri>`` in front when it has a relative IRI to resolve.

    A prologue may hold several ``BASE`` declarations, so one of the query's own still wins.
    """
    if not base_iri:
        return text
    for token in tokens:
        if token.kind == "iri" and not _ABSOLUTE.match(token.text):
            return f"BASE <{base_iri}>\n{text}"
    return text
