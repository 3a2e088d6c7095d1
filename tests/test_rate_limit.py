"""Per-client rate limits on ``/sparql`` (RELIABILITY.md): off by default; when on, a client
past its error or query-time allowance gets 429 with ``Retry-After``, other clients do not."""

from __future__ import annotations

import urllib.parse
from typing import Any

import pytest

GOOD = "ASK { ?s ?p ?o }"
BAD = "SELECT * WHERE { ?s ?p }"  # passes the tokenizer, fails in the parser: a 400


def ask(client: Any, query: str, address: str = "127.0.0.1") -> Any:
    url = "/sparql?" + urllib.parse.urlencode({"query": query})
    return client.get(url, environ_base={"REMOTE_ADDR": address})


def test_off_by_default(client: Any) -> None:
    for _ in range(40):
        assert ask(client, BAD).status_code == 400
    assert ask(client, GOOD).status_code == 200


def test_errors_per_minute_then_429_for_that_client_only(make_app: Any) -> None:
    client = make_app(KG_RATE_LIMIT="on", KG_RATE_ERRORS=2).test_client()
    assert ask(client, BAD).status_code == 400
    assert ask(client, BAD).status_code == 400
    refused = ask(client, GOOD)
    assert refused.status_code == 429
    assert refused.mimetype == "text/plain"
    assert 1 <= int(refused.headers["Retry-After"]) <= 30  # one error token back in 60 s / 2
    assert b"allowance" in refused.data
    assert ask(client, GOOD, "127.0.0.2").status_code == 200  # another client is unaffected
    assert client.get("/healthz").status_code == 200  # only /sparql is limited


def test_query_seconds_per_minute(make_app: Any) -> None:
    client = make_app(KG_RATE_LIMIT="on", KG_RATE_QUERY_S=0.001).test_client()
    assert ask(client, GOOD).status_code == 200  # the first query spends the whole allowance
    refused = ask(client, GOOD)
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) >= 1


def test_turned_on_from_the_environment(monkeypatch: pytest.MonkeyPatch, make_app: Any) -> None:
    monkeypatch.setenv("KG_RATE_LIMIT", "on")
    monkeypatch.setenv("KG_RATE_ERRORS", "1")
    client = make_app().test_client()
    assert ask(client, BAD).status_code == 400
    assert ask(client, GOOD).status_code == 429


def test_buckets_refill_and_memory_is_bounded() -> None:
    from webapp.ratelimit import RateLimiter

    now = [0.0]
    limiter = RateLimiter(query_s=6, errors=3, max_clients=5, clock=lambda: now[0])
    limiter.charge("a", seconds=12, error=False)  # 6 s over: a full minute to get back to 0
    assert limiter.retry_after("a") == 60
    now[0] = 30.0
    assert limiter.retry_after("a") == 30
    now[0] = 61.0
    assert limiter.retry_after("a") is None
    for i in range(50):
        limiter.charge(f"client-{i}", seconds=0.1, error=True)
    assert len(limiter._clients) == 5
